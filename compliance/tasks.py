"""Compliance tasks. PLACEHOLDER until the compliance issue (#6) implements screening."""

from celery import shared_task


@shared_task(name="compliance.tasks.screen_firm_task", ignore_result=True)
def screen_firm_task(firm_id: int) -> None:
    """Screen one firm against the current sanctions list (to be implemented by issue #6)."""
