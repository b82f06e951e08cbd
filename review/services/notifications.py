"""Notifications of the review workflow: an in-app row per recipient, emailed by a Celery task.

Rows are written in the transition's transaction with the idempotency key
`"{event_id}:{user_id}"` (unique in the database), and the email is queued through the
outbox so it leaves only after commit. The sender claims a row by a conditional update
of `emailed_at`, so a repeated task never emails twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from accounts.models import Membership, User
from accounts.selectors import user_language
from core.i18n import LANGUAGES, language_code
from core.outbox import outbox_enqueue, outbox_enqueue_many
from matching.models import Notification, Proposal, ProposalEvent

if TYPE_CHECKING:
    from registry.models import Firm

log = logging.getLogger(__name__)
S = Proposal.Status
SEND_TASK = "matching.tasks.send_notification_task"


class Kind:
    APPROVED = "approved"
    ACCEPTED = "accepted"  # the other side accepted
    CONNECTED = "connected"
    EXPIRY_REMINDER = "expiry_reminder"  # approved, this firm has not answered, the deadline is near
    EXPIRED = "expired"
    OUTCOME = "outcome"
    DIGEST = "digest"


def _audience(event: ProposalEvent) -> tuple[str | None, list[int]]:
    """Which notification an event causes and for which firms (their owners and editors)."""
    proposal = event.proposal
    both = [proposal.ukrainian_id, proposal.partner_id]
    if event.to_status == S.APPROVED and event.from_status == S.PROPOSED:
        return Kind.APPROVED, both
    if event.to_status == S.APPROVED and event.data.get("action") == "accept":
        return Kind.ACCEPTED, [fid for fid in both if fid != event.firm_id]
    if event.to_status == S.CONNECTED:
        return Kind.CONNECTED, both
    if event.to_status == S.EXPIRED:
        return Kind.EXPIRED, both
    if event.to_status in (S.PARTNERSHIP, S.CLOSED):
        return Kind.OUTCOME, both
    return None, []


def _recipients(firm_ids: list[int]) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__firm_id__in=firm_ids,
            memberships__role__in=[Membership.Role.OWNER, Membership.Role.EDITOR],
        )
        .distinct()
        .order_by("pk")
    )


def _language(user: User) -> str:
    return language_code(user_language(user=user))


def notification_texts(render: Callable[[], tuple[str, str]]) -> dict[str, list[str]]:
    """`render()`'s (title, body) in each of the service's languages: a notification's `texts`, so that
    it reads in whichever language its reader uses later, not only the one they had when it was made."""
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            title, body = render()
        texts[language] = [title[:300], body]
    return texts


def _contact_line(firm: Firm) -> str:
    parts = [firm.contact_name, firm.contact_email, str(firm.contact_phone or "")]
    return f"{firm.name}: " + ", ".join(p for p in parts if p)


def _days(n: int) -> str:
    """ "3 days" in the active language, with its plural form (Ukrainian has three)."""
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


def _within_days(n: int) -> str:
    """ "within 3 days": Ukrainian puts the noun after "протягом" in the genitive ("1 дня", "3 днів")."""
    return ngettext("within %(n)s day", "within %(n)s days", n) % {"n": n}


def render(kind: str, event: ProposalEvent) -> tuple[str, str]:
    """(title, body) for the active language. Public profile facts only, contacts only once connected."""
    from review.services.workflow import expiry_period

    proposal = event.proposal
    names = {"ukrainian": proposal.ukrainian.name, "partner": proposal.partner.name, "id": proposal.pk}
    if kind == Kind.APPROVED:
        title = gettext("Proposal approved: %(ukrainian)s and %(partner)s") % names
        body = gettext(
            "The ministry's reviewers approved a proposed introduction between %(ukrainian)s and %(partner)s "
            "(proposal #%(id)s). Please accept or decline it %(within)s. "
            "Contacts are shared once both firms accept."
        ) % {**names, "within": _within_days(expiry_period().days)}
    elif kind == Kind.ACCEPTED:
        firm = event.firm.name if event.firm else ""
        title = gettext("%(firm)s accepted the proposal") % {"firm": firm}
        body = gettext(
            "%(firm)s accepted the introduction proposed in proposal #%(id)s. "
            "Accept it too and both firms will see each other's contact."
        ) % {**names, "firm": firm}
    elif kind == Kind.CONNECTED:
        title = gettext("Connected: %(ukrainian)s and %(partner)s") % names
        body = (
            gettext("Both firms accepted proposal #%(id)s. Here are the contacts:") % names
            + "\n\n"
            + "\n".join([_contact_line(proposal.ukrainian), _contact_line(proposal.partner)])
        )
    elif kind == Kind.EXPIRED:
        title = gettext("Proposal expired: %(ukrainian)s and %(partner)s") % names
        body = gettext("Proposal #%(id)s expired because both firms did not accept it %(within)s.") % {
            **names,
            "within": _within_days(expiry_period().days),
        }
    elif kind == Kind.OUTCOME:
        title = gettext("Outcome recorded: %(ukrainian)s and %(partner)s") % names
        if event.to_status == S.PARTNERSHIP:
            body = gettext("A partnership was recorded for proposal #%(id)s: %(kind)s, dated %(date)s.") % {
                **names,
                "kind": str(Proposal.OutcomeKind(proposal.outcome_kind).label),
                "date": proposal.outcome_date.isoformat() if proposal.outcome_date else "",
            }
        else:
            body = gettext("Proposal #%(id)s was closed without a partnership.") % names
    else:
        raise ValueError(f"unknown notification kind {kind!r}")
    return title, body


def proposal_link(proposal_id: int) -> str:
    """The one address of a proposal for emails and notifications (web `proposal_open` sends each
    person on to their firm's page of it, or the reviewers')."""
    return settings.SITE_URL + reverse("web:proposal_open", args=[proposal_id])


def _with_link(body: str, proposal_id: int) -> str:
    return body + "\n\n" + gettext("Open the proposal: %(link)s") % {"link": proposal_link(proposal_id)}


def notify_for_event(*, event: ProposalEvent) -> list[Notification]:
    """Create the notifications an event causes, each in its recipient's language; emails go after
    commit, with the proposal's link."""
    kind, firm_ids = _audience(event)
    if kind is None:
        return []
    created = []
    recipients = _recipients(firm_ids)
    texts = notification_texts(lambda: render(kind, event)) if recipients else {}
    for user in recipients:
        title, body = texts[_language(user)]
        notification = Notification.objects.create(
            user=user,
            kind=kind,
            proposal=event.proposal,
            event=event,
            title=title,
            body=body,
            texts=texts,
            idempotency_key=f"{event.pk}:{user.pk}",
        )
        outbox_enqueue(SEND_TASK, notification_id=notification.pk)
        created.append(notification)
    return created


def notify_users(
    *,
    users: Iterable[User],
    kind: str,
    key: str,
    render: Callable[[], tuple[str, str]],
    proposal: Proposal | None = None,
) -> list[Notification]:
    """Notify each user once per `key` (news of another app, e.g. an event's agenda): `render()`
    gives (title, body) in the recipient's language; the email goes after commit."""
    created = []
    texts: dict[str, list[str]] = {}
    for user in users:
        texts = texts or notification_texts(render)
        title, body = texts[_language(user)]
        notification, new = Notification.objects.get_or_create(
            idempotency_key=f"{key}:{user.pk}"[:120],
            defaults={"user": user, "kind": kind, "title": title, "body": body, "texts": texts, "proposal": proposal},
        )
        if new:
            outbox_enqueue(SEND_TASK, notification_id=notification.pk)
            created.append(notification)
    return created


def firm_members_notify(*, firm: Firm, kind: str, key: str, render: Callable[[], tuple[str, str]], **_payload) -> int:
    """Domain-event handler (`firm.reminder`): notify the firm's owners and editors once per `key`."""
    return len(notify_users(users=_recipients([firm.pk]), kind=kind, key=key, render=render))


def _with_answers(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """`proposals` with `ukrainian_answered` / `partner_answered`: has that firm accepted since the
    latest approval (an acceptance is an event with the firm)? Two EXISTS in the same query."""
    approval = ProposalEvent.objects.filter(proposal=OuterRef("pk"), to_status=S.APPROVED, from_status=S.PROPOSED)
    approved_at = approval.order_by("-created_at", "-pk").values("created_at")[:1]

    def accepted(side: str) -> Exists:
        return Exists(
            ProposalEvent.objects.filter(
                proposal=OuterRef("pk"),
                created_at__gte=OuterRef("approved_at"),
                data__action="accept",
                firm_id=OuterRef(f"{side}_id"),
            )
        )

    return proposals.annotate(approved_at=Coalesce(Subquery(approved_at), F("status_changed_at"))).annotate(
        ukrainian_answered=accepted("ukrainian"), partner_answered=accepted("partner")
    )


def _expiry_reminder_text(proposal: Proposal, firm: Firm, other: Firm, deadline, now) -> tuple[str, str]:
    left = max(1, round((deadline - now) / dt.timedelta(days=1)))
    title = ngettext(
        "Reminder: the proposal with %(other)s expires in %(days)s day",
        "Reminder: the proposal with %(other)s expires in %(days)s days",
        left,
    ) % {"other": other.name, "days": left}
    body = gettext(
        "%(firm)s has not yet answered proposal #%(id)s, an introduction to %(other)s approved by the "
        "ministry's reviewers. Accept or decline it before %(deadline)s; unanswered, it expires then."
    ) % {
        "firm": firm.name,
        "id": proposal.pk,
        "other": other.name,
        "deadline": formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT"),
    }
    return title, body


def proposal_expiry_reminders_send(*, now=None) -> int:
    """Remind the firms that have not answered an approved proposal, REVIEW["EXPIRY_REMINDER_DAYS"]
    (7 and 1) days before it expires, in each recipient's language, with the link. Once per proposal,
    approval, firm and threshold (the notification's idempotency key), so the hourly task may repeat.

    Six queries however many proposals are due: the due proposals with their firms and whether each
    firm answered, the owners and editors of the firms that did not, the reminders already sent, one
    INSERT of the new ones, their ids (ignore_conflicts returns none), and one INSERT of their emails'
    outbox messages (sent after commit)."""
    from review.services.workflow import expiry_period

    now = now or timezone.now()
    period = expiry_period()
    thresholds = sorted(settings.REVIEW.get("EXPIRY_REMINDER_DAYS", (7, 1)))
    if not thresholds:
        return 0
    widest = dt.timedelta(days=max(thresholds))
    due = _with_answers(
        Proposal.objects.filter(
            status=S.APPROVED, status_changed_at__gt=now - period, status_changed_at__lte=now - period + widest
        ).select_related("ukrainian", "partner")
    ).order_by("pk")
    # (proposal, firm to remind, the other firm, deadline, key): firms that accepted are not reminded.
    pending = []
    for proposal in due:
        deadline = proposal.status_changed_at + period
        days = next(d for d in thresholds if deadline - now <= dt.timedelta(days=d))  # the nearest threshold
        key = f"expiry:{proposal.pk}:{int(proposal.status_changed_at.timestamp())}:{days}"
        if not proposal.ukrainian_answered:
            pending.append((proposal, proposal.ukrainian, proposal.partner, deadline, key))
        if not proposal.partner_answered:
            pending.append((proposal, proposal.partner, proposal.ukrainian, deadline, key))
    if not pending:
        return 0
    recipients: dict[int, list[User]] = {}
    for membership in (
        Membership.objects.filter(
            firm_id__in={firm.pk for _p, firm, *_rest in pending},
            role__in=[Membership.Role.OWNER, Membership.Role.EDITOR],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id", "pk")
    ):
        recipients.setdefault(membership.firm_id, []).append(membership.user)
    wanted: dict[str, Notification] = {}
    for proposal, firm, other, deadline, key in pending:
        texts: dict[str, list[str]] = {}
        for user in recipients.get(firm.pk, []):
            idempotency_key = f"{key}:{user.pk}"[:120]
            if idempotency_key in wanted:
                continue  # one reminder per person and proposal, even for a member of both firms
            texts = texts or notification_texts(
                lambda p=proposal, f=firm, o=other, d=deadline: _expiry_reminder_text(p, f, o, d, now)
            )
            title, body = texts[_language(user)]
            wanted[idempotency_key] = Notification(
                user=user,
                kind=Kind.EXPIRY_REMINDER,
                title=title,
                body=body,
                texts=texts,
                proposal=proposal,
                idempotency_key=idempotency_key,
            )
    sent = set(Notification.objects.filter(idempotency_key__in=list(wanted)).values_list("idempotency_key", flat=True))
    new = [n for key, n in wanted.items() if key not in sent]
    if not new:
        return 0
    # A concurrent run may insert some of the same keys: the conflicting rows are skipped, and an email
    # enqueued by both runs goes once (`notification_send_email` claims it).
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    keys = [n.idempotency_key for n in new]
    ids = dict(Notification.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "pk"))
    outbox_enqueue_many(SEND_TASK, [{"notification_id": ids[key]} for key in keys if key in ids])
    return len(new)


def notification_send_email(*, notification_id: int) -> bool:
    """Email one notification, at most once: True when this call sent it.

    The conditional update of `emailed_at` is the claim; if sending raises, the claim is
    released so the task's retry can try again.
    """
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not notification.user.email:
        return False
    body = notification.body
    if notification.proposal_id:
        with translation.override(_language(notification.user)):
            body = _with_link(body, notification.proposal_id)
    try:
        send_mail(notification.title, body, None, [notification.user.email])
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def reviewer_digest_send(*, now=None) -> int:
    """Tell each active reviewer how many proposals wait for review; once per reviewer per day."""
    now = now or timezone.now()
    waiting = Proposal.objects.filter(status=S.PROPOSED)
    count = waiting.count()
    if not count:
        return 0
    oldest = waiting.order_by("status_changed_at").values_list("status_changed_at", flat=True).first()
    days = max((now - oldest).days, 0)
    day = timezone.localdate(now).isoformat()
    sent = 0
    reviewers = User.objects.filter(is_active=True, is_reviewer=True).order_by("pk")

    def render() -> tuple[str, str]:
        title = ngettext(
            "%(count)s proposal is waiting for review",
            "%(count)s proposals are waiting for review",
            count,
        ) % {"count": count}
        body = ngettext(
            "%(count)s proposal is waiting for your review; the oldest has waited %(period)s.",
            "%(count)s proposals are waiting for your review; the oldest has waited %(period)s.",
            count,
        ) % {"count": count, "period": _days(days)}
        return title, body

    texts = notification_texts(render)
    for user in reviewers:
        title, body = texts[_language(user)]
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                idempotency_key=f"digest:{day}:{user.pk}",
                defaults={"user": user, "kind": Kind.DIGEST, "title": title, "body": body, "texts": texts},
            )
            if created:
                outbox_enqueue(SEND_TASK, notification_id=notification.pk)
                sent += 1
    return sent
