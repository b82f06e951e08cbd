"""Rules every events service and selector shares: who acts for a firm, an event's slots, error shapes."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from accounts.models import Membership
from core.errors import ApplicationError, ConflictError
from events.models import Event
from events.scheduling.slots import Slot, event_slots

if TYPE_CHECKING:
    from registry.models import Firm

EDIT_ROLES = (Membership.Role.OWNER, Membership.Role.EDITOR)


def invalid(field: str, message: str, *, code: str = "invalid") -> ApplicationError:
    """A 400 naming the field and the rule, in the one error shape."""
    return ApplicationError(f"{field}: {message}", code=code, fields={field: [message]})


def not_found(message: str | None = None) -> ApplicationError:
    return ApplicationError(message or gettext("Not found."), code="not_found", status=404)


def forbidden(message: str) -> ApplicationError:
    return ApplicationError(message, code="permission_denied", status=403)


def firm_role(*, user, firm_id: int) -> str | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, firm_id=firm_id).values_list("role", flat=True).first()


def require_firm_writer(*, user, firm: Firm) -> str:
    """The user's role in `firm` when they may act for it (owner or editor); 403 otherwise."""
    role = firm_role(user=user, firm_id=firm.pk)
    if role is None:
        raise forbidden(gettext("You are not a member of this firm."))
    if role not in EDIT_ROLES:
        raise forbidden(gettext("Only an owner or editor of the firm can do this; viewers cannot."))
    return role


def require_status(event: Event, *allowed: str, message: str) -> None:
    if event.status not in allowed:
        raise ConflictError(message, current_state=event.status)


def slots_of(event: Event) -> list[Slot]:
    """The event's slots, cut in real time in its time zone (daylight-saving changes count)."""
    return event_slots(
        days=[dt.date.fromisoformat(d) for d in event.days],
        blocks=event.blocks,
        meeting_minutes=event.meeting_minutes,
        tz=zoneinfo.ZoneInfo(event.timezone),
    )


def slot_times(event: Event, slot: Slot) -> tuple[dt.datetime, dt.datetime]:
    """The slot's start and end as aware datetimes in the event's time zone."""
    return slot.starts_at, slot.ends_at


def table_label(event: Event, index: int) -> str:
    """The table's number, with its zone when it has one: "12" or "12 (B)"."""
    if not (0 <= index < len(event.tables)):
        return str(index + 1)
    table = event.tables[index]
    zone = table.get("zone") or ""
    return f"{table['number']} ({zone})" if zone else str(table["number"])


def available_slots(event: Event, slots: list[Slot], *, blocks: list[int], blocked_slots: list[int]) -> list[int]:
    """Slot numbers a participant can meet in: in the blocks it attends, not blocked."""
    attended, blocked = set(blocks), set(blocked_slots)
    return [s.index for s in slots if s.block in attended and s.index not in blocked]
