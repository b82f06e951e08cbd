"""Reads of the events app: who sees which event, participation, request and meeting; agendas; stats."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Q, QuerySet

from core.i18n import language_code
from events.models import Event, Meeting, MeetingRequest, Participation, ScheduleRun
from events.rules import firm_role, not_found, slot_times, slots_of, table_label
from events.services.requests import INTRODUCED
from matching.models import Proposal

SUGGESTIONS = 5
HIDDEN_PROPOSALS = (Proposal.Status.REJECTED, Proposal.Status.WITHDRAWN)
# Firms read a proposal's reasons from `approved` on (review.selectors); earlier ones give only the score.
FIRM_VISIBLE = (*INTRODUCED, Proposal.Status.CLOSED, Proposal.Status.DECLINED, Proposal.Status.EXPIRED)


def _member_firm_ids(user) -> list[int]:
    from accounts.models import Membership

    return list(Membership.objects.filter(user=user).values_list("firm_id", flat=True))


def event_list_for(*, user) -> QuerySet[Event]:
    """Reviewers see every event; other signed-in people every event past its draft."""
    qs = Event.objects.annotate(
        participant_count=Count("participations", filter=Q(participations__status=Participation.Status.ACTIVE))
    ).order_by("-created_at", "-id")
    if not user.is_authenticated:
        return qs.none()
    return qs if user.can_review else qs.exclude(status=Event.Status.DRAFT)


def event_get_for(*, user, pk: int) -> Event:
    event = event_list_for(user=user).filter(pk=pk).first()
    if event is None:
        raise not_found()
    return event


def participation_get_for(*, user, pk: int) -> Participation:
    """A participation its firm's members and reviewers may see; 404 for everyone else."""
    p = Participation.objects.select_related("event", "firm").filter(pk=pk).first()
    if p is None or not user.is_authenticated:
        raise not_found()
    if user.can_review or firm_role(user=user, firm_id=p.firm_id):
        return p
    raise not_found()


def participations_of_user(*, user, event: Event) -> list[Participation]:
    """The user's firms' participations in `event` (active ones first)."""
    if not user.is_authenticated:
        return []
    return list(
        Participation.objects.select_related("firm")
        .filter(event=event, firm_id__in=_member_firm_ids(user))
        .order_by("status", "firm__name")
    )


def participant_list(*, event: Event) -> QuerySet[Participation]:
    """The event's registered firms (public profile facts only), by name."""
    return (
        Participation.objects.filter(event=event, status=Participation.Status.ACTIVE)
        .select_related("firm")
        .order_by("firm__name", "pk")
    )


def request_list_for(*, participation: Participation) -> QuerySet[MeetingRequest]:
    return (
        MeetingRequest.objects.filter(Q(sender=participation) | Q(receiver=participation))
        .select_related("sender__firm", "receiver__firm")
        .order_by("priority", "-created_at", "pk")
    )


def request_get_for(*, user, pk: int) -> MeetingRequest:
    r = MeetingRequest.objects.select_related("event", "sender__firm", "receiver__firm").filter(pk=pk).first()
    if r is None or not user.is_authenticated:
        raise not_found()
    if user.can_review or set(_member_firm_ids(user)) & {r.sender.firm_id, r.receiver.firm_id}:
        return r
    raise not_found()


def meeting_get_for(*, user, pk: int) -> Meeting:
    m = (
        Meeting.objects.select_related("event", "request__sender__firm", "request__receiver__firm")
        .filter(pk=pk)
        .first()
    )
    if m is None or not user.is_authenticated:
        raise not_found()
    if user.can_review:
        return m
    if m.event.status in (Event.Status.PUBLISHED, Event.Status.CLOSED) and set(_member_firm_ids(user)) & {
        m.request.sender.firm_id,
        m.request.receiver.firm_id,
    }:
        return m
    raise not_found()


def _reasons(proposal: Proposal | None, lang: str) -> list[str]:
    if proposal is None or proposal.status not in FIRM_VISIBLE:
        return []
    reasons = proposal.reasons or {}
    return reasons.get(lang) or reasons.get("en") or []


def suggestions_for(*, participation: Participation) -> dict[str, list[dict[str, Any]]]:
    """For one participant: its existing introductions among the participants (one-click requests),
    and "you should meet these five": the best-scoring other participants not yet asked."""
    lang = language_code()
    others = {
        p.firm_id: p
        for p in Participation.objects.filter(event=participation.event, status=Participation.Status.ACTIVE)
        .exclude(pk=participation.pk)
        .select_related("firm")
    }
    asked = set()
    for s, r in MeetingRequest.objects.filter(
        Q(sender=participation) | Q(receiver=participation), status__in=["pending", "accepted"]
    ).values_list("sender_id", "receiver_id"):
        asked |= {s, r}
    firm = participation.firm_id
    proposals = (
        Proposal.objects.filter(
            Q(ukrainian_id=firm, partner_id__in=others) | Q(partner_id=firm, ukrainian_id__in=others)
        )
        .exclude(status__in=HIDDEN_PROPOSALS)
        .order_by("-score", "pk")
    )
    introduced, suggested = [], []
    for proposal in proposals:
        other = others[proposal.partner_id if proposal.ukrainian_id == firm else proposal.ukrainian_id]
        if other.pk in asked:
            continue
        row = {
            "participation": other.pk,
            "firm": {"id": other.firm.pk, "name": other.firm.name, "country": str(other.firm.country)},
            "score": round(proposal.score, 3),
            "reasons": _reasons(proposal, lang),
            "proposal": proposal.pk if proposal.status in INTRODUCED else None,
        }
        if proposal.status in INTRODUCED:
            introduced.append(row)
        elif len(suggested) < SUGGESTIONS:
            suggested.append(row)
    return {"introduced": introduced, "suggested": suggested}


def agenda_for(*, participation: Participation, published_only: bool = True) -> list[dict[str, Any]]:
    """A participant's meetings in time order: when, table, counterpart's public profile, reasons."""
    event = participation.event
    if published_only and event.status not in (Event.Status.PUBLISHED, Event.Status.CLOSED):
        return []
    return meeting_rows(
        event=event,
        meetings=Meeting.objects.filter(
            Q(request__sender=participation) | Q(request__receiver=participation), status=Meeting.Status.SCHEDULED
        ),
        viewer=participation,
    )


def meeting_rows(*, event: Event, meetings: QuerySet[Meeting], viewer: Participation | None) -> list[dict[str, Any]]:
    lang = language_code()
    slots = slots_of(event)
    rows = []
    for m in meetings.select_related("request__sender__firm", "request__receiver__firm", "request__proposal").order_by(
        "slot", "table"
    ):
        request = m.request
        if viewer is not None:
            counterpart = request.receiver if request.sender_id == viewer.pk else request.sender
        else:
            counterpart = request.receiver
        start, end = slot_times(event, slots[m.slot]) if m.slot < len(slots) else (None, None)
        rows.append(
            {
                "meeting": m,
                "id": m.pk,
                "slot": m.slot,
                "start": start,
                "end": end,
                "table": table_label(event, m.table),
                "locked": m.locked,
                "sender": request.sender.firm,
                "receiver": request.receiver.firm,
                "counterpart": counterpart.firm,
                "reason": request.reason,
                "reasons": _reasons(request.proposal, lang),
                "my_follow_up": (
                    (m.sender_follow_up if request.sender_id == viewer.pk else m.receiver_follow_up) if viewer else ""
                ),
            }
        )
    return rows


def event_meetings(*, event: Event) -> list[dict[str, Any]]:
    return meeting_rows(
        event=event, meetings=Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED), viewer=None
    )


def user_feed_meetings(*, user) -> list[tuple[Event, dict[str, Any]]]:
    """Every published meeting the user attends, for their calendar feed."""
    participations = (
        Participation.objects.filter(
            attendees=user,
            status=Participation.Status.ACTIVE,
            event__status__in=[Event.Status.PUBLISHED, Event.Status.CLOSED],
        )
        .select_related("event", "firm")
        .order_by("pk")
    )
    out = []
    for p in participations:
        for row in agenda_for(participation=p):
            out.append((p.event, row))
    return out


def latest_run(*, event: Event) -> ScheduleRun | None:
    return event.runs.order_by("-created_at", "-pk").first()


def event_stats(*, event: Event) -> dict[str, Any]:
    """The reviewers' view of an event: participants by country, requests, acceptance, scheduled vs
    bound, follow-ups."""
    countries = Counter(str(c) for c in participant_list(event=event).values_list("firm__country", flat=True))
    requests = Counter(MeetingRequest.objects.filter(event=event).values_list("status", flat=True))
    answered = requests.get("accepted", 0) + requests.get("declined", 0)
    meetings = Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)
    run = latest_run(event=event)
    follow = meetings.aggregate(
        both_yes=Count("pk", filter=Q(sender_follow_up="yes", receiver_follow_up="yes")),
        answered=Count("pk", filter=~Q(sender_follow_up="") | ~Q(receiver_follow_up="")),
        proposals=Count("pk", filter=Q(follow_up_proposal__isnull=False)),
    )
    return {
        "participants": sum(countries.values()),
        "by_country": dict(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))),
        "requests": dict(requests),
        "requests_total": sum(requests.values()),
        "acceptance_rate": round(requests.get("accepted", 0) / answered, 3) if answered else None,
        "meetings": meetings.count(),
        "upper_bound": run.upper_bound if run and run.status == ScheduleRun.Status.SUCCEEDED else None,
        "follow_ups": follow,
    }
