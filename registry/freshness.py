"""The daily freshness pass: profiles and certifications that stay current (issue 14).

A verified firm's profile goes stale PROFILE_STALE_MONTHS after a member last confirmed it
(`registry.models.profile_stale_cutoff`); its owners and editors are reminded 30 and 7 days
before, and told when it happens. A certification with an expiry date gets the same reminders,
then is removed from the profile on the day after its last valid day
(`registry.services.firm_certifications_expire`).

Idempotent: a reminder is a FirmReminder row, unique per firm, subject, cycle (the day it falls
due) and threshold, written in the transaction that asks for its notifications (`firm.reminder`,
delivered once per reminder and person). A run that is late sends only the most urgent reminder
still due; a new confirmation or expiry date starts another cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from core import events
from registry.models import Firm, FirmReminder
from registry.selectors import FRESHNESS_REMINDER_DAYS
from registry.services import firm_certifications_expire

REMINDER_DAYS = FRESHNESS_REMINDER_DAYS  # days before; 0 is the notice that it happened
KIND_PROFILE = "profile_freshness"
KIND_CERTIFICATION = "certification_expiry"
CERTIFICATION_SUBJECT = "certification:"


@dataclass(frozen=True)
class Due:
    firm: Firm
    subject: str
    due_on: dt.date
    days_before: int


def _threshold(days_left: Callable[[int], bool]) -> int | None:
    """The most urgent threshold reached: 0 when `days_left(0)`, else the smallest reminder day."""
    for days in (0, *sorted(REMINDER_DAYS)):
        if days_left(days):
            return days
    return None


def _dashboard_url(firm: Firm) -> str:
    return settings.SITE_URL + reverse("web:firm_dashboard", args=[firm.pk])


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


# --- Profiles -------------------------------------------------------------------------------------


def profile_reminders_due(*, now: dt.datetime) -> list[Due]:
    """Verified firms stale now or within the largest reminder window, with the threshold reached."""
    horizon = now + dt.timedelta(days=max(REMINDER_DAYS))
    firms = list(
        Firm.objects.filter(status=Firm.Status.VERIFIED)
        .stale(now=horizon)
        .only("id", "name", "status", "confirmed_at")
        .order_by("id")
    )
    due = []
    for firm in firms:
        days = _threshold(lambda d, firm=firm: firm.is_stale(now + dt.timedelta(days=d)))
        if days is not None:
            due.append(Due(firm, FirmReminder.PROFILE, timezone.localdate(firm.stale_on), days))
    return due


def _profile_render(firm: Firm, days_before: int) -> Callable[[], tuple[str, str]]:
    def render() -> tuple[str, str]:
        names = {
            "firm": firm.name,
            "confirmed": _day(timezone.localdate(firm.confirmed_at)),
            "date": _day(timezone.localdate(firm.stale_on)),
            "url": _dashboard_url(firm),
        }
        if days_before == 0:
            title = gettext("The profile of %(firm)s is stale") % names
            body = (
                gettext(
                    "Nobody has confirmed the profile of %(firm)s since %(confirmed)s, so it is hidden from the "
                    "directory and paused from matching. An owner or editor can confirm that it is still current "
                    "with one click on the firm's page: %(url)s"
                )
                % names
            )
        else:
            title = gettext("Confirm the profile of %(firm)s by %(date)s") % names
            body = (
                gettext(
                    "The profile of %(firm)s was last confirmed on %(confirmed)s. Unless an owner or editor confirms "
                    "that it is still current by %(date)s, it will be hidden from the directory and paused from "
                    "matching. Check it and confirm it with one click on the firm's page: %(url)s"
                )
                % names
            )
        return title, body

    return render


# --- Certifications --------------------------------------------------------------------------------


def certification_reminders_due(*, today: dt.date) -> tuple[list[Due], list[int]]:
    """(reminders of certifications expiring within the largest window, ids of firms holding an
    expired one). A certification is valid through its date and expired the day after."""
    firms = Firm.objects.exclude(certification_expiry={}).only("id", "name", "status", "certification_expiry")
    due, expired = [], []
    for firm in firms.order_by("id"):
        for code, day in sorted(firm.certification_expiry.items()):
            last = dt.date.fromisoformat(day)
            if last < today:
                expired.append(firm.pk)
                continue
            days = _threshold(lambda d, to_go=(last - today).days: d > 0 and to_go <= d)
            if days is not None:
                due.append(Due(firm, CERTIFICATION_SUBJECT + code, last, days))
    return due, sorted(set(expired))


def _certification_render(firm: Firm, code: str, last: dt.date, days_before: int) -> Callable[[], tuple[str, str]]:
    def render() -> tuple[str, str]:
        names = {"firm": firm.name, "certification": code, "date": _day(last), "url": _dashboard_url(firm)}
        if days_before == 0:
            title = gettext("%(certification)s of %(firm)s has expired") % names
            body = (
                gettext(
                    "The %(certification)s certification of %(firm)s was valid until %(date)s. It is no longer shown "
                    "on the profile nor used by the directory's filters and matching. Once it is renewed, add it "
                    "again with its new expiry date: %(url)s"
                )
                % names
            )
        else:
            title = gettext("%(certification)s of %(firm)s expires on %(date)s") % names
            body = (
                gettext(
                    "The %(certification)s certification of %(firm)s is valid until %(date)s. After that day it is no "
                    "longer shown on the profile nor used by the directory's filters and matching. If it has been "
                    "renewed, give its new expiry date: %(url)s"
                )
                % names
            )
        return title, body

    return render


# --- The pass -----------------------------------------------------------------------------------------


def _send(due: Due, kind: str, render: Callable[[], tuple[str, str]]) -> bool:
    """Record the reminder and ask for its notifications in one transaction; False if already sent."""
    try:
        with transaction.atomic():
            reminder = FirmReminder.objects.create(
                firm=due.firm, subject=due.subject, due_on=due.due_on, days_before=due.days_before
            )
            events.publish(events.FIRM_REMINDER, firm=due.firm, kind=kind, key=f"reminder:{reminder.pk}", render=render)
    except IntegrityError:
        return False  # sent by an earlier or a concurrent run
    return True


def _unsent(due: list[Due]) -> list[Due]:
    """`due` without the reminders already sent (in a query per 500 firms: most were, on most days)."""
    firm_ids = sorted({d.firm.pk for d in due})
    sent: set[tuple] = set()
    for start in range(0, len(firm_ids), 500):
        rows = FirmReminder.objects.filter(firm_id__in=firm_ids[start : start + 500])
        sent.update(rows.values_list("firm_id", "subject", "due_on", "days_before"))
    return [d for d in due if (d.firm.pk, d.subject, d.due_on, d.days_before) not in sent]


def freshness_pass(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the reminders due, remove expired certifications (and say so): safe to run any number
    of times a day. Returns counts for the log."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"profile_reminders": 0, "certification_reminders": 0, "certifications_expired": 0}
    for due in _unsent(profile_reminders_due(now=now)):
        counts["profile_reminders"] += _send(due, KIND_PROFILE, _profile_render(due.firm, due.days_before))

    due_certifications, expired_firm_ids = certification_reminders_due(today=today)
    for firm_id in expired_firm_ids:
        # The removal and its notice commit together: a crash between them cannot lose the notice.
        with transaction.atomic():
            removed = firm_certifications_expire(firm_id=firm_id, today=today)
            firm = Firm.objects.only("id", "name", "status").get(pk=firm_id)
            for code, day in removed.items():
                due = Due(firm, CERTIFICATION_SUBJECT + code, dt.date.fromisoformat(day), 0)
                _send(due, KIND_CERTIFICATION, _certification_render(firm, code, due.due_on, 0))
        counts["certifications_expired"] += len(removed)
    for due in _unsent(due_certifications):
        code = due.subject.removeprefix(CERTIFICATION_SUBJECT)
        render = _certification_render(due.firm, code, due.due_on, due.days_before)
        counts["certification_reminders"] += _send(due, KIND_CERTIFICATION, render)
    return counts
