"""The scheduler through a REAL celery worker process on Redis and PostgreSQL: the organiser's
run is claimed once, reports progress, and stores meetings both firms then see."""

from __future__ import annotations

import pytest

from events.models import Event, Meeting, ScheduleRun
from registry.validators import edrpou_with_check_digit
from tests.celery_worker import running_worker, send_task, wait_for
from tests.events.helpers import accepted, make_event, register
from tests.factories import FirmFactory, MembershipFactory, UserFactory

REDIS_DB = 8  # the events engineer's Redis database

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _event_with_requests(n_firms: int = 14) -> Event:
    event = make_event(status=Event.Status.SCHEDULING, tables=3)
    parts = []
    for i in range(n_firms):
        firm = FirmFactory(
            ref=f"w-{i}",
            name=f"Worker Firm {i}",
            country="UA" if i % 2 else "PL",
            edrpou=edrpou_with_check_digit(8_000_000 + i) if i % 2 else "",
        )
        user = UserFactory(username=f"w{i}")
        MembershipFactory(user=user, firm=firm)
        parts.append(register(event, firm, user, blocked_slots=[i % 6]))
    for i in range(n_firms):
        for j in (1, 2, 3):
            accepted(parts[i], parts[(i + j) % n_firms], priority=j)
    return event


def test_a_scheduler_run_through_a_real_worker_stores_a_valid_schedule_once():
    rita = UserFactory(username="rita-worker", is_reviewer=True)
    event = _event_with_requests()
    # Queued as schedule_start queues it, without its after-commit send (in-process in this test run).
    run = ScheduleRun.objects.create(event=event, time_limit=4, created_by=rita)
    seen = []
    with running_worker(redis_db=REDIS_DB, concurrency=1) as worker:
        send_task(worker, "events.tasks.schedule_event_task", run_id=run.pk)
        send_task(worker, "events.tasks.schedule_event_task", run_id=run.pk)  # a redelivered message

        def finished() -> bool:
            current = ScheduleRun.objects.get(pk=run.pk)
            seen.append((current.status, current.progress))
            return current.status in ("succeeded", "failed")

        wait_for(finished, timeout=120, interval=0.05)
        wait_for(lambda: worker.log().count("succeeded in") >= 2, timeout=30)
        log = worker.log()
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    # Both messages ran on the worker; the first claimed the run, the repeat found nothing to do.
    assert "succeeded in" in log and ": True" in log and ": False" in log
    meetings = list(Meeting.objects.filter(event=event, status="scheduled").select_related("request"))
    assert len(meetings) == run.meetings and 0 < run.meetings <= run.upper_bound <= run.requests
    busy, tables = set(), set()
    for m in meetings:
        assert (m.slot, m.table) not in tables
        tables.add((m.slot, m.table))
        for p in (m.request.sender_id, m.request.receiver_id):
            assert (p, m.slot) not in busy
            busy.add((p, m.slot))
            assert m.slot not in m.request.sender.blocked_slots + m.request.receiver.blocked_slots
    statuses = [s for s, _ in seen]
    assert statuses[-1] == "succeeded"
    progress = [p for _, p in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0  # the bar only moves forward
