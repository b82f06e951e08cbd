"""Notifications (review/services/notifications.py and the tasks that send them).

The last tests start a REAL `celery worker` process against Redis (db 4 by default) and
PostgreSQL, with Django's file-based email backend, and read the files it writes.
"""

import datetime as dt
import time
from collections import Counter
from email import message_from_string
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import OutboxMessage
from matching.models import Notification, Proposal
from review.services import workflow as review
from review.services.notifications import notification_send_email, reviewer_digest_send
from review.tasks import expire_proposals_task, reviewer_digest_task, send_notification_task
from tests.celery_worker import publishing_to, running_worker
from tests.factories import ProposalFactory, UserFactory

S = Proposal.Status
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def approved(alice, alice_editor, alice_viewer, bob, proposal_ab, rita):
    return review.proposal_approve(proposal=proposal_ab, reviewer=rita, note="Reviewer-only note")


# --- In-app rows ----------------------------------------------------------------------------


def test_each_transition_notifies_the_right_people(approved, alice, bob, rita):
    def kinds():
        return sorted(Notification.objects.values_list("kind", "user__username"))

    assert kinds() == [("approved", "alice"), ("approved", "alice_editor"), ("approved", "bob")]
    Notification.objects.all().delete()
    review.proposal_accept(proposal=approved, user=alice)
    assert kinds() == [("accepted", "bob")]  # the other side is told
    Notification.objects.all().delete()
    review.proposal_accept(proposal=approved, user=bob)
    assert kinds() == [("connected", "alice"), ("connected", "alice_editor"), ("connected", "bob")]
    Notification.objects.all().delete()
    review.proposal_record_outcome(proposal=approved, user=rita, kind="supply", date=timezone.localdate())
    assert kinds() == [("outcome", "alice"), ("outcome", "alice_editor"), ("outcome", "bob")]


def test_expiry_tells_both_firms(approved, settings):
    Notification.objects.all().delete()
    settings.REVIEW = {"EXPIRY_DAYS": 1}
    review.proposals_expire_due(now=timezone.now() + dt.timedelta(days=2))
    assert sorted(Notification.objects.values_list("kind", "user__username")) == [
        ("expired", "alice"),
        ("expired", "alice_editor"),
        ("expired", "bob"),
    ]


def test_rejection_and_decline_notify_nobody(proposal_ab, alice, bob, rita):
    review.proposal_reject(proposal=proposal_ab, reviewer=rita, reason="No")
    assert not Notification.objects.exists()


def test_notifications_are_written_in_each_recipients_language(alice, bob, proposal_ab, rita):
    bob.language = "uk"
    bob.save()
    review.proposal_approve(proposal=proposal_ab, reviewer=rita, note="Reviewer-only note")
    by_user = {n.user.username: n for n in Notification.objects.select_related("user")}
    assert by_user["alice"].title == "Proposal approved: SkyForge Robotics LLC and Optronik Systems GmbH"
    assert by_user["bob"].title == "Пропозицію схвалено: SkyForge Robotics LLC і Optronik Systems GmbH"
    assert "Reviewer-only note" not in by_user["bob"].body + by_user["alice"].body


@pytest.mark.parametrize(
    ("days", "english", "ukrainian"),
    [
        (1, "within 1 day.", "протягом 1 дня."),
        (3, "within 3 days.", "протягом 3 днів."),
        (21, "within 21 days.", "протягом 21 дня."),
        (30, "within 30 days.", "протягом 30 днів."),
    ],
)
def test_the_period_to_answer_is_counted_in_each_language(
    alice, bob, proposal_ab, rita, settings, days, english, ukrainian
):
    settings.REVIEW = {"EXPIRY_DAYS": days}
    bob.language = "uk"
    bob.save()
    review.proposal_approve(proposal=proposal_ab, reviewer=rita)
    by_user = {n.user.username: n.body for n in Notification.objects.select_related("user")}
    assert f"Please accept or decline it {english[:-1]}. Contacts" in by_user["alice"]
    assert f"Прийміть або відхиліть її {ukrainian[:-1]}. Контакти" in by_user["bob"]
    Notification.objects.all().delete()
    review.proposals_expire_due(now=timezone.now() + dt.timedelta(days=days + 1))
    expired = {n.user.username: n.body for n in Notification.objects.filter(kind="expired").select_related("user")}
    assert expired["alice"].endswith(f"did not accept it {english}")
    assert (
        expired["bob"]
        == f"Строк дії пропозиції №{proposal_ab.pk} минув: {ukrainian[:-1]} її прийняли не обидві компанії."
    )


def test_the_reviewer_digest_counts_the_oldest_wait_in_each_language(rita, firm_a):
    proposal = ProposalFactory(ukrainian=firm_a)
    Proposal.objects.filter(pk=proposal.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=3, hours=1))
    UserFactory(username="rina", is_reviewer=True, language="uk")
    reviewer_digest_send()
    bodies = dict(Notification.objects.filter(kind="digest").values_list("user__username", "body"))
    assert bodies["rita"] == "1 proposal is waiting for your review; the oldest has waited 3 days."
    assert bodies["rina"] == "1 пропозиція чекає на Ваш розгляд; найстаріша чекає вже 3 дні."


def test_contacts_are_in_the_connected_notification_only(approved, alice, bob, firm_a, firm_b):
    assert all(firm_b.contact_email not in n.body for n in Notification.objects.all())
    review.proposal_accept(proposal=approved, user=alice)
    assert firm_a.contact_email not in Notification.objects.get(kind="accepted").body
    review.proposal_accept(proposal=approved, user=bob)
    body = Notification.objects.get(kind="connected", user=alice).body
    assert firm_a.contact_email in body and firm_b.contact_email in body and firm_b.contact_name in body


def test_the_idempotency_key_is_unique_per_event_and_recipient(approved, alice):
    existing = Notification.objects.get(user=alice)
    assert existing.idempotency_key == f"{existing.event_id}:{alice.pk}"
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=alice, kind="approved", title="dup", idempotency_key=existing.idempotency_key)


# --- Email sending (in-process) ---------------------------------------------------------------


def test_emails_leave_only_after_commit_one_per_recipient(
    alice, alice_editor, bob, proposal_ab, rita, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        review.proposal_approve(proposal=proposal_ab, reviewer=rita)
        assert mail.outbox == []  # nothing inside the transaction
    assert len(callbacks) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, alice_editor.email, bob.email])
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_sending_twice_sends_once(approved, alice):
    notification = Notification.objects.get(user=alice)
    assert notification_send_email(notification_id=notification.pk) is True
    assert notification_send_email(notification_id=notification.pk) is False
    send_notification_task.apply(kwargs={"notification_id": notification.pk})
    assert len(mail.outbox) == 1


def test_a_failed_send_releases_the_claim_for_the_retry(approved, alice, settings):
    notification = Notification.objects.get(user=alice)
    settings.EMAIL_BACKEND = "tests.review.test_notifications.FailingBackend"
    with pytest.raises(OSError):
        notification_send_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_send_email(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP server unreachable")


def test_the_send_task_retries_smtp_and_network_errors():
    assert OSError in send_notification_task.autoretry_for
    assert send_notification_task.max_retries >= 3


# --- Periodic tasks -----------------------------------------------------------------------------


def test_reviewer_digest_once_per_reviewer_per_day(rita, adam, firm_a):
    assert reviewer_digest_send() == 0  # nothing waiting, nothing sent
    ProposalFactory(ukrainian=firm_a)
    ProposalFactory(ukrainian=firm_a)
    UserFactory(username="rina", is_reviewer=True, language="uk")
    assert reviewer_digest_task.apply().get() == 2  # rita and rina; adam is an administrator, not a reviewer
    assert reviewer_digest_send() == 0
    titles = dict(Notification.objects.filter(kind="digest").values_list("user__username", "title"))
    assert titles == {"rita": "2 proposals are waiting for review", "rina": "2 пропозиції чекають на розгляд"}


def test_expire_task_expires_due_proposals(firm_a, settings):
    settings.REVIEW = {"EXPIRY_DAYS": 30}
    due = ProposalFactory(ukrainian=firm_a, status=S.APPROVED)
    fresh = ProposalFactory(ukrainian=firm_a, status=S.APPROVED)
    Proposal.objects.filter(pk=due.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=31))
    assert expire_proposals_task.apply().get() == 1
    assert dict(Proposal.objects.values_list("pk", "status")) == {due.pk: S.EXPIRED, fresh.pk: S.APPROVED}


# --- A real celery worker --------------------------------------------------------------------------


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real `celery worker` (tests/celery_worker.py) on Redis db 4 and this test's PostgreSQL database,
    sending mail to files; this process publishes to it."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(mail_dir)}
    with running_worker(redis_db=4, env=env, ready_timeout=90) as worker, publishing_to(worker):
        yield {"mail_dir": mail_dir, "log": worker}


def _emails(mail_dir: Path) -> list:
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(message_from_string(chunk.strip()))
    return messages


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_an_approval_exactly_once_per_recipient(
    celery_worker_process, alice, alice_editor, alice_viewer, bob, rita, proposal_ab
):
    bob.language = "uk"
    bob.save()
    review.proposal_approve(proposal=proposal_ab, reviewer=rita, note="Reviewer-only note")  # commits: outbox sends
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert len(ids) == 3
    # A redelivered or duplicated message must not send a second email.
    for pk in ids:
        send_notification_task.apply_async(kwargs={"notification_id": pk})

    mail_dir = celery_worker_process["mail_dir"]
    assert _wait_for(lambda: not Notification.objects.filter(emailed_at__isnull=True).exists()), celery_worker_process[
        "log"
    ].log()[-3000:]
    assert _wait_for(lambda: len(_emails(mail_dir)) >= 3)
    time.sleep(2)  # give the duplicates time to (not) arrive
    messages = _emails(mail_dir)
    assert Counter(m["To"] for m in messages) == Counter([alice.email, alice_editor.email, bob.email])
    subjects = {m["To"]: m["Subject"] for m in messages}
    assert subjects[alice.email].startswith("Proposal approved")
    assert "Reviewer-only note" not in "".join(m.get_payload(decode=True).decode() for m in messages)
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(subjects[bob.email]))).startswith("Пропозицію схвалено")
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
