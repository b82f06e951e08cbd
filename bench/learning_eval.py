"""Offline check of learned weights (issue 13, part 5) on a time split of synthetic decisions.

There is no real decision history yet, so decisions are simulated on the planted population of
bench/evaluate.py: each Ukrainian firm's 20 best-scored partners become proposals; a planted true
partner goes ahead with probability P_TRUE, any other with P_OTHER; decision times are uniform.
The earlier 80% train `weights_fit`, the latest 20% judge it against the hand-set weights
(NDCG@5 and the acceptance rate of each firm's top 5, `ranking_report`). The same functions serve
the reviewers' page (matching/services/learning.py).

    python bench/learning_eval.py [--seed 1] [--ukrainian 400] [--partners 4000]

Prints a table and, last, one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.scoring import COMPONENTS, MatchParams, Model, Taxonomy  # noqa: E402
from matching.scoring.learn import ranking_report, weights_fit  # noqa: E402
from matching.scoring.synthetic import generate_population  # noqa: E402

P_TRUE, P_OTHER, PER_FIRM = 0.7, 0.08, 20


def simulate(seed: int, n_ua: int, n_partners: int):
    taxonomy = Taxonomy.from_csv()
    ua, partners, truth = generate_population(n_ua, n_partners, seed, taxonomy)
    model = Model(ua, partners, taxonomy, MatchParams())
    rng = np.random.default_rng(seed)
    comps, labels, groups = [], [], []
    for start in range(0, n_ua, 200):
        rows = np.arange(start, min(start + 200, n_ua))
        block = model.score_rows(rows)
        top = np.argsort(-block.total, axis=1)[:, :PER_FIRM]
        for i, u in enumerate(rows.tolist()):
            for p in top[i].tolist():
                true = (u, p) in truth.pairs
                comps.append(block.components[:, i, p])
                labels.append(int(rng.uniform() < (P_TRUE if true else P_OTHER)))
                groups.append(u)
    comps = np.asarray(comps, dtype=np.float64)
    times = rng.uniform(size=len(comps))
    return comps, np.asarray(labels), np.asarray(groups), times


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ukrainian", type=int, default=400)
    parser.add_argument("--partners", type=int, default=4000)
    args = parser.parse_args(argv)
    comps, labels, groups, times = simulate(args.seed, args.ukrainian, args.partners)
    cut = np.quantile(times, 0.8)
    train, test = times < cut, times >= cut
    current = MatchParams().weights
    fit = weights_fit(comps[train], labels[train], current)
    report = ranking_report(comps[test], labels[test], groups[test], current, fit.weights)
    print(
        f"decisions: {len(labels)} ({int(labels.sum())} went ahead); train {int(train.sum())}, test {int(test.sum())}"
    )
    print(f"{'component':<18}{'hand-set':>10}{'fitted':>10}{'learned':>10}")
    for c in COMPONENTS:
        print(f"{c:<18}{current[c]:>10.3f}{fit.fitted[c]:>10.3f}{fit.weights[c]:>10.3f}")
    print(
        f"NDCG@5 {report['before']['ndcg']:.4f} -> {report['after']['ndcg']:.4f}; top-5 acceptance "
        f"{report['before']['acceptance']:.4f} -> {report['after']['acceptance']:.4f} "
        f"(lift {report['acceptance_lift']:+.1%}); share of fit {fit.share_of_fit}"
    )
    result = {"seed": args.seed, "weights": fit.weights, "fitted": fit.fitted, **report}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
