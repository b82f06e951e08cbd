"""What an event tells its participants, each in their own language (through review's notifications)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext

from accounts.models import User
from events.models import Event, Meeting, Participation
from events.rules import EDIT_ROLES, slot_times, slots_of, table_label
from review.services.notifications import notify_users

KIND_PUBLISHED = "event_agenda"
KIND_CHANGED = "event_meeting_changed"
KIND_CANCELLED = "event_meeting_cancelled"


def participation_recipients(participation_ids: list[int]) -> list[User]:
    """A participating firm's attendees, and its owners and editors."""
    firm_ids = Participation.objects.filter(pk__in=participation_ids).values("firm_id")
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(event_participations__pk__in=participation_ids)
            | Q(memberships__firm_id__in=firm_ids, memberships__role__in=EDIT_ROLES)
        )
        .distinct()
        .order_by("pk")
    )


def _when(meeting: Meeting, slot_index: int) -> str:
    slots = slots_of(meeting.event)
    if not (0 <= slot_index < len(slots)):
        return "?"
    start, end = slot_times(meeting.event, slots[slot_index])
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} ({meeting.event.timezone})"


def notify_agenda_published(*, event: Event, version: int) -> int:
    ids = list(event.participations.filter(status=Participation.Status.ACTIVE).values_list("pk", flat=True))

    def render() -> tuple[str, str]:
        if event.agenda_final:
            title = gettext("Final agenda published: %(event)s") % {"event": event.name}
        else:
            title = gettext("Preliminary agenda published: %(event)s") % {"event": event.name}
        body = gettext("Your meetings at %(event)s are scheduled. See your agenda on the event's page.") % {
            "event": event.name
        }
        return title, body

    return len(
        notify_users(
            users=participation_recipients(ids), kind=KIND_PUBLISHED, key=f"ev{event.pk}:pub{version}", render=render
        )
    )


def notify_meeting_changed(*, meeting: Meeting) -> int:
    request = meeting.request

    def render() -> tuple[str, str]:
        names = {"a": request.sender.firm.name, "b": request.receiver.firm.name, "event": meeting.event.name}
        title = gettext("Meeting moved: %(a)s and %(b)s") % names
        body = gettext("Your meeting at %(event)s between %(a)s and %(b)s is now at %(when)s, table %(table)s.") % {
            **names,
            "when": _when(meeting, meeting.slot),
            "table": table_label(meeting.event, meeting.table),
        }
        return title, body

    key = f"ev-meeting{meeting.pk}:moved:{meeting.slot}:{meeting.table}"
    users = participation_recipients([request.sender_id, request.receiver_id])
    return len(notify_users(users=users, kind=KIND_CHANGED, key=key, render=render))


def notify_meeting_cancelled(*, meeting: Meeting, participation_ids: list[int]) -> int:
    request = meeting.request

    def render() -> tuple[str, str]:
        names = {"a": request.sender.firm.name, "b": request.receiver.firm.name, "event": meeting.event.name}
        title = gettext("Meeting cancelled: %(a)s and %(b)s") % names
        body = gettext("The meeting at %(event)s between %(a)s and %(b)s at %(when)s was cancelled.") % {
            **names,
            "when": _when(meeting, meeting.slot),
        }
        return title, body

    users = participation_recipients(participation_ids)
    return len(notify_users(users=users, kind=KIND_CANCELLED, key=f"ev-meeting{meeting.pk}:cancelled", render=render))
