"""Labelled evaluation of the matching engine on a generated population with planted pairs.

    python bench/evaluate.py [--ukrainian 400] [--partners 4000] [--seed 7]
    python bench/evaluate.py --population replay [--ukrainian 300] [--partners 2500] [--seed 1]
    python bench/evaluate.py --population replay --ablation [--seed 1]

`--population replay` ranks the 24 real partnerships of bench/replay among generated decoys
(there --ukrainian / --partners count the decoys); see `evaluate_replay`.

The population (matching.scoring.synthetic) plants 2-4 true partners for 40% of Ukrainian
firms, among realistic noise: chance fits between background firms, needs left untagged and
written only in the description, near-miss decoys (same domain, wrong capability), one-sided
decoys on unworkable terms, and competitors. For each Ukrainian firm with planted partners we
rank all partners and compare the top 5 with the truth:

- precision@5 = |top 5 & truth| / 5, recall@5 = |top 5 & truth| / |truth|, averaged over firms;
- for the engine (total score) and for a plain capability-Jaccard baseline: the mean of
  Jaccard(Ukrainian seeks, partner offers) and Jaccard(Ukrainian offers, partner seeks).

The ceiling is what a perfect ranker scores (truth sets hold 2-4 pairs, so precision@5 < 1).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.replay.metrics import pair_ranks, rank_metrics, tfidf_baseline  # noqa: E402
from bench.replay.population import DOMINANT_UA, build_population  # noqa: E402
from matching.scoring import MatchParams, Model, SideFeatures, Taxonomy  # noqa: E402
from matching.scoring.platforms import DEFAULT_CSV as PLATFORMS_CSV  # noqa: E402
from matching.scoring.platforms import PlatformCatalogue  # noqa: E402
from matching.scoring.synthetic import generate_population  # noqa: E402


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """(q, m) scores -> (q, k) column indices, best first, ties by lower index (deterministic)."""
    order = np.lexsort((np.broadcast_to(np.arange(scores.shape[1]), scores.shape), -scores), axis=1)
    return order[:, :k]


def jaccard_baseline(ua: SideFeatures, partners: SideFeatures, rows: np.ndarray) -> np.ndarray:
    """Mean of the two capability Jaccards, Ukrainian rows x all partners."""

    def jaccard(a, b) -> np.ndarray:
        a = (a[rows] > 0).astype(np.float32)
        b = (b > 0).astype(np.float32)
        inter = np.asarray((a @ b.T).todense(), dtype=np.float32)
        union = np.asarray(a.sum(axis=1)) + np.asarray(b.sum(axis=1)).T - inter
        return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)

    return 0.5 * (jaccard(ua.seeks, partners.offers) + jaccard(ua.offers, partners.seeks))


def engine_scores(model: Model, rows: np.ndarray) -> np.ndarray:
    size = model.params.chunk_size
    return np.vstack([model.score_rows(rows[s : s + size]).total for s in range(0, len(rows), size)])


def precision_recall(ranked: np.ndarray, rows: np.ndarray, truth: dict[int, list[int]], k: int) -> tuple[float, float]:
    hits = np.array([len(set(ranked[i, :k].tolist()) & set(truth[int(u)])) for i, u in enumerate(rows)])
    sizes = np.array([len(truth[int(u)]) for u in rows])
    return float((hits / k).mean()), float((hits / sizes).mean())


def composition(ranked: np.ndarray, rows: np.ndarray, truth, k: int) -> dict[str, int]:
    """What fills the top k: planted partners, each kind of decoy, or other firms."""
    counts = {"planted": 0, "near_miss": 0, "one_sided": 0, "competitor": 0, "other": 0}
    for i, u in enumerate(rows.tolist()):
        decoys = dict(truth.decoys.get(u, []))
        for p in ranked[i, :k].tolist():
            counts["planted" if p in truth.by_ua[u] else decoys.get(p, "other")] += 1
    return counts


def evaluate(
    n_ua: int = 400, n_partners: int = 4000, seed: int = 7, k: int = 5, params: MatchParams | None = None
) -> dict:
    taxonomy = Taxonomy.from_csv()
    ua, partners, truth = generate_population(n_ua, n_partners, seed, taxonomy)
    rows = np.array(sorted(truth.by_ua), dtype=np.int64)
    t = time.perf_counter()
    model = Model(ua, partners, taxonomy, params or MatchParams())
    engine = engine_scores(model, rows)
    seconds = time.perf_counter() - t
    baseline = jaccard_baseline(ua, partners, rows)
    ranked_e, ranked_b = top_k(engine, k), top_k(baseline, k)
    p_e, r_e = precision_recall(ranked_e, rows, truth.by_ua, k)
    p_b, r_b = precision_recall(ranked_b, rows, truth.by_ua, k)
    # Firms that left a need untagged (it is only in their description).
    hidden = np.array([int(u) in truth.untagged for u in rows])
    r_e_hidden = precision_recall(ranked_e[hidden], rows[hidden], truth.by_ua, k)[1] if hidden.any() else None
    r_b_hidden = precision_recall(ranked_b[hidden], rows[hidden], truth.by_ua, k)[1] if hidden.any() else None
    sizes = np.array([len(truth.by_ua[int(u)]) for u in rows])
    return {
        "ukrainian": n_ua,
        "partners": n_partners,
        "seed": seed,
        "k": k,
        "queries": len(rows),
        "planted_pairs": len(truth.pairs),
        "engine": {
            "precision_at_k": round(p_e, 4),
            "recall_at_k": round(r_e, 4),
            "recall_at_k_untagged_need": None if r_e_hidden is None else round(r_e_hidden, 4),
            "top_k": composition(ranked_e, rows, truth, k),
        },
        "baseline_jaccard": {
            "precision_at_k": round(p_b, 4),
            "recall_at_k": round(r_b, 4),
            "recall_at_k_untagged_need": None if r_b_hidden is None else round(r_b_hidden, 4),
            "top_k": composition(ranked_b, rows, truth, k),
        },
        "queries_with_untagged_need": int(hidden.sum()),
        "ceiling": {"precision_at_k": round(float((np.minimum(sizes, k) / k).mean()), 4), "recall_at_k": 1.0},
        "engine_seconds": round(seconds, 3),
    }


def format_table(result: dict) -> str:
    k = result["k"]
    lines = [
        f"{result['queries']} Ukrainian firms with {result['planted_pairs']} planted partners "
        f"({result['ukrainian']} x {result['partners']}, seed {result['seed']})",
        f"{'ranker':<20}{f'precision@{k}':>14}{f'recall@{k}':>12}",
    ]
    for name, key in (("engine", "engine"), ("capability Jaccard", "baseline_jaccard"), ("ceiling", "ceiling")):
        lines.append(f"{name:<20}{result[key]['precision_at_k']:>14.3f}{result[key]['recall_at_k']:>12.3f}")
    lines.append(f"recall@{k} for the {result['queries_with_untagged_need']} firms with a need written only in words:")
    for name, key in (("engine", "engine"), ("capability Jaccard", "baseline_jaccard")):
        value = result[key]["recall_at_k_untagged_need"]
        lines.append(f"  {name:<20}{'-' if value is None else f'{value:.3f}':>8}")
    lines.append(f"what fills the top {k} (planted / near miss / one-sided / competitor / other):")
    for name, key in (("engine", "engine"), ("capability Jaccard", "baseline_jaccard")):
        lines.append(f"  {name:<20}" + " / ".join(str(v) for v in result[key]["top_k"].values()))
    return "\n".join(lines)


REPLAY_RANKERS = (("engine", "engine"), ("capability Jaccard", "baseline_jaccard"), ("TF-IDF text", "baseline_tfidf"))


def evaluate_replay(
    seed: int = 1,
    n_ua_decoys: int = 300,
    n_partner_decoys: int = 2500,
    params: MatchParams | None = None,
    platforms: bool = True,
    replay_set: str = "main",
) -> dict:
    """Rank the real partnerships among decoys: the engine's full score matrix and two baselines.

    Every Ukrainian row is scored against every partner (the engine's `Model`, no selection or
    capacity caps: this measures ranking). Figures pooled over the 24 pairs and without the pairs
    of the firm that is the Ukrainian side of 13 of them. platforms=False: firms declare none.
    """
    taxonomy = Taxonomy.from_csv()
    population = build_population(seed, n_ua_decoys, n_partner_decoys, taxonomy, replay_set)
    catalogue = PlatformCatalogue.from_csv(PLATFORMS_CSV) if platforms and PLATFORMS_CSV.exists() else None
    ua, partners = population.side_features(taxonomy, catalogue)
    t = time.perf_counter()
    model = Model(ua, partners, taxonomy, params or MatchParams())
    engine = engine_scores(model, np.arange(len(ua)))
    seconds = time.perf_counter() - t
    matrices = {
        "engine": engine,
        "baseline_jaccard": jaccard_baseline(ua, partners, np.arange(len(ua))),
        "baseline_tfidf": tfidf_baseline(ua, partners),
    }
    pairs, rest = population.pair_rows(), population.pair_rows(exclude_ua=DOMINANT_UA)
    result: dict = {
        "population": "replay",
        "set": replay_set,
        "seed": seed,
        "ukrainian": len(ua),
        "partners": len(partners),
        "ukrainian_decoys": n_ua_decoys,
        "partner_decoys": n_partner_decoys,
        "pairs": len(pairs),
        "without": DOMINANT_UA,
    }
    for key, scores in matrices.items():
        result[key] = {"all": rank_metrics(scores, pairs), "without": rank_metrics(scores, rest)}
    result["per_pair"] = [
        {"id": p.id, "ukrainian": p.ua_ref, "partner": p.partner_ref, "signals": pair_signals(model, *rows)}
        | {key: pair_ranks(scores, [rows]).ravel().tolist() for key, scores in matrices.items()}
        for p, rows in zip(population.pairs, pairs, strict=True)
    ]
    result["pairs_without_signal"] = sum(1 for p in result["per_pair"] if not p["signals"])
    result["engine_seconds"] = round(seconds, 3)
    return result


# What counts as something the profiles share: a need met (or an adjacent offer), the same field for
# co-production, a platform link, or text similarity above what unrelated descriptions reach.
SIGNAL_COMPONENTS = ("complementarity", "coproduction", "platforms", "text")
TEXT_SIGNAL = 0.05


def pair_signals(model: Model, ua_row: int, partner_row: int) -> list[str]:
    """The components on which a pair's two profiles share anything (one pair: 24 calls per replay).

    A pair with none is invisible to any ranker that reads these profiles: its score is the one every
    unrelated firm gets (a ceiling on the replay's figures, whatever the weights)."""
    block = model.score_rows(np.array([ua_row]), np.array([partner_row]))
    found = []
    for name in SIGNAL_COMPONENTS:
        value = float(block.component(name)[0, 0])
        if value > (TEXT_SIGNAL if name == "text" else 0.0):
            found.append(name)
    return found


def format_replay_table(result: dict) -> str:
    n_rest = result["engine"]["without"]["pairs"]
    lines = [
        f"Replay: {result['pairs']} real partnerships among {result['ukrainian']} Ukrainian x "
        f"{result['partners']} partner firms ({result['ukrainian_decoys']} + {result['partner_decoys']} "
        f"decoys, seed {result['seed']}); a pair counts if either firm ranks the other",
        f"{'':<20}{'all ' + str(result['pairs']) + ' pairs':^34}|{f'without {DOMINANT_UA} ({n_rest} pairs)':^34}",
        f"{'ranker':<20}" + f"{'top5':>7}{'top10':>7}{'median':>9}{'MRR':>8}   |" * 2,
    ]
    for name, key in REPLAY_RANKERS:
        row = f"{name:<20}"
        for part in ("all", "without"):
            m = result[key][part]
            row += f"{m['top5']:>7.3f}{m['top10']:>7.3f}{m['median_best_rank']:>9.1f}{m['mrr']:>8.3f}   |"
        lines.append(row)
    lines.append(
        f"{result['pairs_without_signal']} of {result['pairs']} pairs share nothing the engine reads (no need met, "
        "field, platform or text): no weight setting can rank them above unrelated firms."
    )
    lines.append("rank of the partner in the Ukrainian firm's list / of the Ukrainian firm in the partner's list:")
    lines.append(
        f"  {'pair':<48}" + "".join(f"{name:>22}" for name, _ in REPLAY_RANKERS) + "   shared (engine components)"
    )
    for p in result["per_pair"]:
        cells = "".join(f"{f'{p[key][0]:g} / {p[key][1]:g}':>22}" for _, key in REPLAY_RANKERS)
        shared = ", ".join(p["signals"]) or "nothing"
        lines.append(f"  {p['id'] + ' ' + p['ukrainian'] + ' - ' + p['partner']:<48}{cells}   {shared}")
    return "\n".join(lines)


ABLATION = (
    (
        "baseline (no adjacency, implied needs, platforms, size)",
        {"adjacency": False, "implied_need_weight": 0.0, "size_fit_per_decade": 0.0},
        False,
    ),
    ("full engine", {}, True),
    ("full without capacity by size", {"size_fit_per_decade": 0.0}, True),
    ("full without adjacency", {"adjacency": False}, True),
    ("full without implied needs", {"implied_need_weight": 0.0}, True),
    ("full without platforms", {}, False),
)


def evaluate_ablation(
    seed: int = 1, n_ua_decoys: int = 300, n_partner_decoys: int = 2500, replay_set: str = "main"
) -> dict:
    """The replay under the full engine, the old baseline, and the full engine with each new signal off."""
    rows = []
    for name, overrides, platforms in ABLATION:
        r = evaluate_replay(
            seed, n_ua_decoys, n_partner_decoys, MatchParams(**overrides), platforms=platforms, replay_set=replay_set
        )
        rows.append({"config": name, "all": r["engine"]["all"], "without": r["engine"]["without"]})
    return {"population": "replay", "seed": seed, "ablation": rows}


def format_ablation_table(result: dict) -> str:
    lines = [
        f"Ablation on the replay (seed {result['seed']}): engine only",
        f"{'config':<52}{'all':^34}|{'without ' + DOMINANT_UA:^34}",
        f"{'':<52}" + f"{'top5':>7}{'top10':>7}{'median':>9}{'MRR':>8}   |" * 2,
    ]
    for r in result["ablation"]:
        row = f"{r['config']:<52}"
        for part in ("all", "without"):
            m = r[part]
            row += f"{m['top5']:>7.3f}{m['top10']:>7.3f}{m['median_best_rank']:>9.1f}{m['mrr']:>8.3f}   |"
        lines.append(row)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", choices=("planted", "replay"), default="planted")
    parser.add_argument("--ukrainian", type=int, help="firms (planted: 400) or decoys (replay: 300)")
    parser.add_argument("--partners", type=int, help="firms (planted: 4000) or decoys (replay: 2500)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-k", type=int, default=5, help="planted only; replay reports top 5 and top 10")
    parser.add_argument("--ablation", action="store_true", help="replay only: each new signal switched off")
    parser.add_argument(
        "--set",
        dest="replay_set",
        choices=("main", "holdout"),
        default="main",
        help="replay only: the 24 pairs of bench/replay, or the held-out pairs of bench/replay/holdout",
    )
    args = parser.parse_args(argv)
    if args.population == "replay" and args.ablation:
        result = evaluate_ablation(args.seed, args.ukrainian or 300, args.partners or 2500, args.replay_set)
        print(format_ablation_table(result))
    elif args.population == "replay":
        result = evaluate_replay(args.seed, args.ukrainian or 300, args.partners or 2500, replay_set=args.replay_set)
        print(format_replay_table(result))
    else:
        result = evaluate(args.ukrainian or 400, args.partners or 4000, args.seed, args.k)
        print(format_table(result))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
