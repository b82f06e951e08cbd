"""Review workflow tasks: thin wrappers that take ids and call one service each.

The task names still say `matching.tasks.*`: they are wire names, written into queued Celery
messages and outbox rows, so they outlived the move of this code into the review app.
"""

import smtplib

from celery import shared_task

# Thin: ids in, one service call. Idempotent (emailed_at claim, state re-checked under lock), so
# acks_late redelivery and beat double-fires are harmless.


@shared_task(
    name="matching.tasks.send_notification_task",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OSError, TimeoutError, smtplib.SMTPException),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def send_notification_task(notification_id: int) -> bool:
    """Email one notification (never twice: claimed by a conditional update of emailed_at)."""
    from review.services.notifications import notification_send_email

    return notification_send_email(notification_id=notification_id)


@shared_task(name="matching.tasks.expire_proposals_task", ignore_result=True, soft_time_limit=300, time_limit=360)
def expire_proposals_task() -> int:
    """Expire approved proposals not accepted by both firms within REVIEW["EXPIRY_DAYS"] (hourly beat)."""
    from review.services.workflow import proposals_expire_due

    return proposals_expire_due()


@shared_task(name="matching.tasks.reviewer_digest_task", ignore_result=True, soft_time_limit=120, time_limit=180)
def reviewer_digest_task() -> int:
    """Tell reviewers how many proposals wait for them (daily beat; once per reviewer per day)."""
    from review.services.notifications import reviewer_digest_send

    return reviewer_digest_send()


@shared_task(
    name="review.tasks.proposal_expiry_reminders_task", ignore_result=True, soft_time_limit=300, time_limit=360
)
def proposal_expiry_reminders_task() -> int:
    """Remind firms of approved proposals they have not answered, 7 and 1 days before expiry (hourly beat)."""
    from review.services.notifications import proposal_expiry_reminders_send

    return proposal_expiry_reminders_send()
