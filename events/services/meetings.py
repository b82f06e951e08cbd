"""Meetings after scheduling: organisers lock them, either firm cancels, both record a follow-up."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import ApplicationError, ConflictError
from core.permissions import require_reviewer
from events.models import Event, Meeting, MeetingRequest
from events.rules import firm_role, forbidden, invalid, require_firm_writer, require_status, slot_times, slots_of
from events.services.notify import notify_meeting_cancelled
from review.services.workflow import proposal_open_after_meeting

M = Meeting.Status


def meeting_set_locked(*, meeting: Meeting, reviewer, locked: bool) -> Meeting:
    """Lock a meeting where it is (the scheduler keeps it), or unlock it."""
    require_reviewer(reviewer, gettext("Only ministry reviewers can organise events."))
    require_status(
        meeting.event,
        Event.Status.SCHEDULING,
        Event.Status.PUBLISHED,
        message=gettext("Meetings can be locked only while the event is being scheduled or published."),
    )
    if meeting.status != M.SCHEDULED:
        raise ConflictError(gettext("A cancelled meeting cannot be locked."), current_state=meeting.status)
    meeting.locked = bool(locked)
    meeting.save(update_fields=["locked", "updated_at"])
    return meeting


def _side(meeting: Meeting, user, firm_id: int | None) -> str:
    """ "sender" or "receiver": the side of the meeting the user acts for (owner or editor of it)."""
    request = meeting.request
    sides = {request.sender.firm_id: "sender", request.receiver.firm_id: "receiver"}
    if firm_id is not None:
        if firm_id not in sides:
            raise invalid("firm", gettext("Must be the id of one of the two firms of this meeting."))
        candidates = [firm_id]
    else:
        candidates = [f for f in sides if firm_role(user=user, firm_id=f)]
        if len(candidates) > 1:
            raise invalid("firm", gettext("Required when you belong to both firms of the meeting."), code="required")
        if not candidates:
            raise forbidden(gettext("Only members of the two firms can do this."))
    firm = request.sender.firm if sides[candidates[0]] == "sender" else request.receiver.firm
    require_firm_writer(user=user, firm=firm)
    return sides[candidates[0]]


def meeting_cancel(*, meeting: Meeting, user, firm_id: int | None = None) -> Meeting:
    """Cancel: the slot and table are free again, the request will not be rescheduled, the other firm
    (both, when a reviewer cancels) is told."""
    if user.is_authenticated and user.can_review and firm_id is None:
        side = None
    else:
        side = _side(meeting, user, firm_id)
    require_status(
        meeting.event,
        Event.Status.SCHEDULING,
        Event.Status.PUBLISHED,
        message=gettext("Meetings can be cancelled only until the event is closed."),
    )
    with transaction.atomic():
        locked = (
            Meeting.objects.select_for_update()
            .select_related("event", "request__sender__firm", "request__receiver__firm")
            .get(pk=meeting.pk)
        )
        if locked.status != M.SCHEDULED:
            raise ConflictError(gettext("This meeting is already cancelled."), current_state=locked.status)
        locked.status = M.CANCELLED
        locked.locked = False
        locked.cancelled_by = user
        locked.save(update_fields=["status", "locked", "cancelled_by", "updated_at"])
        MeetingRequest.objects.filter(pk=locked.request_id).update(status=MeetingRequest.Status.CANCELLED)
        request = locked.request
        if side == "sender":
            told = [request.receiver_id]
        elif side == "receiver":
            told = [request.sender_id]
        else:
            told = [request.sender_id, request.receiver_id]
        notify_meeting_cancelled(meeting=locked, participation_ids=told)
    return locked


def meeting_follow_up(*, meeting: Meeting, user, answer: str, firm_id: int | None = None) -> Meeting:
    """After the meeting, each side says whether it should lead somewhere. "yes" from both opens the
    pair's proposal as approved (review's workflow) when one firm is Ukrainian and the other not."""
    if answer not in Meeting.FollowUp.values:
        raise invalid("answer", gettext("Must be yes or no."))
    side = _side(meeting, user, firm_id)
    event = meeting.event
    slots = slots_of(event)
    started = 0 <= meeting.slot < len(slots) and slot_times(event, slots[meeting.slot])[0] <= timezone.now()
    if not (event.status == Event.Status.CLOSED or (event.status == Event.Status.PUBLISHED and started)):
        raise ConflictError(
            gettext("A follow-up can be recorded once the meeting has taken place."), current_state=event.status
        )
    with transaction.atomic():
        locked = (
            Meeting.objects.select_for_update()
            .select_related("request__sender__firm", "request__receiver__firm")
            .get(pk=meeting.pk)
        )
        if locked.status != M.SCHEDULED:
            raise ConflictError(gettext("This meeting was cancelled."), current_state=locked.status)
        setattr(locked, f"{side}_follow_up", answer)
        locked.save(update_fields=[f"{side}_follow_up", "updated_at"])
        both = locked.sender_follow_up == locked.receiver_follow_up == Meeting.FollowUp.YES
        if both and locked.follow_up_proposal_id is None:
            a, b = locked.request.sender.firm, locked.request.receiver.firm
            if a.is_ukrainian != b.is_ukrainian:
                ukrainian, partner = (a, b) if a.is_ukrainian else (b, a)
                try:
                    with transaction.atomic():
                        proposal = proposal_open_after_meeting(
                            ukrainian=ukrainian, partner=partner, data={"event": event.pk, "meeting": locked.pk}
                        )
                except ApplicationError:
                    proposal = None  # a firm is no longer eligible: the answer stays recorded
                if proposal is not None:
                    locked.follow_up_proposal = proposal
                    locked.save(update_fields=["follow_up_proposal", "updated_at"])
    return locked
