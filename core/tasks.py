"""Registry tasks: the outbox relay."""

from celery import shared_task

from core.outbox import outbox_relay


@shared_task(name="core.tasks.outbox_relay_task", ignore_result=True)
def outbox_relay_task() -> int:
    return outbox_relay()
