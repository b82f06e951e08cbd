"""Compliance tasks: thin wrappers that load ids and call the screening services.

Screening is idempotent (a repeated screening with the same result adds nothing), so the
tasks are safe to run twice (acks_late, outbox re-sends).
"""

from celery import shared_task

from compliance import services


@shared_task(
    name="compliance.tasks.screen_firm_task", ignore_result=True, acks_late=True, soft_time_limit=60, time_limit=90
)
def screen_firm_task(firm_id: int) -> str | None:
    """Screen one firm against the active sanctions list (after create or a name/identifier change)."""
    from registry.models import Firm

    if not Firm.objects.filter(pk=firm_id).exists():
        return None  # deleted before the task ran
    screening = services.firm_screen(firm=firm_id)
    return screening.status if screening else None


@shared_task(
    name="compliance.tasks.screen_firms_task", ignore_result=True, acks_late=True, soft_time_limit=1800, time_limit=1900
)
def screen_firms_task(firm_ids: list[int]) -> dict[str, int]:
    """Screen the given firms (after a bulk import) with one in-memory index."""
    return services.firms_screen(firm_ids=firm_ids)


@shared_task(
    name="compliance.tasks.screen_all_task", ignore_result=True, acks_late=True, soft_time_limit=3600, time_limit=3700
)
def screen_all_task() -> dict[str, int]:
    """Re-screen every firm (after a list import)."""
    return services.firms_screen()
