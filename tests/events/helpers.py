"""Events built directly for tests: an event with slots and tables, participations, accepted requests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from events.models import Event, MeetingRequest, Participation

DAY = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def make_event(*, status: str = Event.Status.OPEN, tables: int = 3, created_by=None, **fields) -> Event:
    values = {
        "name_en": "Kyiv Defence Industry Forum",
        "name_uk": "Київський форум оборонної промисловості",
        "venue": "Kyiv, Parkovyi Congress Centre",
        "days": [DAY],
        "meeting_minutes": 30,
        "blocks": [{"start": "09:00", "end": "11:00"}, {"start": "12:00", "end": "13:00"}],  # 4 + 2 slots
        "tables": [{"number": n + 1, "zone": "A" if n < 2 else "B"} for n in range(tables)],
        "status": status,
        "created_by": created_by,
    }
    values.update(fields)
    return Event.objects.create(**values)


def register(event: Event, firm, *users, blocks=None, blocked_slots=()) -> Participation:
    p = Participation.objects.create(
        event=event,
        firm=firm,
        blocks=list(range(len(event.blocks))) if blocks is None else blocks,
        blocked_slots=list(blocked_slots),
    )
    p.attendees.set(users)
    return p


def accepted(sender: Participation, receiver: Participation, *, priority: int = 3, reason: str = "Thermal optics"):
    return MeetingRequest.objects.create(
        event=sender.event,
        sender=sender,
        receiver=receiver,
        reason=reason,
        priority=priority,
        status=MeetingRequest.Status.ACCEPTED,
    )
