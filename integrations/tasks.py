"""Webhook tasks: thin, idempotent (a delivery is claimed by a conditional update)."""

from celery import shared_task

from integrations.services import webhooks


@shared_task(name="integrations.tasks.webhook_deliver_task", ignore_result=True, soft_time_limit=60, time_limit=90)
def webhook_deliver_task(*, delivery_id: int, manual: bool = False) -> None:
    webhooks.webhook_delivery_attempt(delivery_id=delivery_id, manual=manual)


@shared_task(name="integrations.tasks.webhooks_retry_due_task", ignore_result=True)
def webhooks_retry_due_task() -> int:
    return webhooks.webhooks_retry_due()


@shared_task(name="integrations.tasks.webhook_disabled_email_task", ignore_result=True)
def webhook_disabled_email_task(*, endpoint_id: int) -> int:
    return webhooks.webhook_disabled_email_send(endpoint_id=endpoint_id)


@shared_task(name="integrations.tasks.idempotency_purge_task", ignore_result=True)
def idempotency_purge_task() -> int:
    from integrations.services.idempotency import idempotency_purge_expired

    return idempotency_purge_expired()
