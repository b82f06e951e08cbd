"""Thin tasks of the firm registry: the daily freshness pass (beat, alliance/celery.py)."""

from celery import shared_task


@shared_task(
    name="registry.tasks.freshness_pass_task",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
)
def freshness_pass_task() -> dict[str, int]:
    """Reminders before profiles go stale and certifications expire; expired certifications removed.
    Idempotent (one reminder per firm, subject, cycle and threshold), so a repeated run is harmless."""
    from registry.freshness import freshness_pass

    return freshness_pass()
