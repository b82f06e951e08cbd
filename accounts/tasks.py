"""Periodic housekeeping for accounts (scheduled in alliance/celery.py)."""

from celery import shared_task

from accounts import services


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def purge_expired_tokens_task() -> int:
    """Idempotent: a second run finds nothing left to delete."""
    return services.token_purge_expired()
