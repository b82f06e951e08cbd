"""The pages' own periodic work."""

from celery import shared_task

from web.selectors import dashboard_numbers


@shared_task(name="web.tasks.refresh_dashboard_numbers_task", ignore_result=True, soft_time_limit=20, time_limit=30)
def refresh_dashboard_numbers_task() -> None:
    """Recompute the reviewers' dashboard numbers into the cache (beat, every 30 s) so no reviewer waits.

    Only useful with a shared cache (CACHE_URL=redis://...): a per-process cache would be warmed
    in the worker alone. Harmless to run twice or late: it overwrites one cache entry.
    """
    dashboard_numbers(refresh=True)
