"""The Celery app. Tasks live in each app's tasks.py; the beat schedule is defined here in code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

app = Celery("alliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "nightly-full-match": {"task": "matching.tasks.run_full_match_task", "schedule": crontab(hour=2, minute=0)},
    "expire-unanswered-proposals": {"task": "matching.tasks.expire_proposals_task", "schedule": crontab(minute=15)},
    "remind-before-expiry": {"task": "review.tasks.proposal_expiry_reminders_task", "schedule": crontab(minute=25)},
    "outbox-relay": {"task": "core.tasks.outbox_relay_task", "schedule": 30.0},
    "webhook-retries": {"task": "integrations.tasks.webhooks_retry_due_task", "schedule": 30.0},
    "purge-idempotency-keys": {"task": "integrations.tasks.idempotency_purge_task", "schedule": crontab(minute=45)},
    "reviewer-daily-digest": {"task": "matching.tasks.reviewer_digest_task", "schedule": crontab(hour=8, minute=0)},
    # Saved directory searches on a daily or weekly digest (each search decides when it is due).
    "saved-search-digests": {"task": "directory.tasks.saved_search_digests_task", "schedule": crontab(minute=5)},
    # Reminders before firm profiles go stale and certifications expire; expired ones removed (issue 14).
    "firm-freshness": {"task": "registry.tasks.freshness_pass_task", "schedule": crontab(hour=0, minute=20)},
    "purge-expired-api-tokens": {
        "task": "accounts.tasks.purge_expired_tokens_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Inside the dashboard cache's 60 s lifetime; a refresh still queued after 25 s is dropped, not piled up.
    "refresh-reviewer-dashboard": {
        "task": "web.tasks.refresh_dashboard_numbers_task",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}
