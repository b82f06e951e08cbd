"""Thin tasks: take ids, call a service. Idempotent (unique alerts, claimed deliveries)."""

from celery import shared_task

from directory.services import saved_search_alerts_for_firm, saved_search_digests_send


@shared_task(
    name="directory.tasks.saved_search_alerts_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=120,
    time_limit=150,
    autoretry_for=(ConnectionError,),
    max_retries=5,
)
def saved_search_alerts_task(firm_id: int) -> int:
    return saved_search_alerts_for_firm(firm_id=firm_id)


@shared_task(name="directory.tasks.saved_search_digests_task", acks_late=True, soft_time_limit=600, time_limit=660)
def saved_search_digests_task() -> int:
    return saved_search_digests_send()
