"""Meeting requests between two participating firms: send with a reason, accept or decline."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import ConflictError
from core.text import clean_note
from events.models import Event, MeetingRequest, Participation
from events.rules import invalid, require_firm_writer, require_status
from matching.models import Proposal

REASON_MAX_LENGTH = 1000
R = MeetingRequest.Status
# Proposals that count as an existing introduction: offered as one-click requests.
INTRODUCED = (Proposal.Status.APPROVED, Proposal.Status.CONNECTED, Proposal.Status.PARTNERSHIP)


def pair_proposal(firm_a_id: int, firm_b_id: int) -> Proposal | None:
    return Proposal.objects.filter(
        Q(ukrainian_id=firm_a_id, partner_id=firm_b_id) | Q(ukrainian_id=firm_b_id, partner_id=firm_a_id)
    ).first()


def request_send(
    *, sender: Participation, receiver: Participation | int, user, reason: str, priority: int = 3
) -> MeetingRequest:
    """`sender`'s firm asks `receiver`'s for a meeting; in an opt-out event it counts as accepted."""
    require_firm_writer(user=user, firm=sender.firm)
    event = sender.event
    reason = clean_note(reason, field="reason", required=True, max_length=REASON_MAX_LENGTH)
    if not (1 <= int(priority) <= 5):
        raise invalid("priority", gettext("Must be from 1 (most wanted) to 5."))
    receiver_id = receiver.pk if isinstance(receiver, Participation) else receiver
    other = (
        Participation.objects.select_related("firm")
        .filter(pk=receiver_id, event=event, status=Participation.Status.ACTIVE)
        .first()
    )
    if other is None:
        raise invalid("receiver", gettext("Must be another firm registered for this event."))
    if other.pk == sender.pk:
        raise invalid("receiver", gettext("A firm cannot request a meeting with itself."))
    require_status(event, Event.Status.OPEN, message=gettext("Meetings can be requested only while the event is open."))
    now = timezone.now()
    if (event.booking_opens_at and now < event.booking_opens_at) or (
        event.booking_closes_at and now >= event.booking_closes_at
    ):
        raise ConflictError(gettext("Booking of meetings is closed for this event."), current_state=event.status)
    if sender.status != Participation.Status.ACTIVE:
        raise ConflictError(gettext("This registration was withdrawn."), current_state=sender.status)
    existing = MeetingRequest.objects.filter(
        Q(sender=sender, receiver=other) | Q(sender=other, receiver=sender), status__in=[R.PENDING, R.ACCEPTED]
    ).first()
    if existing is not None:
        if existing.sender_id == sender.pk:
            message = gettext("You have already asked %(firm)s for a meeting.")
        else:
            message = gettext("%(firm)s has already asked you for a meeting; answer their request.")
        raise ConflictError(
            message % {"firm": other.firm.name}, current_state=existing.status, code="already_requested"
        )
    proposal = pair_proposal(sender.firm_id, other.firm_id)
    values = {
        "event": event,
        "reason": reason,
        "priority": int(priority),
        "score": proposal.score if proposal else None,
        "proposal": proposal if proposal and proposal.status in INTRODUCED else None,
        "status": R.ACCEPTED if event.opt_out else R.PENDING,
        "created_by": user,
        "responded_at": now if event.opt_out else None,
    }
    try:
        with transaction.atomic():
            request, created = MeetingRequest.objects.get_or_create(sender=sender, receiver=other, defaults=values)
            if not created:  # declined or cancelled before: asked again
                for field, value in values.items():
                    setattr(request, field, value)
                request.responded_by = None
                request.save()
    except IntegrityError as exc:  # the same request sent twice at once
        raise ConflictError(
            gettext("You have already asked %(firm)s for a meeting.") % {"firm": other.firm.name},
            current_state=R.PENDING,
            code="already_requested",
        ) from exc
    return request


def _respond(request: MeetingRequest, *, user, to_status: str) -> MeetingRequest:
    require_firm_writer(user=user, firm=request.receiver.firm)
    event = request.event
    require_status(
        event,
        Event.Status.OPEN,
        Event.Status.SCHEDULING,
        message=gettext("Requests can be answered only until the agenda is published."),
    )
    with transaction.atomic():
        locked = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        allowed = [R.PENDING]
        if to_status == R.DECLINED and event.opt_out:
            allowed.append(R.ACCEPTED)  # opt-out: accepted unless declined
        if locked.status not in allowed:
            raise ConflictError(
                gettext("This request is %(status)s and can no longer be answered.")
                % {"status": R(locked.status).label},
                current_state=locked.status,
            )
        if to_status == R.DECLINED and hasattr(locked, "meeting") and locked.meeting.status == "scheduled":
            raise ConflictError(
                gettext("This meeting is already scheduled; cancel the meeting instead."), current_state=locked.status
            )
        locked.status = to_status
        locked.responded_by = user
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_by", "responded_at"])
    return locked


def request_accept(*, request: MeetingRequest, user) -> MeetingRequest:
    """The receiving firm (owner or editor) accepts: the scheduler will place the meeting."""
    return _respond(request, user=user, to_status=R.ACCEPTED)


def request_decline(*, request: MeetingRequest, user) -> MeetingRequest:
    """The receiving firm declines (also an opt-out event's request not yet scheduled)."""
    return _respond(request, user=user, to_status=R.DECLINED)
