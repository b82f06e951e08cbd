"""Firms register for an event with attendees and availability, change them, or leave."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Membership
from core.errors import ConflictError
from events.models import Event, Meeting, MeetingRequest, Participation
from events.rules import invalid, require_firm_writer, require_status, slots_of
from events.services.notify import notify_meeting_cancelled
from registry.models import Firm
from registry.selectors import BLOCK_NOT_VERIFIED, BLOCK_OWNER, BLOCK_SCREENING, firm_matching_block

MAX_ATTENDEES = 3
BLOCKED = {
    BLOCK_NOT_VERIFIED: gettext_lazy("%(firm)s is not verified or is suspended, so it cannot take part in events."),
    BLOCK_SCREENING: gettext_lazy(
        "%(firm)s is held for a sanctions screening review, so it cannot take part in events."
    ),
    BLOCK_OWNER: gettext_lazy(
        "%(firm)s has a declared owner from Russia or Belarus, so it cannot take part in events."
    ),
}


def require_eligible(firm: Firm, *, state: str) -> None:
    """The platform's one rule for who may be introduced (`firm_matching_block`): 409 naming the reason."""
    reason = firm_matching_block(firm=firm)
    if reason is not None:
        error = ConflictError(str(BLOCKED[reason]) % {"firm": firm.name}, current_state=state, code=reason)
        error.extra["firm"] = firm.pk
        raise error


def _clean_availability(
    event: Event, firm: Firm, *, attendees: list[int], blocks: list[int] | None, blocked_slots: list[int] | None
) -> tuple[list[int], list[int], list[int]]:
    attendees = list(dict.fromkeys(attendees or []))
    if not (1 <= len(attendees) <= MAX_ATTENDEES):
        raise invalid("attendees", gettext("Name one to three attendees (user ids of the firm's members)."))
    members = set(Membership.objects.filter(firm=firm, user_id__in=attendees).values_list("user_id", flat=True))
    strangers = [a for a in attendees if a not in members]
    if strangers:
        raise invalid(
            "attendees",
            gettext("Attendees must be members of the firm; not members: %(ids)s.")
            % {"ids": ", ".join(map(str, strangers))},
        )
    n_blocks = len(event.blocks)
    blocks = sorted(set(range(n_blocks) if blocks is None else blocks))
    if not blocks:
        raise invalid("blocks", gettext("Attend at least one block."))
    if any(not (0 <= b < n_blocks) for b in blocks):
        raise invalid("blocks", gettext("Each block is a number from 0 to %(last)s.") % {"last": n_blocks - 1})
    n_slots = len(slots_of(event))
    blocked = sorted(set(blocked_slots or []))
    if any(not (0 <= s < n_slots) for s in blocked):
        raise invalid("blocked_slots", gettext("Each slot is a number from 0 to %(last)s.") % {"last": n_slots - 1})
    return attendees, blocks, blocked


def _window_open(opens, closes) -> bool:
    now = timezone.now()
    return (opens is None or opens <= now) and (closes is None or now < closes)


def participation_register(
    *,
    event: Event,
    user,
    firm: Firm,
    attendees: list[int],
    blocks: list[int] | None = None,
    blocked_slots: list[int] | None = None,
) -> Participation:
    """Register `firm` (the user is its owner or editor) while registration is open."""
    require_firm_writer(user=user, firm=firm)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        require_status(event, Event.Status.OPEN, message=gettext("Registration is open only while the event is open."))
        if not _window_open(event.registration_opens_at, event.registration_closes_at):
            raise ConflictError(gettext("Registration for this event is closed."), current_state=event.status)
        firm = Firm.objects.select_for_update(no_key=True).get(pk=firm.pk)
        require_eligible(firm, state=event.status)
        attendees, blocks, blocked = _clean_availability(
            event, firm, attendees=attendees, blocks=blocks, blocked_slots=blocked_slots
        )
        participation, created = Participation.objects.get_or_create(
            event=event, firm=firm, defaults={"blocks": blocks, "blocked_slots": blocked, "registered_by": user}
        )
        if not created:
            if participation.status == Participation.Status.ACTIVE:
                raise ConflictError(
                    gettext("%(firm)s is already registered for this event.") % {"firm": firm.name},
                    current_state=participation.status,
                    code="already_registered",
                )
            participation.status = Participation.Status.ACTIVE
            participation.blocks, participation.blocked_slots = blocks, blocked
            participation.withdrawn_reason = ""
            participation.save()
        participation.attendees.set(attendees)
    return participation


def participation_update(*, participation: Participation, user, data: dict[str, Any]) -> Participation:
    """Change attendees or availability while the event is open or being scheduled."""
    require_firm_writer(user=user, firm=participation.firm)
    event = participation.event
    require_status(
        event,
        Event.Status.OPEN,
        Event.Status.SCHEDULING,
        message=gettext("Attendees and availability can change only until the agenda is published."),
    )
    if participation.status != Participation.Status.ACTIVE:
        raise ConflictError(gettext("This registration was withdrawn."), current_state=participation.status)
    attendees, blocks, blocked = _clean_availability(
        event,
        participation.firm,
        attendees=data.get("attendees", list(participation.attendees.values_list("pk", flat=True))),
        blocks=data.get("blocks", participation.blocks),
        blocked_slots=data.get("blocked_slots", participation.blocked_slots),
    )
    with transaction.atomic():
        participation.blocks, participation.blocked_slots = blocks, blocked
        participation.save(update_fields=["blocks", "blocked_slots", "updated_at"])
        participation.attendees.set(attendees)
    return participation


def _withdraw(participation: Participation, *, reason: str) -> None:
    """Withdraw: its requests are cancelled, its meetings cancelled and the other firms told."""
    participation.status = Participation.Status.WITHDRAWN
    participation.withdrawn_reason = reason[:300]
    participation.save(update_fields=["status", "withdrawn_reason", "updated_at"])
    mine = Q(sender=participation) | Q(receiver=participation)
    meetings = Meeting.objects.filter(
        Q(request__sender=participation) | Q(request__receiver=participation), status=Meeting.Status.SCHEDULED
    ).select_related("event", "request__sender__firm", "request__receiver__firm")
    for meeting in meetings:
        meeting.status = Meeting.Status.CANCELLED
        meeting.save(update_fields=["status", "updated_at"])
        other = (
            meeting.request.receiver_id if meeting.request.sender_id == participation.pk else meeting.request.sender_id
        )
        if meeting.published_slot is not None:
            notify_meeting_cancelled(meeting=meeting, participation_ids=[other])
    MeetingRequest.objects.filter(mine, status__in=["pending", "accepted"]).update(
        status=MeetingRequest.Status.CANCELLED
    )


def participation_withdraw(*, participation: Participation, user) -> Participation:
    """The firm (owner or editor) or a reviewer withdraws the firm from the event."""
    if not (user.is_authenticated and user.can_review):
        require_firm_writer(user=user, firm=participation.firm)
    if participation.event.status == Event.Status.CLOSED:
        raise ConflictError(gettext("The event is closed."), current_state=participation.event.status)
    with transaction.atomic():
        participation = Participation.objects.select_for_update().get(pk=participation.pk)
        if participation.status != Participation.Status.ACTIVE:
            raise ConflictError(gettext("This registration was already withdrawn."), current_state=participation.status)
        _withdraw(participation, reason="withdrawn by the firm" if not user.can_review else "withdrawn by a reviewer")
    return participation


def participations_withdraw_for_firm(*, firm: Firm, reason: str = "", **_payload: Any) -> int:
    """A firm became blocked (suspended, sanctions match): it leaves every event not yet closed.

    Runs in the publisher's transaction (core.events), under the firm's row lock."""
    active = (
        Participation.objects.select_for_update()
        .filter(firm=firm, status=Participation.Status.ACTIVE)
        .exclude(event__status=Event.Status.CLOSED)
        .order_by("pk")
    )
    count = 0
    for participation in active:
        _withdraw(participation, reason=reason or "firm blocked")
        count += 1
    return count
