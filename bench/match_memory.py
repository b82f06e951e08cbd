"""In-memory benchmark: generate a population, then time Model init + chunked scoring + top-k + selection."""

from __future__ import annotations

import dataclasses
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from matching.scoring.capacity import firm_capacity
from matching.scoring.model import Candidates, Model
from matching.scoring.params import MatchParams
from matching.scoring.select import select_proposals
from matching.scoring.synthetic import generate_population
from matching.scoring.taxonomy import Taxonomy


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / (1024 * 1024) if sys.platform == "darwin" else kib / 1024


def run_full(
    model: Model, progress: Callable[[int, int], None] | None = None, threads: int = 1
) -> tuple[Candidates, int]:
    """Every Ukrainian row in chunks of params.chunk_size; returns merged candidates and pairs scored.

    With threads > 1 chunks run concurrently (numpy and scipy release the GIL in their loops);
    results are merged in chunk order, so the output does not depend on the thread count.
    """
    n_ua, n_p = len(model.ua), len(model.partners)
    size = model.params.chunk_size
    chunks = [np.arange(s, min(s + size, n_ua)) for s in range(0, n_ua, size)]
    done = 0

    def one(rows: np.ndarray) -> Candidates:
        nonlocal done
        c = model.candidates(rows)
        done += 1
        if progress:
            progress(done, len(chunks))
        return c

    if threads > 1:  # the pool's threads take their scratch buffers with them when they end
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(one, chunks))
    else:
        parts = [one(rows) for rows in chunks]
        model.release_scratch()
    return Candidates.concat(parts, model.params.rank_depth), n_ua * n_p


def run_in_memory(
    n_ua: int,
    n_partners: int,
    seed: int = 1,
    params: MatchParams | None = None,
    progress: Callable[[str], None] | None = None,
    threads: int | None = None,
) -> dict:
    """The benchmark body behind `bench/bench_match.py`; returns the JSON-able result."""
    say = progress or (lambda msg: None)
    # One thread by default: on the shared two-core machine a second one bought no wall time
    # (memory bandwidth, other processes) and cost 300 MB of scratch space; see bench/README.md.
    threads = threads or 1
    params = params or MatchParams()
    taxonomy = Taxonomy.from_csv()
    t = time.perf_counter()
    ua, partners, _ = generate_population(n_ua, n_partners, seed, taxonomy)
    generate_s = time.perf_counter() - t
    say(f"generated {n_ua} Ukrainian and {n_partners} partner firms in {generate_s:.1f} s")

    t = time.perf_counter()
    import sklearn.feature_extraction.text  # noqa: F401  (a worker imports it once; not feature building)

    import_s = time.perf_counter() - t
    t0, c0 = time.perf_counter(), time.process_time()
    model = Model(ua, partners, taxonomy, params)
    init_s = time.perf_counter() - t0
    say(f"model prepared (features, TF-IDF) in {init_s:.2f} s")
    candidates, pairs = run_full(model, lambda i, n: say(f"chunk {i}/{n}"), threads=threads)
    t1 = time.perf_counter()
    selection = select_proposals(
        candidates,
        n_ua,
        n_partners,
        params,
        ua.firm_ids,
        partners.firm_ids,
        capacity_ua=firm_capacity(ua.employees, params, n=n_ua),
        capacity_partner=firm_capacity(partners.employees, params, n=n_partners),
    )
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0  # wall time suffers when other processes share the cores
    select_s = time.perf_counter() - t1
    say(f"scored {pairs:,} pairs, {len(candidates):,} candidates, {len(selection):,} proposals")

    # Single-firm rematch, both sides, against a prepared model; report the slower.
    timings = []
    for side, row in (("ua", n_ua // 2), ("partner", n_partners // 2)):
        t = time.perf_counter()
        model.rematch(side, row)
        timings.append(time.perf_counter() - t)
    # The same after a profile edit, as rematch_firm runs it: a fresh Model for the edited data
    # that reuses the run's fitted TF-IDF (only the edited firm is vectorised again).
    row = n_ua // 2
    texts = list(ua.texts)
    texts[row] += " now also machining shell bodies"
    edited = dataclasses.replace(ua, texts=texts)
    t = time.perf_counter()
    Model(edited, partners, taxonomy, params, reuse_text_from=model).rematch("ua", row)
    rebuild_s = time.perf_counter() - t
    return {
        "mode": "memory",
        "ukrainian": n_ua,
        "partners": n_partners,
        "seed": seed,
        "threads": threads,
        "chunk_size": params.chunk_size,
        "pairs": pairs,
        "seconds": round(seconds, 3),
        "pairs_per_second": round(pairs / seconds) if seconds else None,
        "cpu_seconds": round(cpu_seconds, 3),
        "model_init_seconds": round(init_s, 3),
        "select_seconds": round(select_s, 3),
        "allocate_seconds": selection.stats.get("allocate_seconds"),
        "allocation": {k: v for k, v in selection.stats.items() if k not in ("allocate_seconds", "select_seconds")},
        "generate_seconds": round(generate_s, 3),
        "sklearn_import_seconds": round(import_s, 3),
        "candidates": len(candidates),
        "proposals": len(selection),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rematch_seconds": round(max(timings), 4),
        "rematch_ua_seconds": round(timings[0], 4),
        "rematch_partner_seconds": round(timings[1], 4),
        "rematch_with_model_rebuild_seconds": round(rebuild_s, 4),
    }
