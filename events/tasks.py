"""Events tasks: thin wrappers that take ids and call one service each."""

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError


class _ScheduleTask(Task):
    """When its retries are spent, the run is marked failed with the error text."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from events.services.scheduling import schedule_run_fail

        if kwargs.get("run_id"):
            schedule_run_fail(run_id=kwargs["run_id"], error=f"{self.name}: {type(exc).__name__}: {exc}")


# Idempotent by its conditional claim (queued -> running): a repeated message does nothing.
@shared_task(
    name="events.tasks.schedule_event_task",
    base=_ScheduleTask,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=2,
    soft_time_limit=360,
    time_limit=420,
)
def schedule_event_task(run_id: int) -> bool:
    """Run one queued scheduler run of an event."""
    from events.services.scheduling import schedule_run_execute

    try:
        return schedule_run_execute(run_id=run_id)
    except SoftTimeLimitExceeded:
        from events.services.scheduling import schedule_run_fail

        schedule_run_fail(run_id=run_id, error="time limit exceeded")
        raise
