"""Transactional outbox: enqueue Celery work so that it is never lost when Redis is down.

`outbox_enqueue()` writes a row inside the caller's transaction and tries to send it right
after commit. A failed send leaves the row for `outbox_relay()`, run by beat every 30 s
and by `manage.py outbox_relay`. Tasks sent this way must be idempotent: a crash between
sending and marking may send a message twice.
"""

import logging

from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage

log = logging.getLogger(__name__)


def outbox_enqueue(task: str, *, countdown: int = 0, robust: bool = False, **kwargs) -> OutboxMessage:
    """Record `task(**kwargs)` to run after the current transaction commits.

    `robust`: with in-process tasks (no broker), an error in the task is logged and the message
    kept for `manage.py outbox_relay` instead of reaching the caller after its commit (an import
    has already succeeded and must say so)."""
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs, countdown=countdown)
    transaction.on_commit(lambda: outbox_send(message_id=message.pk), robust=robust)
    return message


def outbox_enqueue_many(task: str, kwargs_list: list[dict]) -> list[int]:
    """`outbox_enqueue` for many calls of one task, in one INSERT (e.g. the emails of a batch of
    notifications); each is sent after commit as `outbox_enqueue`'s are. Returns the message ids."""
    if not kwargs_list:
        return []
    messages = OutboxMessage.objects.bulk_create([OutboxMessage(task=task, kwargs=kw) for kw in kwargs_list])
    ids = [m.pk for m in messages]

    def send() -> None:
        for message_id in ids:
            outbox_send(message_id=message_id)

    transaction.on_commit(send)
    return ids


def outbox_send(*, message_id: int) -> bool:
    """Send one message; True when sent (or already sent). Broker errors are kept, not raised."""
    from celery import current_app as app  # the project's app (alliance.celery), without importing it

    message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if message is None:
        return True
    try:
        task = app.tasks[message.task]
        if app.conf.task_always_eager:
            task.apply(kwargs=message.kwargs, throw=True)
        else:
            task.apply_async(kwargs=message.kwargs, countdown=message.countdown or None, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure keeps the row for the relay
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        log.warning("outbox: could not send %s #%s: %s", message.task, message.pk, exc)
        if app.conf.task_always_eager:
            raise
        return False
    OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
    )
    return True


def outbox_relay(*, limit: int = 1000) -> int:
    """Send unsent messages, oldest first; returns how many were sent. Stops at the first broker failure."""
    sent = 0
    for message_id in OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)[:limit]:
        if not outbox_send(message_id=message_id):
            break
        sent += 1
    return sent
