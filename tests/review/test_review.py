"""The review state machine (review/services/workflow.py): transitions, guards, events."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import ApplicationError, ConflictError
from matching.models import Notification, Proposal, ProposalEvent
from review.services import workflow as review
from tests.factories import FirmFactory, MembershipFactory, ProposalFactory, UserFactory

S = Proposal.Status


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs ~0.3 s per user under load; these tests create many users and log none in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def approved(proposal_ab, rita):
    return review.proposal_approve(proposal=proposal_ab, reviewer=rita, note="Good fit")


@pytest.fixture
def connected(approved, alice, bob):
    review.proposal_accept(proposal=approved, user=alice)
    return review.proposal_accept(proposal=approved, user=bob)


def test_the_whole_path_from_proposed_to_partnership_writes_one_event_per_step(proposal_ab, rita, alice, bob):
    review.proposal_approve(proposal=proposal_ab, reviewer=rita, note="Strong complementarity")
    review.proposal_accept(proposal=proposal_ab, user=alice)
    review.proposal_accept(proposal=proposal_ab, user=bob)
    review.proposal_record_outcome(proposal=proposal_ab, user=bob, kind="mou", date=timezone.localdate(), note="Signed")

    proposal_ab.refresh_from_db()
    assert proposal_ab.status == S.PARTNERSHIP
    assert (proposal_ab.outcome_kind, proposal_ab.outcome_date) == ("mou", timezone.localdate())
    steps = list(
        proposal_ab.events.values_list("from_status", "to_status", "actor__username", "actor_role", "firm__ref")
    )
    assert steps == [
        ("proposed", "approved", "rita", "reviewer", None),
        ("approved", "approved", "alice", "owner", "ua-skyforge"),
        ("approved", "connected", "bob", "owner", "de-optronik"),
        ("connected", "partnership", "bob", "owner", "de-optronik"),
    ]


def test_reviewer_approval_keeps_the_note_on_the_event(approved):
    event = approved.events.get()
    assert (event.note, event.actor_role) == ("Good fit", "reviewer")


def test_administrator_can_approve_and_is_recorded_as_administrator(proposal_ab, adam):
    review.proposal_approve(proposal=proposal_ab, reviewer=adam)
    assert proposal_ab.events.get().actor_role == "administrator"


@pytest.mark.parametrize("who", ["alice", "alice_editor", "bob"])
def test_firm_members_cannot_approve_or_reject(proposal_ab, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(ApplicationError) as exc:
        review.proposal_approve(proposal=proposal_ab, reviewer=user)
    assert exc.value.status == 403
    with pytest.raises(ApplicationError):
        review.proposal_reject(proposal=proposal_ab, reviewer=user, reason="no")
    assert not ProposalEvent.objects.exists()


def test_reviewer_cannot_approve_a_proposal_twice(approved, rita):
    with pytest.raises(ConflictError) as exc:
        review.proposal_approve(proposal=approved, reviewer=rita)
    assert exc.value.status == 409
    assert exc.value.extra == {"current_state": "approved"}


def test_rejection_needs_a_reason(proposal_ab, rita):
    with pytest.raises(ApplicationError) as exc:
        review.proposal_reject(proposal=proposal_ab, reviewer=rita, reason="   ")
    assert exc.value.fields == {"reason": ["This field is required."]}
    review.proposal_reject(proposal=proposal_ab, reviewer=rita, reason="Export licence unlikely")
    assert Proposal.objects.get().status == S.REJECTED


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("proposed", lambda p, u: review.proposal_accept(proposal=p, user=u["alice"])),
        ("proposed", lambda p, u: review.proposal_decline(proposal=p, user=u["alice"], reason="x")),
        ("proposed", lambda p, u: review.proposal_expire(proposal=p)),
        ("approved", lambda p, u: review.proposal_reject(proposal=p, reviewer=u["rita"], reason="x")),
        ("approved", lambda p, u: review.proposal_supersede(proposal=p)),
        ("approved", lambda p, u: review.proposal_record_outcome(proposal=p, user=u["rita"], kind="closed", note="x")),
        ("rejected", lambda p, u: review.proposal_approve(proposal=p, reviewer=u["rita"])),
        ("declined", lambda p, u: review.proposal_accept(proposal=p, user=u["alice"])),
        ("expired", lambda p, u: review.proposal_accept(proposal=p, user=u["alice"])),
        ("superseded", lambda p, u: review.proposal_approve(proposal=p, reviewer=u["rita"])),
        ("connected", lambda p, u: review.proposal_decline(proposal=p, user=u["bob"], reason="x")),
        ("connected", lambda p, u: review.proposal_expire(proposal=p)),
        (
            "partnership",
            lambda p, u: review.proposal_record_outcome(proposal=p, user=u["rita"], kind="closed", note="x"),
        ),
        (
            "closed",
            lambda p, u: review.proposal_record_outcome(
                proposal=p, user=u["rita"], kind="mou", date=timezone.localdate()
            ),
        ),
    ],
)
def test_any_other_transition_is_a_conflict_naming_the_current_state(state, action, firm_a, firm_b, alice, bob, rita):
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, status=state)
    with pytest.raises(ConflictError) as exc:
        action(proposal, {"alice": alice, "bob": bob, "rita": rita})
    assert exc.value.extra["current_state"] == state
    proposal.refresh_from_db()
    assert proposal.status == state
    assert not ProposalEvent.objects.exists()


def test_first_acceptance_is_recorded_and_the_second_connects(approved, alice, bob):
    review.proposal_accept(proposal=approved, user=alice)
    approved.refresh_from_db()
    assert approved.status == S.APPROVED
    assert approved.ukrainian_accepted_at is not None and approved.partner_accepted_at is None

    review.proposal_accept(proposal=approved, user=bob)
    approved.refresh_from_db()
    assert approved.status == S.CONNECTED


def test_a_firm_cannot_accept_twice(approved, alice, alice_editor):
    review.proposal_accept(proposal=approved, user=alice)
    with pytest.raises(ConflictError) as exc:
        review.proposal_accept(proposal=approved, user=alice_editor)
    assert exc.value.code == "already_accepted"


def test_an_editor_may_accept_for_the_firm(approved, alice_editor):
    review.proposal_accept(proposal=approved, user=alice_editor)
    assert approved.events.last().actor_role == "editor"


@pytest.mark.parametrize("who", ["alice_viewer", "rita", "adam"])
def test_viewers_and_reviewers_cannot_accept_or_decline_for_a_firm(approved, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(ApplicationError) as exc:
        review.proposal_accept(proposal=approved, user=user)
    assert exc.value.status == 403
    with pytest.raises(ApplicationError) as exc:
        review.proposal_decline(proposal=approved, user=user, reason="no")
    assert exc.value.status == 403


def test_a_member_of_both_firms_must_say_which_firm_acts(approved, firm_a, firm_b):
    both = UserFactory(username="both")
    MembershipFactory(user=both, firm=firm_a, role="owner")
    MembershipFactory(user=both, firm=firm_b, role="editor")
    with pytest.raises(ApplicationError) as exc:
        review.proposal_accept(proposal=approved, user=both)
    assert exc.value.status == 400 and "firm" in exc.value.fields
    review.proposal_accept(proposal=approved, user=both, firm=firm_b.pk)
    approved.refresh_from_db()
    assert approved.partner_accepted_at is not None and approved.ukrainian_accepted_at is None


def test_acting_for_a_firm_outside_the_proposal_is_refused_by_field(approved, alice):
    other = FirmFactory(ref="ua-other")
    with pytest.raises(ApplicationError) as exc:
        review.proposal_accept(proposal=approved, user=alice, firm=other.pk)
    assert exc.value.fields == {"firm": ["Must be the id of one of the two firms of this proposal."]}


def test_decline_needs_a_reason_and_records_the_firm(approved, bob):
    with pytest.raises(ApplicationError) as exc:
        review.proposal_decline(proposal=approved, user=bob, reason="")
    assert "reason" in exc.value.fields
    review.proposal_decline(proposal=approved, user=bob, reason="We already work with a competitor")
    event = approved.events.last()
    assert (event.to_status, event.firm.ref, event.note) == (
        "declined",
        "de-optronik",
        "We already work with a competitor",
    )


def test_partnership_needs_a_known_kind_and_a_date(connected, alice):
    with pytest.raises(ApplicationError) as exc:
        review.proposal_record_outcome(proposal=connected, user=alice, kind="handshake", date=timezone.localdate())
    assert "kind" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        review.proposal_record_outcome(proposal=connected, user=alice, kind="licence")
    assert exc.value.fields == {"date": ["Required for a partnership."]}


def test_closing_needs_a_reason(connected, rita):
    with pytest.raises(ApplicationError) as exc:
        review.proposal_record_outcome(proposal=connected, user=rita, kind="closed")
    assert "reason" in exc.value.fields
    review.proposal_record_outcome(proposal=connected, user=rita, kind="closed", note="No budget this year")
    connected.refresh_from_db()
    assert connected.status == S.CLOSED
    assert connected.events.last().actor_role == "reviewer"


def test_a_viewer_cannot_record_an_outcome(connected, alice_viewer):
    with pytest.raises(ApplicationError) as exc:
        review.proposal_record_outcome(proposal=connected, user=alice_viewer, kind="mou", date=timezone.localdate())
    assert exc.value.status == 403


def test_approved_proposals_expire_after_the_configured_days(approved, settings):
    settings.REVIEW = {"EXPIRY_DAYS": 30}
    assert review.proposals_expire_due(now=timezone.now() + dt.timedelta(days=29)) == 0
    assert review.proposals_expire_due(now=timezone.now() + dt.timedelta(days=31)) == 1
    approved.refresh_from_db()
    assert approved.status == S.EXPIRED
    event = approved.events.last()
    assert (event.actor, event.actor_role) == (None, "system")
    # Running the periodic task again changes nothing.
    assert review.proposals_expire_due(now=timezone.now() + dt.timedelta(days=32)) == 0


def test_a_half_accepted_proposal_still_expires(approved, alice, settings):
    settings.REVIEW = {"EXPIRY_DAYS": 3}
    review.proposal_accept(proposal=approved, user=alice)
    assert review.proposals_expire_due(now=timezone.now() + dt.timedelta(days=4)) == 1


def test_bulk_review_reports_each_item_on_its_own(rita, firm_a):
    fresh = ProposalFactory(ukrainian=firm_a)
    done = ProposalFactory(ukrainian=firm_a, status=S.APPROVED)
    results = review.proposal_bulk_review(reviewer=rita, action="approve", ids=[fresh.pk, done.pk, 999999], note="ok")
    assert results == [
        {"id": fresh.pk, "ok": True, "status": "approved"},
        {
            "id": done.pk,
            "ok": False,
            "error": {
                "code": "invalid_transition",
                "message": "Cannot approve a proposal that is approved.",
                "current_state": "approved",
            },
        },
        {"id": 999999, "ok": False, "error": {"code": "not_found", "message": "No proposal with this id."}},
    ]


def test_events_are_never_updated_nor_deleted(approved):
    event = approved.events.get()
    event.note = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_approval_notifies_owners_and_editors_of_both_firms_only(alice, alice_editor, alice_viewer, bob, approved):
    recipients = set(Notification.objects.values_list("user__username", flat=True))
    assert recipients == {"alice", "alice_editor", "bob"}
