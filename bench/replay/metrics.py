"""Ranking figures for known true pairs in a full (Ukrainian x partners) score matrix.

A pair (u, p) is ranked from both sides: where p falls in row u (the Ukrainian firm's list of
partners) and where u falls in column p (the partner's list of Ukrainian firms). Its best rank
is the smaller of the two: a pair counts as found if either firm would see the other near the
top. Ties take the mid-rank (the mean of the ranks they span), so a score shared by hundreds of
firms, as Jaccard's 0 is, gives no firm an edge from its row order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.scoring import SideFeatures


def mid_rank(values: np.ndarray, own: float) -> float:
    """1-based rank of a score `own` (present in `values`) among `values`, best first, ties at mid-rank."""
    greater = int(np.count_nonzero(values > own))
    equal = int(np.count_nonzero(values == own))
    return 1 + greater + (equal - 1) / 2


def pair_ranks(scores: np.ndarray, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """(n_pairs, 2): [rank of p in row u, rank of u in column p] for each (u, p)."""
    return np.array(
        [[mid_rank(scores[u], scores[u, p]), mid_rank(scores[:, p], scores[u, p])] for u, p in pairs], dtype=float
    ).reshape(-1, 2)


def rank_metrics(scores: np.ndarray, pairs: Sequence[tuple[int, int]], ks: Sequence[int] = (5, 10)) -> dict:
    """Share of pairs in a top k of either side, median best rank, MRR of the best rank."""
    ranks = pair_ranks(scores, pairs)
    best = ranks.min(axis=1)
    out: dict = {"pairs": len(pairs)}
    for k in ks:
        out[f"top{k}"] = round(float((best <= k).mean()), 4) if len(best) else None
    out["median_best_rank"] = float(np.median(best)) if len(best) else None
    out["mrr"] = round(float((1 / best).mean()), 4) if len(best) else None
    return out


def tfidf_baseline(ua: SideFeatures, partners: SideFeatures) -> np.ndarray:
    """Cosine of plain TF-IDF vectors (sklearn defaults), one fit over every firm's text on both sides."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer().fit_transform(list(ua.texts) + list(partners.texts))
    n = len(ua)
    return np.asarray((x[:n] @ x[n:].T).todense(), dtype=np.float32)
