"""Learning the component weights from decisions, and judging a weight set offline.

Plain numpy and scikit-learn, like the rest of the scoring core. A decision is a proposal with
its stored components (one value per COMPONENTS entry) and a label: 1 where the pair went
ahead (connected, partnership), 0 where a reviewer or a firm turned it down or it expired.

`weights_fit` fits an L2-regularised logistic regression on the components, keeps the
non-negative part of its coefficients as a weight profile, and shrinks that towards the
hand-set weights: share of the fit = n / (n + prior_strength). With too few decisions of
either kind it refuses (InsufficientData), so the weights never move on a handful of cases.

`ranking_report` is the offline check on a time split: for every firm with at least one
positive and one negative decision after T, rank its decided proposals by each weight set's
score and report NDCG@k and the acceptance rate of each set's top k (and the lift).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import COMPONENTS

# Components whose weight drops out of a pair's total where they do not apply (model.py): capacity
# needs quantities on both sides, platforms a declaration on either. A stored 0 is read as "did
# not apply" for these two, which is what it almost always means.
OPTIONAL = ("capacity", "platforms")


class InsufficientData(ValueError):
    """Too few decisions to learn from: the hand-set weights stay."""

    def __init__(self, samples: int, positives: int, min_samples: int, min_per_class: int) -> None:
        self.samples, self.positives = samples, positives
        self.min_samples, self.min_per_class = min_samples, min_per_class
        super().__init__(
            f"{samples} decisions ({positives} went ahead, {samples - positives} did not): at least "
            f"{min_samples} are needed, with {min_per_class} of each kind"
        )


def weighted_scores(components: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """(n,) totals of stored components (n, C) under `weights`, as the engine combines them."""
    comps = np.asarray(components, dtype=np.float64).reshape(-1, len(COMPONENTS))
    w = np.array([weights[c] for c in COMPONENTS], dtype=np.float64)
    applies = np.ones_like(comps, dtype=bool)
    for name in OPTIONAL:
        j = COMPONENTS.index(name)
        applies[:, j] = comps[:, j] > 0
    denominator = (applies * w).sum(axis=1)
    return np.divide((comps * w).sum(axis=1), denominator, out=np.zeros(len(comps)), where=denominator > 0)


@dataclass(frozen=True)
class Fit:
    weights: dict[str, float]  # the proposed weights (sum 1)
    fitted: dict[str, float]  # the regression's own profile before shrinking (sum 1)
    share_of_fit: float  # n / (n + prior_strength)
    samples: int
    positives: int


def weights_fit(
    components: np.ndarray,
    labels: np.ndarray,
    prior: dict[str, float],
    *,
    min_samples: int = 100,
    min_per_class: int = 20,
    prior_strength: float = 500.0,
    regularisation: float = 1.0,
) -> Fit:
    """Weights learned from decisions (see the module docstring); raises InsufficientData."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(components, dtype=np.float64).reshape(-1, len(COMPONENTS))
    y = np.asarray(labels, dtype=np.int64).ravel()
    positives = int(y.sum())
    if len(y) < min_samples or positives < min_per_class or len(y) - positives < min_per_class:
        raise InsufficientData(len(y), positives, min_samples, min_per_class)
    model = LogisticRegression(C=regularisation, max_iter=1000)
    model.fit(x, y)
    coef = np.maximum(model.coef_.ravel(), 0.0)
    prior_vec = np.array([prior[c] for c in COMPONENTS], dtype=np.float64)
    prior_vec = prior_vec / prior_vec.sum()
    fitted = coef / coef.sum() if coef.sum() > 0 else prior_vec
    share = len(y) / (len(y) + prior_strength)
    blended = (1 - share) * prior_vec + share * fitted
    return Fit(
        weights={c: round(float(v), 4) for c, v in zip(COMPONENTS, blended, strict=True)},
        fitted={c: round(float(v), 4) for c, v in zip(COMPONENTS, fitted, strict=True)},
        share_of_fit=round(share, 4),
        samples=len(y),
        positives=positives,
    )


def ndcg_at_k(scores: np.ndarray, labels: np.ndarray, groups: np.ndarray, k: int = 5) -> float:
    """Mean NDCG@k over groups with at least one positive and one negative (binary relevance)."""
    values = []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        rel = labels[idx]
        if rel.all() or not rel.any():
            continue
        order = idx[np.argsort(-scores[idx], kind="stable")][:k]
        gains = labels[order] / np.log2(np.arange(2, len(order) + 2))
        ideal = np.sort(rel)[::-1][:k] / np.log2(np.arange(2, min(k, len(rel)) + 2))
        values.append(gains.sum() / ideal.sum())
    return float(np.mean(values)) if values else float("nan")


def top_k_acceptance(scores: np.ndarray, labels: np.ndarray, groups: np.ndarray, k: int = 5) -> float:
    """Share of positives among each group's top k, pooled (groups as in ndcg_at_k)."""
    hits = total = 0
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        rel = labels[idx]
        if rel.all() or not rel.any():
            continue
        order = idx[np.argsort(-scores[idx], kind="stable")][:k]
        hits += int(labels[order].sum())
        total += len(order)
    return hits / total if total else float("nan")


def ranking_report(
    components: np.ndarray, labels: np.ndarray, groups: np.ndarray, before: dict, after: dict, k: int = 5
) -> dict:
    """NDCG@k and top-k acceptance under the current (`before`) and the proposed (`after`) weights."""
    labels = np.asarray(labels, dtype=np.int64)
    groups = np.asarray(groups)
    out: dict = {"k": k, "decisions": len(labels), "positives": int(labels.sum())}
    for name, weights in (("before", before), ("after", after)):
        s = weighted_scores(components, weights)
        out[name] = {
            "ndcg": round(ndcg_at_k(s, labels, groups, k), 4),
            "acceptance": round(top_k_acceptance(s, labels, groups, k), 4),
        }
    a, b = out["after"]["acceptance"], out["before"]["acceptance"]
    out["acceptance_lift"] = round(a / b - 1, 4) if b and b == b and a == a else None
    out["firms"] = int(sum(1 for g in np.unique(groups) if 0 < labels[groups == g].sum() < (groups == g).sum()))
    return out
