"""Capacities and full-list ranks through a full run (the database around the scoring core)."""

import numpy as np
import pytest

from matching.features import features_load
from matching.models import Proposal
from matching.services.runs import match_run_start, params_of
from matching.services.selection import firm_capacities
from tests.factories import ProposalFactory
from tests.matching.population import make_population


@pytest.fixture
def population(db, settings):
    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 2, "MIN_SCORE": 0.05}
    return make_population()


def test_capacity_is_the_size_band_minus_approved_and_connected_proposals(population):
    hub = population["ua-skyforge"]
    hub.employees = 40  # small: 3 slots
    hub.save()
    ProposalFactory(ukrainian=hub, partner=population["no-decoy"], status="approved")
    ProposalFactory(ukrainian=hub, partner=population["cz-armour"], status="connected")
    ProposalFactory(ukrainian=hub, partner=population["pl-energetics"], status="proposed")  # re-selected each run
    features = features_load()
    params = params_of(match_run_start(enqueue=False))
    cap_ua, cap_p = firm_capacities(features=features, params=params)
    caps = dict(zip(features.ua.firm_ids.tolist(), cap_ua.tolist(), strict=True))
    assert caps[hub.pk] == 3 - 2
    assert caps[population["ua-arsenal"].pk] == 5  # size unknown
    # In a rematch of another firm, the hub's proposed pair with a third firm is not re-selected: used too.
    cap_ua, _ = firm_capacities(features=features, params=params, firm_id=population["ua-arsenal"].pk)
    assert dict(zip(features.ua.firm_ids.tolist(), cap_ua.tolist(), strict=True))[hub.pk] == 0


def test_a_full_run_writes_full_list_ranks_within_each_firms_capacity(population, django_capture_on_commit_callbacks):
    hub = population["ua-skyforge"]
    hub.employees = 10  # 3 slots
    hub.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = match_run_start()
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    mine = Proposal.objects.filter(ukrainian=hub, status="proposed").order_by("-score")
    assert 0 < mine.count() <= 3
    best = mine.first()
    assert best.partner == population["de-optronik"] and best.rank_for_ukrainian == 1 and best.rank_for_partner == 1
    # Ranks count every scored counterpart, so they need not run 1..n within the proposals.
    for p in Proposal.objects.filter(status="proposed"):
        assert p.rank_for_ukrainian >= 1 and (p.rank_for_partner is None or p.rank_for_partner >= 1)


def test_a_firm_that_takes_one_introduction_at_once_gets_at_most_one_in_a_full_run(
    population, django_capture_on_commit_callbacks
):
    hub = population["ua-skyforge"]
    hub.employees = 5000  # 20 slots by size, but it asked for one
    hub.intro_capacity = 1
    hub.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = match_run_start()
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert Proposal.objects.filter(ukrainian=hub, status="proposed").count() == 1


def test_the_ministry_override_wins_over_the_firms_own_capacity(population):
    hub = population["ua-skyforge"]
    hub.employees = 10
    hub.intro_capacity = 1
    hub.intro_capacity_override = 4
    hub.save()
    features = features_load()
    params = params_of(match_run_start(enqueue=False))
    cap_ua, _ = firm_capacities(features=features, params=params)
    assert dict(zip(features.ua.firm_ids.tolist(), cap_ua.tolist(), strict=True))[hub.pk] == 4


def test_a_ministry_override_above_the_size_ceiling_is_honoured():
    from matching.scoring import MatchParams
    from matching.scoring.capacity import firm_capacity

    params = MatchParams(max_open_per_firm=20)
    employees = np.array([5000.0, 5000.0, 10.0])
    override = np.array([40.0, np.nan, 2.0])
    # The size band stops at the ceiling; a deliberate setting (firm's own or the ministry's) does not.
    assert firm_capacity(employees, params, override=override).tolist() == [40, 20, 2]
    assert firm_capacity(employees, params, override=override, used=np.array([45, 3, 0])).tolist() == [0, 17, 2]
