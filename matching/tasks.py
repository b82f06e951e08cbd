"""Matching tasks. PLACEHOLDERS until the matching issue (#3) and review issue (#4) implement them."""

from celery import shared_task


@shared_task(name="matching.tasks.rematch_firm_task", ignore_result=True)
def rematch_firm_task(firm_id: int) -> None:
    """Rescore one firm against the other side (to be implemented by issue #3)."""
