"""Matching tasks: thin wrappers that take ids and call one service each."""

import logging
from contextlib import contextmanager

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

log = logging.getLogger(__name__)


# --- Match runs (issue #3) ---------------------------------------------------------------------
# Idempotent by construction (conditional claims, (run, index) unique chunks), so acks_late with
# reject_on_worker_lost is safe: a worker killed mid-chunk leaves the message for another worker.


class _RunTask(Task):
    """A run step: when its retries are spent, the run is marked failed with the error text."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from matching.services.runs import match_run_fail

        if kwargs.get("run_id"):
            match_run_fail(run_id=kwargs["run_id"], error=f"{self.name}: {type(exc).__name__}: {exc}")


@contextmanager
def _fails_run_when_final(task: Task, run_id: int | None):
    """Mark the run failed when this error will not be retried (eager mode never calls on_failure)."""
    try:
        yield
    except Exception as exc:
        retrying = isinstance(exc, task.autoretry_for) and task.request.retries < task.max_retries
        if run_id and not retrying:
            from matching.services.runs import match_run_fail

            match_run_fail(run_id=run_id, error=f"{task.name}: {type(exc).__name__}: {exc}")
        raise


_RUN_TASK_OPTIONS = {
    "base": _RunTask,
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError, OSError, SoftTimeLimitExceeded),
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 3,
    "bind": True,
}


@shared_task(name="matching.tasks.run_full_match_task", soft_time_limit=120, time_limit=180, **_RUN_TASK_OPTIONS)
def run_full_match_task(
    self, run_id: int | None = None, requested_at: str | None = None, busy_attempt: int = 0
) -> int | None:
    """Plan a queued run into chunk tasks; without run_id start a new run first: the nightly beat
    skips a night when a run is in progress, a request made at `requested_at` (a large import)
    waits for it (matching.services.runs.match_run_requested)."""
    from core.errors import ApplicationError
    from matching.services.runs import match_run_plan, match_run_requested, match_run_start

    if run_id is None and requested_at is not None:
        run = match_run_requested(requested_at=requested_at, attempt=busy_attempt, can_wait=not self.request.is_eager)
        return run.pk if run else None
    if run_id is None:
        try:
            return match_run_start().pk  # enqueues this task again with the new run's id
        except ApplicationError as exc:
            log.info("nightly match skipped: %s", exc.message)
            return None
    with _fails_run_when_final(self, run_id):
        run = match_run_plan(run_id=run_id)
    return run.pk if run else None


@shared_task(name="matching.tasks.match_chunk_task", soft_time_limit=300, time_limit=360, **_RUN_TASK_OPTIONS)
def match_chunk_task(self, run_id: int, index: int) -> bool:
    """Score one chunk of a run's Ukrainian firms against every partner."""
    from matching.services.runs import match_chunk_process

    with _fails_run_when_final(self, run_id):
        return match_chunk_process(run_id=run_id, index=index)


@shared_task(name="matching.tasks.finalise_match_task", soft_time_limit=600, time_limit=660, **_RUN_TASK_OPTIONS)
def finalise_match_task(self, run_id: int) -> bool:
    """Merge a run's candidates and write its proposals in one transaction."""
    from matching.services.runs import match_run_finalise

    with _fails_run_when_final(self, run_id):
        return match_run_finalise(run_id=run_id) is not None


@shared_task(name="matching.tasks.rematch_firm_task", soft_time_limit=60, time_limit=90, **_RUN_TASK_OPTIONS)
def rematch_firm_task(self, firm_id: int, run_id: int | None = None, requested_at: str | None = None) -> bool:
    """Without run_id: record a (debounced) rematch request. With it: rescore the firm if still the latest."""
    from matching.services.rematch import rematch_request, rematch_run

    if run_id is None:
        return rematch_request(firm_id=firm_id) is not None
    with _fails_run_when_final(self, run_id):
        return rematch_run(run_id=run_id, requested_at=requested_at) is not None
