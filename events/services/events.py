"""Organisers' side of an event: create, edit, move through its statuses, publish the agenda."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from core import events as domain_events
from core.errors import ApplicationError
from core.permissions import require_reviewer
from core.text import text_problem
from events.models import Event, Meeting, Participation
from events.rules import require_status, slots_of
from events.scheduling.slots import parse_hhmm
from events.services.notify import notify_agenda_published, notify_meeting_changed

S = Event.Status
# status -> statuses it may move to by `event_set_status` (publishing has its own service).
TRANSITIONS = {
    S.DRAFT: (S.OPEN,),
    S.OPEN: (S.SCHEDULING, S.CLOSED),
    S.SCHEDULING: (S.OPEN, S.CLOSED),
    S.PUBLISHED: (S.SCHEDULING, S.CLOSED),
    S.CLOSED: (),
}
MAX_DAYS = 14
MAX_BLOCKS = 12
MAX_TABLES = 1000
MAX_PER_FIRM = 100
FIELDS = (
    "name_en",
    "name_uk",
    "venue",
    "online",
    "timezone",
    "days",
    "meeting_minutes",
    "blocks",
    "tables",
    "registration_opens_at",
    "registration_closes_at",
    "booking_opens_at",
    "booking_closes_at",
    "opt_out",
    "max_meetings_per_firm",
)
PLATFORM_TZ = zoneinfo.ZoneInfo("Europe/Kyiv")  # whose "today" an event's days are checked against
CANNOT_EDIT = gettext_lazy("Only a draft or open event can be edited.")


def _clean(data: dict[str, Any], *, current: Event | None = None) -> dict[str, Any]:
    """The event's fields after the rules; every broken rule is reported at once, by field."""
    merged = {f: getattr(current, f) for f in FIELDS} if current else {}
    merged.update({k: v for k, v in data.items() if k in FIELDS})
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in ("name_en", "name_uk"):
        value = (merged.get(field) or "").strip()
        merged[field] = value
        if not value:
            fail(field, gettext("Required: the event's name in this language."))
        elif len(value) > 200:
            fail(field, gettext("At most 200 characters."))
        elif problem := text_problem(value):
            fail(field, problem)
    merged["venue"] = (merged.get("venue") or "").strip()
    merged["online"] = bool(merged.get("online"))
    if not merged["online"] and not merged["venue"]:
        fail("venue", gettext("Required unless the event is online."))
    elif len(merged["venue"]) > 300:
        fail("venue", gettext("At most 300 characters."))
    tz = merged.get("timezone") or "Europe/Kyiv"
    merged["timezone"] = tz
    if tz not in zoneinfo.available_timezones():
        fail("timezone", gettext("Not a known time zone; use a name such as Europe/Kyiv."))
    days = merged.get("days") or []
    try:
        parsed = sorted({d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in days})
    except ValueError:
        parsed = []
        fail("days", gettext("Each day must be a date in the form YYYY-MM-DD."))
    if not days:
        fail("days", gettext("Give at least one day."))
    elif len(parsed) > MAX_DAYS:
        fail("days", gettext("At most %(n)s days.") % {"n": MAX_DAYS})
    # No day before today in Kyiv; on an edit, the days the event already has may stay.
    today = timezone.localdate(timezone=PLATFORM_TZ)
    kept = {str(d) for d in (current.days if current else [])}
    past = [d for d in parsed if d < today and d.isoformat() not in kept]
    if past:
        fail(
            "days",
            gettext("Days cannot be in the past (before %(today)s, Kyiv time): %(days)s.")
            % {"today": today.isoformat(), "days": ", ".join(d.isoformat() for d in past)},
        )
    merged["days"] = [d.isoformat() for d in parsed]
    minutes = merged.get("meeting_minutes")
    minutes = 30 if minutes is None else minutes
    merged["meeting_minutes"] = minutes
    if not (5 <= int(minutes) <= 240):
        fail("meeting_minutes", gettext("Must be between 5 and 240 minutes."))
    blocks = merged.get("blocks") or []
    clean_blocks = []
    if not blocks:
        fail("blocks", gettext("Give at least one meeting block, e.g. 09:00 to 12:30."))
    if len(blocks) > MAX_BLOCKS:
        fail("blocks", gettext("At most %(n)s blocks a day.") % {"n": MAX_BLOCKS})
    previous_end = -1
    for i, block in enumerate(blocks):
        try:
            start, end = parse_hhmm(str(block["start"])), parse_hhmm(str(block["end"]))
        except (KeyError, TypeError, ValueError):
            fail("blocks", gettext("Block %(n)s: start and end must be times in the form HH:MM.") % {"n": i + 1})
            continue
        if end <= start:
            fail(
                "blocks",
                gettext("Block %(n)s: the end (%(end)s) must be later than the start (%(start)s).")
                % {"n": i + 1, "start": block["start"], "end": block["end"]},
            )
        elif end - start < int(minutes):
            fail("blocks", gettext("Block %(n)s: must end at least one meeting length after it starts.") % {"n": i + 1})
        if start < previous_end:
            fail("blocks", gettext("Block %(n)s: must start after the previous block ends.") % {"n": i + 1})
        previous_end = max(previous_end, end)
        clean_blocks.append({"start": block["start"], "end": block["end"]})
    merged["blocks"] = clean_blocks
    tables = merged.get("tables") or []
    numbers = [t.get("number") for t in tables if isinstance(t, dict)]
    if not tables:
        fail("tables", gettext("Give at least one table."))
    elif len(tables) > MAX_TABLES:
        fail("tables", gettext("At most %(n)s tables.") % {"n": MAX_TABLES})
    elif len(numbers) != len(tables) or any(not isinstance(n, int) or n < 1 for n in numbers):
        fail("tables", gettext("Each table needs a number of 1 or more."))
    elif len(set(numbers)) != len(numbers):
        fail("tables", gettext("Table numbers must be unique."))
    else:
        merged["tables"] = [{"number": t["number"], "zone": str(t.get("zone") or "")[:50]} for t in tables]
    for opens, closes in (
        ("registration_opens_at", "registration_closes_at"),
        ("booking_opens_at", "booking_closes_at"),
    ):
        if merged.get(opens) and merged.get(closes) and merged[opens] >= merged[closes]:
            fail(closes, gettext("Must be after %(field)s.") % {"field": opens})
    k = merged.get("max_meetings_per_firm")
    k = 12 if k is None else k
    merged["max_meetings_per_firm"] = k
    if not (1 <= int(k) <= MAX_PER_FIRM):
        fail("max_meetings_per_firm", gettext("Must be between 1 and %(n)s.") % {"n": MAX_PER_FIRM})
    merged["opt_out"] = bool(merged.get("opt_out"))
    if errors:
        first = next(iter(errors))
        raise ApplicationError(f"{first}: {errors[first][0]}", code="invalid", fields=errors)
    return merged


def event_check(*, data: dict[str, Any]) -> None:
    """Raise ApplicationError naming every field of a new event that breaks a rule (a form shows them
    all in one round, beside what it checks itself)."""
    _clean(data)


def event_create(*, reviewer, data: dict[str, Any]) -> Event:
    """A new event in draft, organised by the ministry's reviewers."""
    require_reviewer(reviewer, gettext("Only ministry reviewers can organise events."))
    values = _clean(data)
    event = Event(**values, created_by=reviewer)
    event.full_clean()
    event.save()
    return event


def event_update(*, event: Event, reviewer, data: dict[str, Any]) -> Event:
    """Change a draft or open event; the slots of an open event may not shrink under registrations."""
    require_reviewer(reviewer, gettext("Only ministry reviewers can organise events."))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        require_status(event, S.DRAFT, S.OPEN, message=str(CANNOT_EDIT))
        values = _clean(data, current=event)
        for field, value in values.items():
            setattr(event, field, value)
        event.full_clean()
        event.save()
    return event


def event_set_status(*, event: Event, reviewer, status: str) -> Event:
    """Move the event along draft -> open -> scheduling -> (published) -> closed."""
    require_reviewer(reviewer, gettext("Only ministry reviewers can organise events."))
    if status not in S.values:
        raise ApplicationError(
            gettext("status: not a known status."),
            fields={"status": [gettext("Must be one of: %(choices)s.") % {"choices": ", ".join(S.values)}]},
        )
    if status == S.PUBLISHED:
        raise ApplicationError(
            gettext("status: publish the agenda with the publish action."),
            fields={"status": [gettext("Use the publish action to publish the agenda.")]},
        )
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        require_status(
            event,
            *[s for s, targets in TRANSITIONS.items() if status in targets],
            message=gettext("The event cannot move from %(from)s to %(to)s.")
            % {"from": S(event.status).label, "to": S(status).label},
        )
        if status == S.OPEN and not slots_of(event):
            raise ApplicationError(
                gettext("blocks: the event has no meeting slot."),
                fields={"blocks": [gettext("The blocks give no slot of the meeting length.")]},
            )
        event.status = status
        event.save(update_fields=["status", "updated_at"])
    return event


def event_publish(*, event: Event, reviewer, final: bool = False) -> Event:
    """Publish the scheduled meetings as the preliminary or final agenda; tell the attendees.

    Meetings moved since the last published agenda are told to both firms as changes.
    """
    require_reviewer(reviewer, gettext("Only ministry reviewers can organise events."))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        require_status(
            event,
            S.SCHEDULING,
            S.PUBLISHED,
            message=gettext("Only an event being scheduled or already published can publish its agenda."),
        )
        if event.runs.filter(status__in=["queued", "running"]).exists():
            raise ApplicationError(
                gettext("The scheduler is still running; publish when it has finished."),
                code="scheduler_running",
                status=409,
                extra={"current_state": event.status},
            )
        meetings = list(
            Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED).select_related(
                "request__sender__firm", "request__receiver__firm"
            )
        )
        for meeting in meetings:
            moved = meeting.published_slot is not None and (
                meeting.published_slot != meeting.slot or meeting.published_table != meeting.table
            )
            if moved:
                notify_meeting_changed(meeting=meeting)
            if moved or meeting.published_slot is None:
                meeting.published_slot, meeting.published_table = meeting.slot, meeting.table
                meeting.save(update_fields=["published_slot", "published_table", "updated_at"])
        event.status = S.PUBLISHED
        event.agenda_final = final
        event.save(update_fields=["status", "agenda_final", "updated_at"])
        version = int(timezone.now().timestamp())
        notify_agenda_published(event=event, version=version)
        participations = event.participations.filter(status=Participation.Status.ACTIVE).order_by("pk")
        domain_events.publish(
            domain_events.EVENT_AGENDA_PUBLISHED,
            event_id=event.pk,
            event_name=event.name,
            final=final,
            version=version,
            participations=[{"participation": p, "firm": f} for p, f in participations.values_list("pk", "firm_id")],
        )
    return event
