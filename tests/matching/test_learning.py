"""Learned weight sets (matching/services/learning.py): fit from decisions, activate, roll back."""

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from core.errors import ApplicationError, ConflictError
from matching.models import Proposal, WeightSet
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS
from matching.services.learning import weight_set_activate, weight_set_propose, weight_set_roll_back
from matching.services.runs import match_params, run_parameters
from tests.factories import FirmFactory

S = Proposal.Status


def make_decisions(n_ua=12, n_partners=25, seed=5) -> None:
    """n_ua x n_partners decided proposals over 60 days; the text component decides what goes ahead."""
    rng = np.random.default_rng(seed)
    ua = [FirmFactory() for _ in range(n_ua)]
    partners = [FirmFactory(partner=True) for _ in range(n_partners)]
    start = timezone.now() - dt.timedelta(days=60)
    rows = []
    for u in ua:
        for p in partners:
            comps = {c: round(float(rng.uniform()), 3) for c in COMPONENTS}
            ahead = rng.uniform() < 1 / (1 + np.exp(-6 * (comps["text"] - 0.5)))
            rows.append(
                Proposal(
                    ukrainian=u,
                    partner=p,
                    score=0.5,
                    components=comps,
                    reasons={"en": [], "uk": []},
                    status=S.CONNECTED if ahead else rng.choice([S.REJECTED, S.DECLINED, S.EXPIRED]),
                    status_changed_at=start + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 60))),
                )
            )
    Proposal.objects.bulk_create(rows)


@pytest.mark.django_db
def test_with_no_decisions_nothing_is_fitted(rita):
    with pytest.raises(ApplicationError) as err:
        weight_set_propose(user=rita)
    assert err.value.code == "insufficient_data"
    assert not WeightSet.objects.exists()


@pytest.mark.django_db
def test_too_few_decisions_say_how_many_are_needed(rita):
    make_decisions(n_ua=3, n_partners=10)
    with pytest.raises(ApplicationError, match="at least 100") as err:
        weight_set_propose(user=rita)
    assert err.value.code == "insufficient_data"


@pytest.mark.django_db
def test_a_fitted_set_is_a_candidate_that_changes_nothing_until_activated(rita):
    make_decisions()
    weight_set = weight_set_propose(user=rita)
    assert weight_set.status == WeightSet.Status.CANDIDATE and weight_set.version == 1
    assert weight_set.previous_weights == DEFAULT_WEIGHTS
    assert weight_set.weights["text"] > DEFAULT_WEIGHTS["text"]
    ev = weight_set.evaluation
    assert ev["train_decisions"] + ev["decisions"] == 300
    assert ev["after"]["ndcg"] >= ev["before"]["ndcg"]
    assert {"acceptance_lift", "share_of_fit", "fitted", "firms"} <= set(ev)
    assert match_params().weights == DEFAULT_WEIGHTS  # never switched on silently


@pytest.mark.django_db
def test_activation_feeds_every_later_run_and_roll_back_is_one_step(rita):
    make_decisions()
    first = weight_set_propose(user=rita)
    weight_set_activate(weight_set=first, reviewer=rita)
    assert match_params().weights == first.weights
    assert run_parameters()["weights"] == first.weights
    second = weight_set_propose(user=rita)
    assert second.version == 2 and second.previous_weights == first.weights
    weight_set_activate(weight_set=second, reviewer=rita)
    assert WeightSet.objects.get(pk=first.pk).status == WeightSet.Status.RETIRED
    with pytest.raises(ConflictError):
        weight_set_activate(weight_set=second, reviewer=rita)

    restored = weight_set_roll_back(reviewer=rita)
    assert restored.pk == first.pk
    assert match_params().weights == first.weights
    assert weight_set_roll_back(reviewer=rita) is None  # back to the hand-set weights
    assert match_params().weights == DEFAULT_WEIGHTS
    with pytest.raises(ConflictError):
        weight_set_roll_back(reviewer=rita)
    assert WeightSet.objects.filter(status=WeightSet.Status.ACTIVE).count() == 0
