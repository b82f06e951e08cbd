"""Match tasks (eager): the beat entry, failure handling, and the debounced single-firm rematch."""

import pytest

from alliance.celery import app
from core.models import OutboxMessage
from matching.models import MatchRun, Proposal
from matching.services.rematch import rematch_firm
from matching.tasks import finalise_match_task, match_chunk_task, rematch_firm_task, run_full_match_task
from registry.models import FirmCapability
from tests.factories import ProposalFactory
from tests.matching.population import make_population


@pytest.fixture
def population(db, settings):
    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 2, "REMATCH_DEBOUNCE_SECONDS": 5}
    return make_population()


def test_the_nightly_full_run_is_in_the_beat_schedule():
    entry = app.conf.beat_schedule["nightly-full-match"]
    assert entry["task"] == run_full_match_task.name == "matching.tasks.run_full_match_task"


def test_run_tasks_ack_late_and_are_rejected_on_worker_loss():
    for task in (run_full_match_task, match_chunk_task, finalise_match_task, rematch_firm_task):
        assert task.acks_late and task.reject_on_worker_lost
        assert task.soft_time_limit < task.time_limit
        assert task.max_retries == 3


def test_the_beat_task_starts_a_run_and_skips_while_one_is_active(population, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_id = run_full_match_task.delay().get()
    assert MatchRun.objects.get(pk=run_id).status == MatchRun.Status.SUCCEEDED
    MatchRun.objects.create(kind=MatchRun.Kind.FULL, status=MatchRun.Status.RUNNING)
    assert run_full_match_task.delay().get() is None


def test_a_chunk_that_keeps_failing_fails_the_run_with_the_error(population, monkeypatch):
    import matching.services.runs as runs

    run = runs.match_run_start(enqueue=False)
    runs.match_run_plan(run_id=run.pk, enqueue=False)

    def broken(**kwargs):
        raise ValueError("features out of date")

    monkeypatch.setattr(runs, "features_load", broken)
    with pytest.raises(ValueError):
        match_chunk_task.apply(kwargs={"run_id": run.pk, "index": 0}, throw=True)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED
    assert "matching.tasks.match_chunk_task: ValueError: features out of date" in run.error


def test_a_burst_of_rematch_requests_gives_one_rescoring(population, django_capture_on_commit_callbacks):
    firm = population["ua-skyforge"]
    for _ in range(3):
        rematch_firm_task.apply(kwargs={"firm_id": firm.pk})
    run = MatchRun.objects.get(kind=MatchRun.Kind.FIRM)  # one queued run per firm, its requested_at bumped
    messages = list(OutboxMessage.objects.filter(task="matching.tasks.rematch_firm_task").order_by("id"))
    assert len(messages) == 3 and all(m.countdown == 5 for m in messages)
    assert messages[-1].kwargs["requested_at"] == run.requested_at.isoformat()

    # The delayed tasks arrive: only the one carrying the latest request does the work.
    results = [rematch_firm_task.apply(kwargs=m.kwargs).get() for m in messages]

    assert results == [False, False, True]
    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED and run.firm_id == firm.pk
    assert Proposal.objects.get(ukrainian=firm, partner=population["de-optronik"]).run_id == run.pk
    assert not Proposal.objects.exclude(ukrainian=firm).exclude(partner=firm).exists()  # only this firm's pairs
    # A repeat of the same message does nothing.
    assert rematch_firm_task.apply(kwargs=messages[-1].kwargs).get() is False


def test_rematch_works_with_in_process_eager_tasks(population, django_capture_on_commit_callbacks):
    firm = population["de-optronik"]
    with django_capture_on_commit_callbacks(execute=True):
        rematch_firm_task.delay(firm_id=firm.pk)
    run = MatchRun.objects.get(kind=MatchRun.Kind.FIRM)
    assert run.status == MatchRun.Status.SUCCEEDED
    assert Proposal.objects.get(ukrainian=population["ua-skyforge"], partner=firm).rank_for_partner == 1


def test_rematch_updates_only_the_firms_pairs_and_supersedes_its_dropped_ones(population, settings):
    settings.MATCHING = {**settings.MATCHING, "MIN_SCORE": 0.6}  # only the obvious pair clears it
    firm = population["ua-dnipro-repair"]
    other = ProposalFactory(ukrainian=population["ua-arsenal"], partner=population["pl-energetics"], score=0.3)
    stale = ProposalFactory(ukrainian=firm, partner=population["no-decoy"], score=0.3)
    approved = ProposalFactory(ukrainian=firm, partner=population["de-optronik"], score=0.3, status="approved")

    run = rematch_firm(firm_id=firm.pk)

    assert run.kind == MatchRun.Kind.FIRM and run.status == MatchRun.Status.SUCCEEDED
    fresh = Proposal.objects.get(ukrainian=firm, partner=population["cz-armour"])
    assert fresh.run_id == run.pk and fresh.rank_for_ukrainian == 1
    for p in (other, stale, approved):
        p.refresh_from_db()
    assert other.score == 0.3 and other.run_id is None  # another firm's pair: untouched
    assert stale.status == Proposal.Status.SUPERSEDED and stale.events.get().actor_role == "system"
    assert approved.status == Proposal.Status.APPROVED and not approved.events.exists()
    assert run.proposals_superseded == 1


def test_rematch_of_a_firm_that_is_not_eligible_does_nothing(population):
    firm = population["ua-skyforge"]
    firm.status = "suspended"
    firm.save()
    assert rematch_firm_task.apply(kwargs={"firm_id": firm.pk}).get() is False
    assert rematch_firm(firm_id=firm.pk) is None
    assert not MatchRun.objects.exists()


def test_a_profile_change_is_picked_up_by_the_rematch(population):
    firm = population["ua-skyforge"]
    rematch_firm(firm_id=firm.pk)
    assert Proposal.objects.filter(ukrainian=firm, partner=population["de-optronik"], status="proposed").exists()
    # SkyForge now seeks armour instead of thermal optics and offers tank repair instead of drones.
    FirmCapability.objects.filter(firm=firm).delete()
    for code, kind in (("vehicles.armoured", "seek"), ("repair.tanks", "offer")):
        FirmCapability.objects.create(firm=firm, capability_id=_cap(code), kind=kind)
    firm.description = "Overhaul and field repair of armoured vehicles and tanks."
    firm.save()

    rematch_firm(firm_id=firm.pk)

    best = Proposal.objects.filter(ukrainian=firm, status="proposed").order_by("-score").first()
    assert best.partner == population["cz-armour"] and best.rank_for_ukrainian == 1


def _cap(code: str) -> int:
    from registry.models import Capability

    return Capability.objects.get(code=code).pk
