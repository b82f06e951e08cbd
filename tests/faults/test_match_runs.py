"""Full match runs under faults: two started at once, and a worker SIGKILLed mid-run.

PostgreSQL only (real concurrent transactions; a worker process must see committed rows).
The worker is a real `celery worker` (tests/celery_worker.py) on Redis database 7.
"""

import os
import signal
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections
from rest_framework.test import APIClient

from matching.models import MatchChunk, MatchRun, Proposal
from matching.services.runs import match_run_execute, match_run_start
from tests.celery_worker import fast_redelivery, running_worker, send_task, wait_for
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REDIS_DB = 7  # the reliability engineer's Redis database


def test_two_full_runs_started_at_once_one_runs_and_the_other_is_refused_clearly():
    rita = UserFactory(username="rita", is_reviewer=True)
    adam = UserFactory(username="adam", is_superuser=True, is_staff=True)
    barrier = threading.Barrier(2)
    responses = {}

    def start(user):
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        try:
            responses[user.username] = client.post("/api/v1/match-runs/", {}, format="json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(user,)) for user in (rita, adam)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(r.status_code for r in responses.values())
    assert statuses[0] in (201, 202) and statuses[1] == 409, statuses
    refused = next(r for r in responses.values() if r.status_code == 409).json()["error"]
    assert refused["code"] == "run_in_progress"
    assert "already in progress" in refused["message"]
    assert MatchRun.objects.filter(kind=MatchRun.Kind.FULL).count() == 1


def _snapshot() -> list[tuple]:
    rows = Proposal.objects.values_list("ukrainian_id", "partner_id", "score", "rank_for_ukrainian", "rank_for_partner")
    return sorted((u, p, round(s, 9), ru, rp) for u, p, s, ru, rp in rows)


def _finished(run_id: int) -> bool:
    return MatchRun.objects.get(pk=run_id).status in (MatchRun.Status.SUCCEEDED, MatchRun.Status.FAILED)


def _progress(run_id: int, *workers) -> str:
    """What a stalled run looks like: its counts, unsent outbox messages, the worker log (the
    queue's one file, written by both workers)."""
    from core.models import OutboxMessage

    run = MatchRun.objects.get(pk=run_id)
    unsent = list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("task", flat=True)[:5])
    logs = "\n".join(f"--- {w.queue} (exit {w.process.poll()}):\n{w.log()[-1500:]}" for w in workers)
    return f"run {run.status}, chunks {run.chunks_done}/{run.chunks_total}, unsent outbox {unsent}\n{logs}"


@pytest.mark.celery_worker
def test_a_worker_killed_mid_run_leaves_a_run_that_completes_with_the_same_proposals(settings):
    call_command("seed_demo", seed=42, force=True, verbosity=0)
    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 2}  # dozens of chunk tasks
    # Unacknowledged messages of a dead worker come back after the visibility timeout: keep it short.
    env = {"MATCH_CHUNK_SIZE": "2"}
    run = match_run_start(enqueue=False)

    with running_worker(redis_db=REDIS_DB, concurrency=1, env={**env, **fast_redelivery(5, sweep=False)}) as worker:
        send_task(worker, "matching.tasks.run_full_match_task", run_id=run.pk)
        wait_for(lambda: MatchChunk.objects.filter(run=run, done_at__isnull=False).exists(), timeout=120, interval=0.05)
        os.killpg(worker.process.pid, signal.SIGKILL)  # the whole worker, mid-run, no warm shutdown
        worker.process.wait(timeout=10)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.RUNNING and run.chunks_done < run.chunks_total, (
        "the run finished before the kill: make the population larger"
    )

    # A new worker on the same queue: it gets the chunks never started and, after the visibility
    # timeout, the one the dead worker had taken but not acknowledged. Its sweep for such messages
    # runs every second instead of kombu's 100 s, so the wait is bounded by the run, not the sweep.
    with running_worker(
        redis_db=REDIS_DB, concurrency=2, env={**env, **fast_redelivery(5)}, queue=worker.queue
    ) as second:
        wait_for(lambda: _finished(run.pk), timeout=180, describe=lambda: _progress(run.pk, second))
    run.refresh_from_db()
    if run.status != MatchRun.Status.SUCCEEDED:
        pytest.fail(f"run {run.status}: {run.error}")
    disturbed = _snapshot()
    assert len(disturbed) == len(set((u, p) for u, p, *_ in disturbed)) == run.proposals_created

    # The same run, undisturbed, in-process, from an empty proposal table.
    Proposal.objects.all().delete()
    MatchRun.objects.all().delete()
    undisturbed_run = match_run_execute(run_id=match_run_start(enqueue=False).pk)
    assert undisturbed_run.status == MatchRun.Status.SUCCEEDED
    assert _snapshot() == disturbed


@pytest.mark.celery_worker
def test_a_full_run_asked_for_by_an_import_during_another_run_starts_once_that_run_ends():
    """The nightly beat skips a night when a run is in progress; an import's request waits for it."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import OutboxMessage
    from matching.services.runs import run_parameters

    asked = timezone.now()
    busy = MatchRun.objects.create(
        kind=MatchRun.Kind.FULL,
        status=MatchRun.Status.RUNNING,
        parameters=run_parameters(),
        started_at=asked - timedelta(minutes=1),  # planned before the import: may miss its firms
    )
    waits = OutboxMessage.objects.filter(task="matching.tasks.run_full_match_task", kwargs__busy_attempt__gte=2)
    with running_worker(redis_db=REDIS_DB, concurrency=1, env={"MATCH_BUSY_RETRY_SECONDS": "1"}) as worker:
        send_task(worker, "matching.tasks.run_full_match_task", requested_at=asked.isoformat())
        wait_for(waits.exists, timeout=60)  # asked again, through the outbox, at least twice
        assert list(MatchRun.objects.filter(kind=MatchRun.Kind.FULL).values_list("pk", flat=True)) == [busy.pk]
        MatchRun.objects.filter(pk=busy.pk).update(status=MatchRun.Status.SUCCEEDED, finished_at=timezone.now())
        later = MatchRun.objects.filter(kind=MatchRun.Kind.FULL).exclude(pk=busy.pk)
        wait_for(lambda: later.filter(status=MatchRun.Status.SUCCEEDED).exists(), timeout=120)
        time.sleep(3)  # a wait already queued finds the new run covering it, and starts nothing
    assert later.count() == 1
