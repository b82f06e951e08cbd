"""Imports queue matching for the verified firms they create or change, as a profile edit does.

Oksana, the registry clerk, imports the partners' file; the firms in it must reach matching
without anyone remembering to run `manage.py match` (issue #7: nothing lost). The work goes
through the PostgreSQL outbox like every other queued task, so a Redis outage delays it and
loses nothing (the outbox itself: tests/faults/test_redis_down.py).
"""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from core.models import OutboxMessage
from matching.models import MatchRun, Proposal
from registry.models import Firm
from registry.services import FULL_RUN_TASK, REMATCH_TASK, firms_import

SAMPLE = Path(__file__).parent / "data" / "sample-firms.json"


@pytest.fixture
def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _queued(task: str) -> list[dict]:
    return [m.kwargs for m in OutboxMessage.objects.filter(task=task).order_by("pk")]


def test_each_new_verified_firm_is_queued_for_a_rematch_after_commit(db, sample, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        result = firms_import(document=sample)
    ids = sorted(Firm.objects.values_list("pk", flat=True))
    assert sorted(kwargs["firm_id"] for kwargs in _queued(REMATCH_TASK)) == ids == sorted(result.rematched)
    assert _queued(FULL_RUN_TASK) == []
    assert not OutboxMessage.objects.filter(sent_at__isnull=False).exists(), "sent only once the import commits"
    assert result.summary() == "created 8, updated 0, unchanged 0; 8 verified firm(s) queued for rematching"


def test_pending_firms_and_an_unchanged_reimport_queue_nothing(db, sample):
    firms_import(document=sample, status=Firm.Status.PENDING)
    assert _queued(REMATCH_TASK) == []
    Firm.objects.update(status=Firm.Status.VERIFIED)
    result = firms_import(document=sample)
    assert result.unchanged == 8 and result.rematched == []
    assert _queued(REMATCH_TASK) == [] and _queued(FULL_RUN_TASK) == []


def test_only_the_changed_verified_firm_is_queued(db, sample):
    firms_import(document=sample, rematch=False)
    assert _queued(REMATCH_TASK) == []
    changed = copy.deepcopy(sample)
    changed["firms"][0]["seeks"] = [{"capability": "sensors.radar"}]
    changed["firms"][1]["employees"] = 950
    Firm.objects.filter(ref=changed["firms"][1]["ref"]).update(status=Firm.Status.SUSPENDED)

    result = firms_import(document=changed)
    skyforge = Firm.objects.get(ref="ua-skyforge")
    assert result.rematched == [skyforge.pk]  # the suspended firm changed too, but is not in matching
    assert _queued(REMATCH_TASK) == [{"firm_id": skyforge.pk}]


def test_more_firms_than_the_limit_queue_one_full_run_instead(db, sample, settings):
    settings.MATCHING = {**settings.MATCHING, "IMPORT_REMATCH_MAX_FIRMS": 7}
    result = firms_import(document=sample)
    assert result.full_run_requested and result.rematched == []
    assert [set(kwargs) for kwargs in _queued(FULL_RUN_TASK)] == [{"requested_at"}] and _queued(REMATCH_TASK) == []
    assert result.summary().endswith("; a full match run was queued")


def test_the_full_run_request_is_stamped_when_the_import_commits_not_when_it_began(
    db, sample, settings, django_capture_on_commit_callbacks
):
    """A run planned while a long import was still writing cannot see its firms: it must not count as covering it."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    settings.MATCHING = {**settings.MATCHING, "IMPORT_REMATCH_MAX_FIRMS": 2}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        firms_import(document=sample)
    committed = timezone.now()  # the callbacks run at commit, after everything the import wrote
    for callback in callbacks:
        callback()
    (kwargs,) = [kwargs for kwargs in _queued(FULL_RUN_TASK) if "requested_at" in kwargs]  # not the run it started
    assert parse_datetime(kwargs["requested_at"]) >= committed


def test_the_command_can_leave_matching_to_later(db, tmp_path):
    out = io.StringIO()
    call_command("import_firms", str(SAMPLE), "--no-rematch", stdout=out)
    assert out.getvalue().strip() == "created 8, updated 0, unchanged 0"
    assert Firm.objects.count() == 8 and _queued(REMATCH_TASK) == [] and _queued(FULL_RUN_TASK) == []


def test_an_imported_firm_has_proposals_once_its_messages_run(db, sample, django_capture_on_commit_callbacks):
    """In-process tasks (the local default): the rematch runs right after the import commits."""
    skyforge = next(f for f in sample["firms"] if f["ref"] == "ua-skyforge")
    others = {**sample, "firms": [f for f in sample["firms"] if f["ref"] != "ua-skyforge"]}
    firms_import(document=others, rematch=False)

    with django_capture_on_commit_callbacks(execute=True):
        firms_import(document={**sample, "firms": [skyforge]})
    firm = Firm.objects.get(ref="ua-skyforge")
    run = MatchRun.objects.get(kind=MatchRun.Kind.FIRM, firm=firm)
    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    partners = set(Proposal.objects.filter(ukrainian=firm).values_list("partner__ref", flat=True))
    assert "de-optronik" in partners  # offers the thermal optics SkyForge seeks, and seeks its ISR drones


def test_a_large_import_runs_a_full_match_in_process(db, sample, settings, django_capture_on_commit_callbacks):
    settings.MATCHING = {**settings.MATCHING, "IMPORT_REMATCH_MAX_FIRMS": 2}
    with django_capture_on_commit_callbacks(execute=True):
        firms_import(document=sample)
    run = MatchRun.objects.get(kind=MatchRun.Kind.FULL)
    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert Proposal.objects.filter(ukrainian__ref="ua-skyforge", partner__ref="de-optronik").exists()
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_failing_rematch_never_turns_a_committed_import_into_an_error(
    db, sample, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """In-process tasks run right after the import commits; a fault there is logged and the message
    kept for `manage.py outbox_relay`, and the import still reports what it did."""
    import matching.services.rematch

    def broken(*, firm_id):
        raise RuntimeError("scoring exploded")  # a fault injected into the rematch, not the import

    monkeypatch.setattr(matching.services.rematch, "rematch_request", broken)
    with django_capture_on_commit_callbacks(execute=True):
        result = firms_import(document=sample)
    assert len(result.created) == 8 and Firm.objects.count() == 8
    unsent = OutboxMessage.objects.filter(task=REMATCH_TASK, sent_at__isnull=True)
    assert unsent.count() == 8
    assert all("scoring exploded" in m.last_error for m in unsent)
    robust_errors = [r for r in caplog.records if "in on_commit()" in r.getMessage()]
    assert len(robust_errors) == 8 and all("scoring exploded" in r.getMessage() for r in robust_errors)


def test_a_failing_screening_never_turns_a_committed_import_into_an_error(
    db, sample, monkeypatch, django_capture_on_commit_callbacks
):
    import compliance.services

    def broken(**kwargs):
        raise RuntimeError("sanctions index unreadable")  # a fault injected into screening

    monkeypatch.setattr(compliance.services, "firms_screen", broken)
    with django_capture_on_commit_callbacks(execute=True):
        result = firms_import(document=sample)
    assert len(result.created) == 8
    assert OutboxMessage.objects.filter(task__startswith="compliance.", sent_at__isnull=True).exists()
    import_rematches = OutboxMessage.objects.filter(task=REMATCH_TASK).exclude(kwargs__has_key="run_id")
    assert import_rematches.count() == 8 and not import_rematches.filter(sent_at__isnull=True).exists()  # still sent


# --- A full run asked for while another is in progress (the worker side: tests/faults/test_match_runs.py) ---


def _running_run(started_at):
    from matching.services.runs import run_parameters

    return MatchRun.objects.create(
        kind=MatchRun.Kind.FULL, status=MatchRun.Status.RUNNING, parameters=run_parameters(), started_at=started_at
    )


def test_a_run_planned_after_the_request_covers_it(db):
    from datetime import timedelta

    from django.utils import timezone

    from matching.services.runs import match_run_requested

    asked = timezone.now()
    _running_run(asked + timedelta(seconds=1))
    assert match_run_requested(requested_at=asked.isoformat()) is None
    assert _queued(FULL_RUN_TASK) == [] and MatchRun.objects.count() == 1


def test_a_run_planned_before_the_request_makes_it_wait_through_the_outbox(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    from matching.services.runs import BUSY_ATTEMPTS, match_run_requested

    asked = timezone.now()
    _running_run(asked - timedelta(minutes=1))
    assert match_run_requested(requested_at=asked.isoformat(), attempt=3) is None
    message = OutboxMessage.objects.get(task=FULL_RUN_TASK)
    assert message.kwargs == {"requested_at": asked.isoformat(), "busy_attempt": 4}
    assert message.countdown == settings.MATCHING["BUSY_RETRY_SECONDS"]
    # In-process tasks cannot wait, and the waiting ends after BUSY_ATTEMPTS tries.
    assert match_run_requested(requested_at=asked.isoformat(), can_wait=False) is None
    assert match_run_requested(requested_at=asked.isoformat(), attempt=BUSY_ATTEMPTS) is None
    assert OutboxMessage.objects.filter(task=FULL_RUN_TASK).count() == 1
    # Once no run is in progress, the request starts one.
    MatchRun.objects.update(status=MatchRun.Status.SUCCEEDED)
    started = match_run_requested(requested_at=asked.isoformat(), attempt=4)
    assert started is not None and started.kind == MatchRun.Kind.FULL
