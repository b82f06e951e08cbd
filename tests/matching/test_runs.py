"""Full match runs end to end (eager tasks): chunks, finalisation, re-run semantics, eligibility."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ApplicationError
from matching.models import MatchChunk, MatchRun, Proposal, ProposalEvent
from matching.scoring import COMPONENTS
from matching.services.runs import match_chunk_process, match_run_execute, match_run_start
from registry.models import Firm, FirmCapability
from tests.factories import ProposalFactory
from tests.matching.population import PAIRS, make_population


@pytest.fixture
def population(db, settings):
    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 2, "MIN_SCORE": 0.2}
    return make_population()


def run_full(django_capture_on_commit_callbacks, user=None) -> MatchRun:
    """Start a run and let the after-commit outbox sends execute the eager task cascade."""
    with django_capture_on_commit_callbacks(execute=True):
        run = match_run_start(user=user)
    run.refresh_from_db()
    return run


def pair(firms, ua_ref, partner_ref) -> Proposal:
    return Proposal.objects.get(ukrainian=firms[ua_ref], partner=firms[partner_ref])


def test_full_run_proposes_each_obvious_pair_first_with_reasons(population, django_capture_on_commit_callbacks):
    run = run_full(django_capture_on_commit_callbacks)

    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert (run.chunks_total, run.chunks_done) == (2, 2)  # 3 Ukrainian firms in chunks of 2
    assert run.pairs_scored == 3 * 4
    assert run.proposals_created == Proposal.objects.count() > 0
    assert run.parameters["top_k"] == 5 and run.parameters["chunk_size"] == 2 and "weights" in run.parameters
    assert run.started_at and run.finished_at and run.finalise_seconds is not None
    for ua_ref, partner_ref in PAIRS:
        p = pair(population, ua_ref, partner_ref)
        assert p.status == Proposal.Status.PROPOSED and p.run_id == run.pk
        assert p.rank_for_ukrainian == 1 and p.rank_for_partner == 1
        assert set(p.components) == set(COMPONENTS)
        assert p.reasons["en"] and p.reasons["uk"]
    assert not Proposal.objects.filter(partner=population["no-decoy"], score__gte=pair(population, *PAIRS[0]).score)
    # The candidates were only needed to finalise.
    assert not MatchChunk.objects.filter(run=run, candidates__isnull=False).exists()


def test_rerun_updates_proposed_pairs_supersedes_dropped_ones_and_leaves_reviewed_ones_alone(
    population, django_capture_on_commit_callbacks
):
    first = run_full(django_capture_on_commit_callbacks)
    approved = pair(population, "ua-arsenal", "pl-energetics")
    Proposal.objects.filter(pk=approved.pk).update(status=Proposal.Status.APPROVED)
    ProposalEvent.objects.create(proposal=approved, actor_role="reviewer", from_status="proposed", to_status="approved")
    # Dnipro Repair stops seeking armour and offering tank repair: its pair with Bohemia Armour drops out.
    FirmCapability.objects.filter(firm=population["ua-dnipro-repair"]).delete()
    Firm.objects.filter(pk=population["ua-dnipro-repair"].pk).update(
        description="Software consultancy for payroll systems.", partnership_types=["investment"], certifications=[]
    )
    dropped = pair(population, "ua-dnipro-repair", "cz-armour")

    second = run_full(django_capture_on_commit_callbacks)

    assert second.status == MatchRun.Status.SUCCEEDED, second.error
    kept = pair(population, "ua-skyforge", "de-optronik")
    assert kept.status == Proposal.Status.PROPOSED and kept.run_id == second.pk
    approved.refresh_from_db()
    assert approved.status == Proposal.Status.APPROVED and approved.run_id == first.pk
    assert list(approved.events.values_list("to_status", flat=True)) == ["approved"]
    dropped.refresh_from_db()
    assert dropped.status == Proposal.Status.SUPERSEDED
    event = dropped.events.get()
    assert (event.actor, event.actor_role, event.from_status, event.to_status) == (
        None,
        "system",
        "proposed",
        "superseded",
    )
    assert second.proposals_updated >= 1 and second.proposals_superseded >= 1
    # Still exactly one row per pair.
    assert Proposal.objects.values("ukrainian", "partner").distinct().count() == Proposal.objects.count()


def test_a_superseded_pair_that_fits_again_is_proposed_again_with_an_event(
    population, django_capture_on_commit_callbacks
):
    run_full(django_capture_on_commit_callbacks)
    p = pair(population, "ua-skyforge", "de-optronik")
    Proposal.objects.filter(pk=p.pk).update(status=Proposal.Status.SUPERSEDED)

    run_full(django_capture_on_commit_callbacks)

    p.refresh_from_db()
    assert p.status == Proposal.Status.PROPOSED
    assert p.events.get().to_status == "proposed"


@pytest.mark.parametrize(
    ("status", "days_ago", "proposed_again"),
    [
        ("rejected", 10, False),
        ("declined", 179, False),
        ("expired", 30, False),
        ("rejected", 181, True),
        ("declined", 400, True),
        ("approved", 400, False),
        ("connected", 400, False),
        ("partnership", 400, False),
        ("closed", 400, False),
    ],
)
def test_pairs_turned_down_recently_or_further_along_are_not_proposed_again(
    population, django_capture_on_commit_callbacks, status, days_ago, proposed_again
):
    p = ProposalFactory(ukrainian=population["ua-skyforge"], partner=population["de-optronik"], status=status)
    Proposal.objects.filter(pk=p.pk).update(status_changed_at=timezone.now() - timedelta(days=days_ago), score=0.5)

    run = run_full(django_capture_on_commit_callbacks)

    p.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED
    if proposed_again:
        assert p.status == Proposal.Status.PROPOSED and p.run_id == run.pk
    else:
        assert p.status == status and p.score == 0.5 and p.run_id is None
        assert not p.events.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"status": Firm.Status.SUSPENDED},
        {"status": Firm.Status.PENDING},
        {"screening_status": Firm.ScreeningStatus.POTENTIAL_MATCH},
        {"screening_status": Firm.ScreeningStatus.CONFIRMED_MATCH},
    ],
)
def test_firms_not_eligible_get_no_proposals(population, django_capture_on_commit_callbacks, change):
    Firm.objects.filter(pk=population["de-optronik"].pk).update(**change)
    run_full(django_capture_on_commit_callbacks)
    assert not Proposal.objects.filter(partner=population["de-optronik"]).exists()
    assert Proposal.objects.filter(partner=population["pl-energetics"]).exists()


def test_a_firm_with_a_russian_owner_gets_no_proposals(population, django_capture_on_commit_callbacks):
    population["de-optronik"].beneficial_owners.create(name="Ivan Petrov", country="RU", share_percent=25)
    run_full(django_capture_on_commit_callbacks)
    assert not Proposal.objects.filter(partner=population["de-optronik"]).exists()


def test_a_second_full_run_is_refused_while_one_is_active(population, rita):
    active = match_run_start(user=rita)
    with pytest.raises(ApplicationError) as err:
        match_run_start(user=rita)
    assert err.value.code == "run_in_progress" and err.value.status == 409
    assert f"#{active.pk}" in err.value.message
    # The database backs the rule even when the service check is bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchRun.objects.create(kind=MatchRun.Kind.FULL, status=MatchRun.Status.RUNNING)
    # Finished runs do not count.
    MatchRun.objects.filter(pk=active.pk).update(status=MatchRun.Status.FAILED)
    assert match_run_start(user=rita).created_by == rita


def test_a_repeated_chunk_does_nothing_the_second_time(population, django_capture_on_commit_callbacks):
    run = match_run_start(enqueue=False)
    from matching.services.runs import match_run_plan

    match_run_plan(run_id=run.pk, enqueue=False)
    assert match_chunk_process(run_id=run.pk, index=0, enqueue=False) is True
    assert match_chunk_process(run_id=run.pk, index=0, enqueue=False) is False
    run.refresh_from_db()
    assert run.chunks_done == 1 and run.pairs_scored == 2 * 4
    assert MatchChunk.objects.get(run=run, index=0).attempts == 1


def test_a_repeated_plan_or_finalise_message_does_nothing(population, django_capture_on_commit_callbacks):
    from matching.services.runs import match_run_finalise, match_run_plan

    run = run_full(django_capture_on_commit_callbacks)
    assert match_run_plan(run_id=run.pk) is None
    assert match_run_finalise(run_id=run.pk) is None
    assert MatchChunk.objects.filter(run=run).count() == 2


def test_in_process_execution_runs_every_step_and_reports_progress(population):
    run = match_run_start(enqueue=False)
    ticks = []
    run = match_run_execute(run_id=run.pk, progress=lambda done, total: ticks.append((done, total)))
    assert run.status == MatchRun.Status.SUCCEEDED and ticks == [(1, 2), (2, 2)]
    assert Proposal.objects.filter(run=run).count() == run.proposals_created


def test_an_empty_registry_gives_a_succeeded_run_with_nothing_proposed(db, django_capture_on_commit_callbacks):
    run = run_full(django_capture_on_commit_callbacks)
    assert run.status == MatchRun.Status.SUCCEEDED and run.chunks_total == 0 and run.proposals_created == 0


def test_a_failing_run_is_marked_failed_with_the_error(population, monkeypatch):
    import matching.services.runs as runs

    def broken(*args, **kwargs):
        raise ValueError("taxonomy mismatch")

    monkeypatch.setattr(runs, "Model", broken)
    run = match_run_start(enqueue=False)
    with pytest.raises(ValueError):
        match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED and "taxonomy mismatch" in run.error and run.finished_at
