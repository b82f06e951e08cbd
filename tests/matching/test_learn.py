"""Learning weights from decisions, and the offline judgement (matching/scoring/learn.py)."""

import numpy as np
import pytest

from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS
from matching.scoring.learn import (
    InsufficientData,
    ndcg_at_k,
    ranking_report,
    top_k_acceptance,
    weighted_scores,
    weights_fit,
)

TEXT = COMPONENTS.index("text")
COMPLEMENTARITY = COMPONENTS.index("complementarity")


def decisions(n: int, seed: int = 3):
    """Decisions in which what went ahead depends on the text far more than the hand-set weights say."""
    rng = np.random.default_rng(seed)
    comps = rng.uniform(0, 1, size=(n, len(COMPONENTS)))
    logit = 6 * (comps[:, TEXT] - 0.5) + 0.5 * (comps[:, COMPLEMENTARITY] - 0.5)
    labels = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    groups = rng.integers(0, max(n // 100, 2), size=n)  # ~100 decisions per firm: top 5 is a real cut
    return comps, labels, groups


def test_too_few_decisions_leave_the_weights_alone():
    comps, labels, _ = decisions(60)
    with pytest.raises(InsufficientData, match="at least 100"):
        weights_fit(comps, labels, DEFAULT_WEIGHTS)
    with pytest.raises(InsufficientData, match="20 of each kind"):
        weights_fit(comps[:200].repeat(1, axis=0), np.zeros(60, int), DEFAULT_WEIGHTS, min_samples=10)


def test_the_fit_moves_weight_towards_what_decided_and_is_shrunk_towards_the_hand_set_weights():
    comps, labels, _ = decisions(2000)
    fit = weights_fit(comps, labels, DEFAULT_WEIGHTS)
    assert fit.fitted["text"] > 0.5  # the regression found the text
    assert fit.share_of_fit == pytest.approx(2000 / 2500)
    assert DEFAULT_WEIGHTS["text"] < fit.weights["text"] < fit.fitted["text"]
    assert sum(fit.weights.values()) == pytest.approx(1, abs=1e-3)
    assert all(w >= 0 for w in fit.weights.values())
    small = weights_fit(comps[:200], labels[:200], DEFAULT_WEIGHTS)
    assert small.share_of_fit < fit.share_of_fit  # less data, closer to the hand-set weights


def test_the_learned_weights_rank_later_decisions_better_than_the_hand_set_ones():
    comps, labels, groups = decisions(3000)
    fit = weights_fit(comps[:2400], labels[:2400], DEFAULT_WEIGHTS)
    report = ranking_report(comps[2400:], labels[2400:], groups[2400:], DEFAULT_WEIGHTS, fit.weights)
    assert report["after"]["ndcg"] > report["before"]["ndcg"]
    assert report["after"]["acceptance"] > report["before"]["acceptance"]
    assert report["acceptance_lift"] > 0
    assert report["firms"] > 0


def test_ndcg_and_acceptance_on_a_hand_checked_case():
    labels = np.array([1, 0, 0, 1, 0, 0])
    groups = np.array([1, 1, 1, 2, 2, 2])
    perfect = np.array([0.9, 0.1, 0.2, 0.8, 0.3, 0.1])
    worst = -perfect
    assert ndcg_at_k(perfect, labels, groups, k=5) == pytest.approx(1.0)
    assert ndcg_at_k(worst, labels, groups, k=5) == pytest.approx(0.5)  # positive third of three: 1/log2(4)
    assert top_k_acceptance(perfect, labels, groups, k=1) == pytest.approx(1.0)
    assert top_k_acceptance(worst, labels, groups, k=1) == 0.0


def test_capacity_and_platforms_drop_out_where_they_are_zero_as_in_the_engine():
    comps = np.zeros((1, len(COMPONENTS)))
    comps[0, COMPLEMENTARITY] = 1.0
    w = dict(DEFAULT_WEIGHTS)
    expected = w["complementarity"] / (sum(w.values()) - w["capacity"] - w["platforms"])
    assert weighted_scores(comps, w)[0] == pytest.approx(expected)
