"""The whole-path benchmark behind `bench/bench_match.py --db`: firms in PostgreSQL, a full run
through real Celery worker processes, proposals written.

The population is the scoring core's synthetic market (planted pairs, decoys, noise), written to
the database with bulk inserts as firms `bench-ua-N` / `bench-pa-N`. Then, for each worker count
asked for, one `celery worker --concurrency=N` is started on a queue of its own and a full run
is timed from enqueue to `succeeded`. A single-firm rematch is timed in-process at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from bench.history import proposal_history_erase
from bench.match_memory import peak_rss_mb
from matching.features import taxonomy_load
from matching.models import MatchRun, Proposal
from matching.scoring import CERTIFICATIONS, CLEARANCES, PARTNERSHIP_TYPES, SideFeatures
from matching.scoring.synthetic import generate_population
from registry.identity import free_edrpou_codes
from registry.models import Capability, Firm, FirmCapability

ROOT = Path(__file__).resolve().parent.parent
PARTNER_COUNTRIES = ("DE", "PL", "US", "FR", "GB", "CZ", "NL", "SE", "IT", "NO", "FI", "DK", "LT", "ES", "RO")
PREFIX = "bench-"


def bench_population_write(n_ua: int, n_partners: int, seed: int, say: Callable[[str], None]) -> float:
    """Replace the bench firms with a fresh synthetic population; returns seconds spent."""
    t = time.perf_counter()
    taxonomy = taxonomy_load()
    ua, partners, _ = generate_population(n_ua, n_partners, seed, taxonomy)
    say(f"generated {n_ua:,} + {n_partners:,} firms in {time.perf_counter() - t:.1f} s")
    cap_ids = dict(Capability.objects.values_list("code", "id"))
    columns = [cap_ids[c] for c in taxonomy.codes]
    with transaction.atomic():
        _bench_data_delete()
        for side, features in (("ua", ua), ("pa", partners)):
            firms = Firm.objects.bulk_create(_firms(side, features), batch_size=2000)
            ids = np.array([f.pk for f in firms], dtype=np.int64)
            FirmCapability.objects.bulk_create(_capabilities(ids, features, columns), batch_size=5000)
    seconds = time.perf_counter() - t
    say(f"wrote {n_ua + n_partners:,} firms and their capabilities in {seconds:.1f} s")
    return seconds


def _bench_population_size() -> tuple[int, int]:
    bench = Firm.objects.filter(ref__startswith=PREFIX)
    return bench.filter(side="ua").count(), bench.filter(side="partner").count()


def _bench_data_delete() -> None:
    bench = Firm.objects.filter(ref__startswith=PREFIX)
    # Synthetic bench proposals: their events (supersessions between runs) are erased on purpose.
    proposal_history_erase(proposals=Proposal.objects.filter(Q(ukrainian__in=bench) | Q(partner__in=bench)))
    FirmCapability.objects.filter(firm__in=bench)._raw_delete(connection.alias)
    MatchRun.objects.filter(firm__in=bench).delete()
    bench.delete()


def _firms(side: str, f: SideFeatures) -> list[Firm]:
    out = []
    codes = free_edrpou_codes()  # one firm per EDRPOU (firm_edrpou_unique)
    for i in range(len(f)):
        country = "UA" if side == "ua" else PARTNER_COUNTRIES[i % len(PARTNER_COUNTRIES)]
        out.append(
            Firm(
                ref=f"{PREFIX}{side}-{i}",
                name=f"Bench {side.upper()} {f.names[i]}",
                country=country,
                edrpou=next(codes) if side == "ua" else "",
                description=f.texts[i][:5000],
                partnership_types=[PARTNERSHIP_TYPES[j] for j in np.flatnonzero(f.partnership_types[i])],
                certifications=[CERTIFICATIONS[j] for j in np.flatnonzero(f.certifications[i])],
                security_clearance=CLEARANCES[int(f.clearance[i])],
                contact_name="Bench Contact",
                contact_email=f"bench{side}{i}@example.org",
                status=Firm.Status.VERIFIED,
            )
        )
    return out


def _capabilities(ids: np.ndarray, f: SideFeatures, columns: list[int]) -> list[FirmCapability]:
    out = []
    for kind, ones, capacity in (("offer", f.offers, f.offer_capacity), ("seek", f.seeks, f.seek_capacity)):
        coo = ones.tocoo()
        quantities = np.asarray(capacity.tocsr()[coo.row, coo.col]).ravel().tolist()
        for r, c, q in zip(coo.row.tolist(), coo.col.tolist(), quantities, strict=True):
            out.append(
                FirmCapability(
                    firm_id=int(ids[r]), capability_id=columns[c], kind=kind, monthly_capacity=int(q) if q else None
                )
            )
    return out


def _start_worker(concurrency: int, redis_db: int, say) -> tuple[subprocess.Popen, str, str]:
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    broker = _redis_url(redis_db)
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "LOG_LEVEL": "WARNING",
    }
    logfile = ROOT / "test-artifacts" / "bench" / f"{queue}.log"
    logfile.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "celery", "-A", "alliance", "worker", "-Q", queue, "--pool=prefork",
        f"--concurrency={concurrency}", "-n", f"{queue}@%h", "-l", "INFO", "--logfile", str(logfile),
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603 - fixed argv, no shell
    deadline = time.monotonic() + 90
    while " ready." not in (logfile.read_text(errors="replace") if logfile.exists() else ""):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"worker did not start; see {logfile}")
        time.sleep(0.2)
    say(f"worker with {concurrency} process(es) ready on queue {queue}")
    return process, queue, broker


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _redis_url(db: int) -> str:
    base = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    head, _, tail = base.rpartition("/")
    return f"{head}/{db}" if tail.isdigit() else f"{base.rstrip('/')}/{db}"


def _tree_rss_mb(process: subprocess.Popen) -> float:
    """RSS of the worker and its pool children right now."""
    try:
        parent = psutil.Process(process.pid)
        return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 2**20
    except psutil.Error:
        return 0.0


def bench_run_through_workers(concurrency: int, redis_db: int, say: Callable[[str], None]) -> dict:
    """One full run through a fresh worker with `concurrency` processes; timed enqueue -> succeeded."""
    from celery import current_app as app

    from matching.services.runs import match_run_start

    process, queue, broker = _start_worker(concurrency, redis_db, say)
    peak_worker_rss = 0.0
    try:
        run = match_run_start(enqueue=False)
        t = time.perf_counter()
        with app.connection_for_write(broker) as conn:
            app.send_task("matching.tasks.run_full_match_task", kwargs={"run_id": run.pk}, queue=queue, connection=conn)
        while run.status not in (MatchRun.Status.SUCCEEDED, MatchRun.Status.FAILED):
            time.sleep(0.25)
            run.refresh_from_db()
            peak_worker_rss = max(peak_worker_rss, _tree_rss_mb(process))
            if process.poll() is not None:
                raise RuntimeError("worker died during the run")
        seconds = time.perf_counter() - t
    finally:
        _stop(process)
    if run.status == MatchRun.Status.FAILED:
        raise RuntimeError(f"run #{run.pk} failed: {run.error}")
    chunk_seconds = list(run.chunks.values_list("seconds", flat=True))
    say(
        f"{concurrency} worker process(es): run #{run.pk} {run.pairs_scored:,} pairs in {seconds:.1f} s "
        f"({run.chunks_total} chunks, mean {np.mean(chunk_seconds):.1f} s each; finalise {run.finalise_seconds:.1f} s)"
    )
    return {
        "workers": concurrency,
        "run_id": run.pk,
        "seconds": round(seconds, 2),
        "pairs": run.pairs_scored,
        "pairs_per_second": round(run.pairs_scored / seconds) if seconds else None,
        "chunks": run.chunks_total,
        "chunk_seconds_mean": round(float(np.mean(chunk_seconds)), 2) if chunk_seconds else None,
        "finalise_seconds": round(run.finalise_seconds or 0, 2),
        "proposals_created": run.proposals_created,
        "proposals_updated": run.proposals_updated,
        "proposals_superseded": run.proposals_superseded,
        "peak_worker_rss_mb": round(peak_worker_rss, 1),
    }


def run_db(
    n_ua: int,
    n_partners: int,
    seed: int = 1,
    workers: tuple[int, ...] = (1, 2),
    redis_db: int = 3,
    chunk_size: int | None = None,
    keep_population: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """The `--db` benchmark body; returns the JSON-able result (one entry per worker count)."""
    from matching.services.rematch import rematch_firm

    say = progress or (lambda msg: None)
    if connection.vendor != "postgresql":
        raise RuntimeError("bench_match --db needs PostgreSQL: set DATABASE_URL=postgres://...")
    if chunk_size:
        settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": chunk_size}
    if keep_population and _bench_population_size() == (n_ua, n_partners):
        insert_s = 0.0
        say(f"reusing the {n_ua:,} + {n_partners:,} bench firms already in the database")
    else:
        insert_s = bench_population_write(n_ua, n_partners, seed, say)
    runs = [bench_run_through_workers(n, redis_db, say) for n in workers]

    # Single-firm rematch, in this process, whole path: load features, prepare, score, write.
    ua_firm = Firm.objects.filter(ref=f"{PREFIX}ua-{n_ua // 2}").values_list("id", flat=True).get()
    # The first call in a fresh process pays imports and connection set-up; a worker has paid them already.
    t = time.perf_counter()
    rematch_firm(firm_id=ua_firm)
    rematch_cold_s = time.perf_counter() - t
    # Warm: the process keeps its prepared model (matching/services/prepared.py); the firm's own
    # row is loaded and prepared alone. Then the same after the firm edits its description, and
    # for a partner firm (the Ukrainian side's preparation is reused).
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        rematch = rematch_firm(firm_id=ua_firm)
        timings.append(time.perf_counter() - t)
    rematch_s = sorted(timings)[len(timings) // 2]
    firm = Firm.objects.get(pk=ua_firm)
    firm.description += " Field repair of PzH 2000 howitzers."
    firm.save()
    t = time.perf_counter()
    rematch_firm(firm_id=ua_firm)
    rematch_edited_s = time.perf_counter() - t
    partner_firm = Firm.objects.filter(ref=f"{PREFIX}pa-{n_partners // 2}").values_list("id", flat=True).first()
    rematch_partner_s = rematch_partner_rebuild_s = None
    if partner_firm is not None:
        # The Ukrainian edit above changed the other side of a partner's rematch: the first one
        # splices the edited firm into the kept model (matching.services.prepared), the next reuse it.
        t = time.perf_counter()
        rematch_firm(firm_id=partner_firm)
        rematch_partner_rebuild_s = round(time.perf_counter() - t, 3)
        t = time.perf_counter()
        rematch_firm(firm_id=partner_firm)
        rematch_partner_s = round(time.perf_counter() - t, 3)
    say(
        f"single-firm rematch (DB path: stamp, load the firm, prepare it, score, write) {rematch_s * 1000:.0f} ms "
        f"warm (median of 5), {rematch_edited_s * 1000:.0f} ms after the firm's own edit; partner firm "
        f"{rematch_partner_s} s warm, {rematch_partner_rebuild_s} s when the other side changed (spliced); "
        f"{rematch_cold_s:.2f} s cold (whole registry prepared): {rematch.proposals_updated} updated"
    )
    best = min(runs, key=lambda r: r["seconds"])
    return {
        "mode": "db",
        "ukrainian": n_ua,
        "partners": n_partners,
        "seed": seed,
        "pairs": n_ua * n_partners,
        "seconds": best["seconds"],
        "pairs_per_second": best["pairs_per_second"],
        "insert_seconds": round(insert_s, 2),
        "runs": runs,
        "rematch_seconds": round(rematch_s, 3),
        "rematch_cold_seconds": round(rematch_cold_s, 3),
        "rematch_after_edit_seconds": round(rematch_edited_s, 3),
        "rematch_partner_seconds": rematch_partner_s,
        "rematch_partner_after_other_side_edit_seconds": rematch_partner_rebuild_s,
        "peak_rss_mb": round(max(peak_rss_mb(), *(r["peak_worker_rss_mb"] for r in runs)), 1),
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
