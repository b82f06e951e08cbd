"""Events services on the database: validation, eligibility, requests, scheduling, publishing,
cancelling, follow-ups, and withdrawal of firms that become blocked."""

from __future__ import annotations

import pytest
from django.core import mail

from core.errors import ApplicationError, ConflictError
from events import services
from events.models import Event, Meeting, MeetingRequest, Participation, ScheduleRun
from matching.models import Notification, Proposal
from registry.models import Firm
from tests.events.helpers import DAY, accepted, make_event, register
from tests.factories import FirmFactory, MembershipFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name_en": "Kyiv Forum",
    "name_uk": "Київський форум",
    "venue": "Kyiv",
    "days": [DAY],
    "blocks": [{"start": "09:00", "end": "12:00"}],
    "tables": [{"number": 1}, {"number": 2, "zone": "B"}],
}


@pytest.fixture
def partner_user(db):
    firm = FirmFactory(ref="fr-lumiere", name="Lumiere Optique SA", country="FR", edrpou="")
    user = UserFactory(username="pierre")
    MembershipFactory(user=user, firm=firm, role="owner")
    return user, firm


def test_reviewer_creates_a_draft_event(rita):
    event = services.event_create(reviewer=rita, data=VALID)
    assert event.status == Event.Status.DRAFT and event.tables[1] == {"number": 2, "zone": "B"}


def test_firm_members_cannot_create_events(alice):
    with pytest.raises(ApplicationError) as exc:
        services.event_create(reviewer=alice, data=VALID)
    assert exc.value.status == 403


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"venue": "", "online": False}, "venue", "unless the event is online"),
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"blocks": [{"start": "12:00", "end": "12:10"}]}, "blocks", "one meeting length"),
        ({"blocks": [{"start": "09:00", "end": "11:00"}, {"start": "10:00", "end": "12:00"}]}, "blocks", "previous"),
        ({"tables": [{"number": 1}, {"number": 1}]}, "tables", "unique"),
        ({"days": []}, "days", "at least one day"),
        ({"max_meetings_per_firm": 0}, "max_meetings_per_firm", "between 1"),
    ],
)
def test_event_validation_names_the_field_and_the_rule(rita, change, field, words):
    with pytest.raises(ApplicationError) as exc:
        services.event_create(reviewer=rita, data={**VALID, **change})
    assert field in exc.value.fields
    assert words.lower() in " ".join(exc.value.fields[field]).lower()


def test_status_moves_only_along_the_allowed_path(rita):
    event = make_event(status=Event.Status.DRAFT)
    with pytest.raises(ConflictError):
        services.event_set_status(event=event, reviewer=rita, status="scheduling")
    assert services.event_set_status(event=event, reviewer=rita, status="open").status == "open"


def test_a_verified_firm_registers_with_members_as_attendees(alice, alice_viewer, firm_a):
    event = make_event()
    p = services.participation_register(event=event, user=alice, firm=firm_a, attendees=[alice.pk, alice_viewer.pk])
    assert set(p.attendees.values_list("username", flat=True)) == {"alice", "alice_viewer"}
    assert p.blocks == [0, 1]


def test_attendees_must_be_members_and_at_most_three(alice, bob, firm_a):
    event = make_event()
    with pytest.raises(ApplicationError) as exc:
        services.participation_register(event=event, user=alice, firm=firm_a, attendees=[bob.pk])
    assert "attendees" in exc.value.fields and "not members" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        services.participation_register(event=event, user=alice, firm=firm_a, attendees=[])
    assert "attendees" in exc.value.fields


def test_viewers_cannot_register_their_firm(alice_viewer, firm_a):
    with pytest.raises(ApplicationError) as exc:
        services.participation_register(event=make_event(), user=alice_viewer, firm=firm_a, attendees=[alice_viewer.pk])
    assert exc.value.status == 403


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": Firm.Status.SUSPENDED}, "firm_suspended"),
        ({"status": Firm.Status.PENDING}, "firm_suspended"),
        ({"screening_status": Firm.ScreeningStatus.POTENTIAL_MATCH}, "screening_pending"),
    ],
)
def test_a_blocked_firm_cannot_register(alice, firm_a, change, code):
    Firm.objects.filter(pk=firm_a.pk).update(**change)
    firm_a.refresh_from_db()
    with pytest.raises(ConflictError) as exc:
        services.participation_register(event=make_event(), user=alice, firm=firm_a, attendees=[alice.pk])
    assert exc.value.code == code


def test_a_firm_suspended_later_is_withdrawn_and_its_meetings_cancelled_and_the_other_firm_told(
    alice, bob, firm_a, firm_b, rita
):
    from registry import services as registry

    event = make_event(status=Event.Status.PUBLISHED)
    pa, pb = register(event, firm_a, alice), register(event, firm_b, bob)
    meeting = Meeting.objects.create(
        event=event, request=accepted(pa, pb), slot=0, table=0, published_slot=0, published_table=0
    )
    registry.firm_suspend(firm=firm_a, reviewer=rita, reason="Export licence revoked")
    pa.refresh_from_db()
    meeting.refresh_from_db()
    assert pa.status == Participation.Status.WITHDRAWN
    assert meeting.status == Meeting.Status.CANCELLED
    assert MeetingRequest.objects.get().status == MeetingRequest.Status.CANCELLED
    told = Notification.objects.filter(kind="event_meeting_cancelled")
    assert set(told.values_list("user__username", flat=True)) == {"bob"}


def test_requests_need_a_reason_and_an_open_event(alice, bob, firm_a, firm_b):
    event = make_event()
    pa, pb = register(event, firm_a, alice), register(event, firm_b, bob)
    with pytest.raises(ApplicationError) as exc:
        services.request_send(sender=pa, receiver=pb, user=alice, reason="  ")
    assert "reason" in exc.value.fields
    made = services.request_send(sender=pa, receiver=pb, user=alice, reason="Thermal optics", priority=1)
    assert made.status == MeetingRequest.Status.PENDING
    with pytest.raises(ConflictError) as exc:
        services.request_send(sender=pb, receiver=pa, user=bob, reason="Us too")
    assert exc.value.code == "already_requested"
    with pytest.raises(ApplicationError) as exc:
        services.request_accept(request=made, user=alice)  # the sender cannot accept its own request
    assert exc.value.status == 403
    assert services.request_accept(request=made, user=bob).status == MeetingRequest.Status.ACCEPTED


def test_in_an_opt_out_event_requests_count_as_accepted_and_may_still_be_declined(alice, bob, firm_a, firm_b):
    event = make_event(opt_out=True)
    pa, pb = register(event, firm_a, alice), register(event, firm_b, bob)
    made = services.request_send(sender=pa, receiver=pb, user=alice, reason="Joint production")
    assert made.status == MeetingRequest.Status.ACCEPTED
    assert services.request_decline(request=made, user=bob).status == MeetingRequest.Status.DECLINED


def test_existing_introductions_are_offered_and_scores_suggest_others(alice, bob, firm_a, firm_b):
    from events.selectors import suggestions_for

    other = FirmFactory(ref="pl-x", name="Polska Optyka", country="PL", edrpou="")
    event = make_event()
    pa = register(event, firm_a, alice)
    pb = register(event, firm_b, bob)
    po = register(event, other)
    ProposalFactory(ukrainian=firm_a, partner=firm_b, status=Proposal.Status.CONNECTED, score=0.7)
    ProposalFactory(ukrainian=firm_a, partner=other, status=Proposal.Status.PROPOSED, score=0.9)
    got = suggestions_for(participation=pa)
    assert [s["participation"] for s in got["introduced"]] == [pb.pk]
    assert [s["participation"] for s in got["suggested"]] == [po.pk]
    assert got["suggested"][0]["reasons"] == []  # a proposal not yet approved shows no reasons to firms


def _scheduled_event(alice, bob, firm_a, firm_b, status=Event.Status.SCHEDULING):
    event = make_event(status=status)
    pa, pb = register(event, firm_a, alice), register(event, firm_b, bob, blocked_slots=[0])
    accepted(pa, pb)
    return event, pa, pb


def test_the_scheduler_places_accepted_requests_and_reports_the_bound(
    alice, bob, rita, firm_a, firm_b, django_capture_on_commit_callbacks
):
    event, pa, pb = _scheduled_event(alice, bob, firm_a, firm_b)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.schedule_start(event=event, reviewer=rita, time_limit=5)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.SUCCEEDED and run.meetings == 1 and run.upper_bound == 1
    meeting = Meeting.objects.get()
    assert meeting.slot != 0  # firm B blocked slot 0
    # A repeated task message does nothing (idempotent claim).
    assert services.schedule_run_execute(run_id=run.pk) is False


def test_locked_meetings_stay_when_the_scheduler_runs_again(alice, bob, rita, firm_a, firm_b):
    event, pa, pb = _scheduled_event(alice, bob, firm_a, firm_b)
    request = MeetingRequest.objects.get()
    meeting = Meeting.objects.create(event=event, request=request, slot=5, table=2)
    services.meeting_set_locked(meeting=meeting, reviewer=rita, locked=True)
    run = ScheduleRun.objects.create(event=event, time_limit=3)
    services.schedule_run_execute(run_id=run.pk)
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.table, meeting.status) == (5, 2, "scheduled")


def test_publishing_tells_attendees_in_their_language_and_a_move_is_a_change(alice, bob, rita, firm_a, firm_b):
    alice.language = "uk"
    alice.save()
    event, pa, pb = _scheduled_event(alice, bob, firm_a, firm_b)
    meeting = Meeting.objects.create(event=event, request=MeetingRequest.objects.get(), slot=1, table=0)
    services.event_publish(event=event, reviewer=rita)
    titles = dict(Notification.objects.filter(kind="event_agenda").values_list("user__username", "title"))
    assert titles["alice"].startswith("Опубліковано попередній порядок денний")
    assert titles["bob"].startswith("Preliminary agenda published")
    services.event_set_status(event=event, reviewer=rita, status="scheduling")
    Meeting.objects.filter(pk=meeting.pk).update(slot=3)
    services.event_publish(event=event, reviewer=rita, final=True)
    changed = Notification.objects.filter(kind="event_meeting_changed")
    assert set(changed.values_list("user__username", flat=True)) == {"alice", "bob"}
    assert "Зустріч перенесено" in changed.get(user=alice).title


def test_cancelling_frees_the_slot_and_tells_the_other_firm(alice, bob, rita, firm_a, firm_b):
    event, pa, pb = _scheduled_event(alice, bob, firm_a, firm_b)
    meeting = Meeting.objects.create(event=event, request=MeetingRequest.objects.get(), slot=1, table=0)
    services.event_publish(event=event, reviewer=rita)
    mail.outbox.clear()
    services.meeting_cancel(meeting=meeting, user=alice)
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    told = Notification.objects.filter(kind="event_meeting_cancelled")
    assert list(told.values_list("user__username", flat=True)) == ["bob"]
    # The slot and table are free: another meeting may take them.
    other = FirmFactory(ref="pl-y", name="Polska Y", country="PL", edrpou="")
    po = register(event, other)
    Meeting.objects.create(event=event, request=accepted(pa, po), slot=1, table=0)


def test_yes_from_both_after_the_event_opens_an_approved_proposal(alice, bob, rita, firm_a, firm_b):
    event, pa, pb = _scheduled_event(alice, bob, firm_a, firm_b)
    meeting = Meeting.objects.create(event=event, request=MeetingRequest.objects.get(), slot=1, table=0)
    with pytest.raises(ConflictError):
        services.meeting_follow_up(meeting=meeting, user=alice, answer="yes")  # not yet taken place
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CLOSED)
    meeting.refresh_from_db()
    services.meeting_follow_up(meeting=meeting, user=alice, answer="yes")
    assert not Proposal.objects.exists()
    services.meeting_follow_up(meeting=meeting, user=bob, answer="yes")
    proposal = Proposal.objects.get()
    assert (proposal.ukrainian, proposal.partner, proposal.status) == (firm_a, firm_b, Proposal.Status.APPROVED)
    assert proposal.events.get().data["action"] == "event_follow_up"
    meeting.refresh_from_db()
    assert meeting.follow_up_proposal == proposal
    assert Notification.objects.filter(kind="approved", proposal=proposal).count() == 2


def test_an_already_connected_pair_stays_connected_after_a_yes_from_both(alice, bob, firm_a, firm_b):
    existing = ProposalFactory(ukrainian=firm_a, partner=firm_b, status=Proposal.Status.CONNECTED)
    event, pa, pb = _scheduled_event(alice, bob, firm_a, firm_b, status=Event.Status.CLOSED)
    meeting = Meeting.objects.create(event=event, request=MeetingRequest.objects.get(), slot=1, table=0)
    services.meeting_follow_up(meeting=meeting, user=alice, answer="yes")
    services.meeting_follow_up(meeting=meeting, user=bob, answer="yes")
    existing.refresh_from_db()
    assert existing.status == Proposal.Status.CONNECTED


def test_registration_and_booking_follow_their_windows(alice, bob, firm_a, firm_b):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    closed = make_event(registration_closes_at=now - dt.timedelta(hours=1))
    with pytest.raises(ConflictError, match="Registration for this event is closed"):
        services.participation_register(event=closed, user=alice, firm=firm_a, attendees=[alice.pk])
    event = make_event(booking_opens_at=now + dt.timedelta(days=1))
    pa, pb = register(event, firm_a, alice), register(event, firm_b, bob)
    with pytest.raises(ConflictError, match="Booking of meetings is closed"):
        services.request_send(sender=pa, receiver=pb, user=alice, reason="Optics")


def test_a_confirmed_sanctions_match_withdraws_the_firm_from_open_events(alice, bob, firm_a, firm_b):
    from compliance.services.decisions import proposals_withdraw_for_firm

    event = make_event()
    pa, pb = register(event, firm_a, alice), register(event, firm_b, bob)
    request = accepted(pa, pb)
    closed = make_event(status=Event.Status.CLOSED)
    past = register(closed, firm_a, alice)
    proposals_withdraw_for_firm(firm=firm_a, actor=None, actor_role="system")
    pa.refresh_from_db()
    past.refresh_from_db()
    request.refresh_from_db()
    assert pa.status == "withdrawn" and request.status == "cancelled"
    assert past.status == "active"  # a closed event's record stays as it was


def test_a_request_cancelled_while_the_solver_runs_is_not_placed(alice, bob, firm_a, firm_b, monkeypatch):
    from events.services import scheduling

    event, pa, pb = _scheduled_event(alice, bob, firm_a, firm_b)
    run = ScheduleRun.objects.create(event=event, time_limit=2)
    real = scheduling.solve

    def solve_then_cancel(*args, **kwargs):
        result = real(*args, **kwargs)
        MeetingRequest.objects.update(status=MeetingRequest.Status.CANCELLED)
        return result

    monkeypatch.setattr(scheduling, "solve", solve_then_cancel)
    services.schedule_run_execute(run_id=run.pk)
    assert not Meeting.objects.exists()
