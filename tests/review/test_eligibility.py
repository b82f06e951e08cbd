"""Blocked firms are never introduced (security review, issue 11 section 2).

review/services/workflow.py: approve, accept and outcomes need both firms eligible for matching
(registry.selectors.firm_matching_block); suspension withdraws open proposals through
`proposal_withdraw`; accepting past the expiry is a 409 `expired`; contacts of a connection are
hidden while either firm is suspended or flagged.
"""

import datetime as dt

import pytest
from django.utils import timezone, translation

from core.errors import ApplicationError, ConflictError
from matching.models import Proposal, ProposalEvent
from registry.models import BeneficialOwner, Firm
from registry.selectors import firm_ids_contact_visible_to, firm_matching_block, firms_eligible_for_matching
from registry.services import firm_suspend
from review.services import workflow as review
from tests.factories import FirmFactory, ProposalFactory

S = Proposal.Status
FS = Firm.ScreeningStatus


def url(pk: int, action: str = "") -> str:
    return f"/api/v1/proposals/{pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def approved(proposal_ab, rita):
    return review.proposal_approve(proposal=proposal_ab, reviewer=rita)


@pytest.fixture
def connected(approved, alice, bob):
    review.proposal_accept(proposal=approved, user=alice)
    return review.proposal_accept(proposal=approved, user=bob)


def _set(firm: Firm, **values) -> None:
    """Change a firm behind the services' back (an old row, an admin edit): the guards must still hold."""
    Firm.objects.filter(pk=firm.pk).update(**values)


# --- One rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", Firm.Status.values)
@pytest.mark.parametrize("screening", FS.values)
def test_the_per_firm_rule_and_the_match_run_queryset_agree(db, status, screening):
    firm = FirmFactory(status=status, screening_status=screening)
    eligible = firms_eligible_for_matching().filter(pk=firm.pk).exists()
    reason = firm_matching_block(firm=firm)
    assert eligible == (reason is None)
    if status != Firm.Status.VERIFIED:
        assert reason == "firm_suspended"
    elif screening in (FS.POTENTIAL_MATCH, FS.CONFIRMED_MATCH):
        assert reason == "screening_pending"


def test_a_russian_owner_blocks_the_firm_in_both_forms(firm_b):
    BeneficialOwner.objects.create(firm=firm_b, name="Petr Ivanov", country="RU", share_percent=25)
    assert firm_matching_block(firm=firm_b) == "blocking_owner"
    assert not firms_eligible_for_matching().filter(pk=firm_b.pk).exists()


# --- Accept ---------------------------------------------------------------------------------------


def test_a_suspended_firm_cannot_accept(approved, alice, firm_a):
    _set(firm_a, status=Firm.Status.SUSPENDED)
    with pytest.raises(ConflictError) as exc:
        review.proposal_accept(proposal=approved, user=alice)
    assert (exc.value.status, exc.value.code, exc.value.extra["firm"]) == (409, "firm_suspended", firm_a.pk)
    assert firm_a.name in exc.value.message
    approved.refresh_from_db()
    assert approved.status == S.APPROVED and approved.ukrainian_accepted_at is None


def test_the_other_side_cannot_accept_towards_a_suspended_firm_through_the_api(approved, alice, bob_client, firm_a):
    review.proposal_accept(proposal=approved, user=alice)
    _set(firm_a, status=Firm.Status.SUSPENDED)
    response = bob_client.post(url(approved.pk, "accept"), {}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "firm_suspended" and error["firm"] == firm_a.pk
    assert "SkyForge Robotics LLC" in error["message"]
    assert Proposal.objects.get(pk=approved.pk).status == S.APPROVED


def test_a_pending_firm_cannot_accept(approved, alice, firm_a):
    _set(firm_a, status=Firm.Status.PENDING)
    with pytest.raises(ConflictError) as exc:
        review.proposal_accept(proposal=approved, user=alice)
    assert exc.value.code == "firm_suspended"


@pytest.mark.parametrize("screening", [FS.POTENTIAL_MATCH, FS.CONFIRMED_MATCH])
def test_a_firm_under_screening_cannot_accept(approved, alice_client, firm_a, screening):
    _set(firm_a, screening_status=screening)
    response = alice_client.post(url(approved.pk, "accept"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "screening_pending"
    assert not ProposalEvent.objects.filter(proposal=approved, data__action="accept").exists()


def test_the_refusal_reads_in_ukrainian(approved, alice, firm_b):
    _set(firm_b, screening_status=FS.POTENTIAL_MATCH)
    with translation.override("uk"), pytest.raises(ConflictError) as exc:
        review.proposal_accept(proposal=approved, user=alice)
    assert "санкційної перевірки" in exc.value.message and "Optronik Systems GmbH" in exc.value.message


def test_a_false_positive_firm_may_still_accept(approved, alice, firm_a):
    _set(firm_a, screening_status=FS.FALSE_POSITIVE)
    assert review.proposal_accept(proposal=approved, user=alice).ukrainian_accepted_at is not None


# --- Expiry ---------------------------------------------------------------------------------------


def test_accepting_after_the_expiry_is_a_409_expired_and_expires_it(approved, alice_client, settings):
    past = timezone.now() - dt.timedelta(days=settings.REVIEW.get("EXPIRY_DAYS", 30) + 1)
    Proposal.objects.filter(pk=approved.pk).update(status_changed_at=past)
    response = alice_client.post(url(approved.pk, "accept"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "expired"
    approved.refresh_from_db()
    assert approved.status == S.EXPIRED and approved.ukrainian_accepted_at is None
    event = approved.events.last()
    assert (event.from_status, event.to_status, event.actor_role) == (S.APPROVED, S.EXPIRED, "system")
    # The hourly task finds nothing left to do.
    assert review.proposals_expire_due() == 0


def test_accepting_just_before_the_expiry_still_works(approved, alice, settings):
    almost = timezone.now() - dt.timedelta(days=settings.REVIEW.get("EXPIRY_DAYS", 30)) + dt.timedelta(minutes=5)
    Proposal.objects.filter(pk=approved.pk).update(status_changed_at=almost)
    assert review.proposal_accept(proposal=approved.pk, user=alice).status == S.APPROVED


# --- Approve (single and bulk) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": Firm.Status.SUSPENDED}, "firm_suspended"),
        ({"screening_status": FS.POTENTIAL_MATCH}, "screening_pending"),
        ({"screening_status": FS.CONFIRMED_MATCH}, "screening_pending"),
    ],
)
def test_a_reviewer_cannot_approve_a_proposal_with_a_blocked_firm(proposal_ab, rita_client, firm_b, change, code):
    _set(firm_b, **change)
    response = rita_client.post(url(proposal_ab.pk, "approve"), {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == code
    assert Proposal.objects.get(pk=proposal_ab.pk).status == S.PROPOSED
    assert not ProposalEvent.objects.exists()


def test_bulk_approval_refuses_each_proposal_with_a_blocked_firm(proposal_ab, rita_client, firm_a):
    flagged = FirmFactory(ref="de-flagged", partner=True, screening_status=FS.POTENTIAL_MATCH)
    clean = FirmFactory(ref="de-clean", partner=True)
    blocked = ProposalFactory(ukrainian=firm_a, partner=flagged)
    fine = ProposalFactory(ukrainian=firm_a, partner=clean)
    _set(proposal_ab.partner, status=Firm.Status.SUSPENDED)
    response = rita_client.post(
        "/api/v1/proposals/bulk-review/", {"action": "approve", "ids": [proposal_ab.pk, blocked.pk, fine.pk]}
    )
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json()["results"]}
    assert results[proposal_ab.pk]["error"]["code"] == "firm_suspended"
    assert results[blocked.pk]["error"]["code"] == "screening_pending"
    assert results[fine.pk] == {"id": fine.pk, "ok": True, "status": "approved"}
    statuses = dict(Proposal.objects.values_list("pk", "status"))
    assert (statuses[proposal_ab.pk], statuses[blocked.pk], statuses[fine.pk]) == (S.PROPOSED, S.PROPOSED, S.APPROVED)


# --- Outcomes -------------------------------------------------------------------------------------


def test_a_suspended_firm_cannot_record_an_outcome(connected, alice, firm_a):
    _set(firm_a, status=Firm.Status.SUSPENDED)
    with pytest.raises(ConflictError) as exc:
        review.proposal_record_outcome(proposal=connected, user=alice, kind="mou", date=dt.date(2026, 12, 1))
    assert exc.value.code == "firm_suspended"
    with pytest.raises(ConflictError):
        review.proposal_record_outcome(proposal=connected, user=alice, kind="closed", note="We stop")
    assert Proposal.objects.get(pk=connected.pk).status == S.CONNECTED


def test_no_outcome_is_recorded_for_a_suspended_firm_either(connected, bob_client, rita, firm_a):
    _set(firm_a, status=Firm.Status.SUSPENDED)
    response = bob_client.post(url(connected.pk, "outcome"), {"kind": "mou", "date": "2026-12-01", "note": "x"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "firm_suspended"
    with pytest.raises(ConflictError):  # not even a reviewer records a partnership with it
        review.proposal_record_outcome(proposal=connected, user=rita, kind="mou", date=dt.date(2026, 12, 1))
    # A reviewer may end the connection.
    closed = review.proposal_record_outcome(proposal=connected, user=rita, kind="closed", note="Firm suspended")
    assert closed.status == S.CLOSED


# --- Suspension withdraws -------------------------------------------------------------------------


def test_suspending_withdraws_open_proposals_with_an_event_each(proposal_ab, approved, rita, firm_a, firm_b):
    proposed = ProposalFactory(ukrainian=firm_a, partner=FirmFactory(ref="de-two", partner=True))
    connected = ProposalFactory(ukrainian=firm_a, partner=FirmFactory(ref="de-three", partner=True), status=S.CONNECTED)
    elsewhere = ProposalFactory(ukrainian=FirmFactory(ref="ua-other"), partner=firm_b)

    firm_suspend(firm=firm_a, reviewer=rita, reason="Forged certificates")

    for proposal, before in ((approved, S.APPROVED), (proposed, S.PROPOSED)):
        proposal.refresh_from_db()
        assert proposal.status == S.WITHDRAWN
        event = proposal.events.last()
        assert (event.from_status, event.to_status, event.actor, event.actor_role) == (
            before,
            S.WITHDRAWN,
            rita,
            "reviewer",
        )
        assert event.data == {"action": "withdraw", "reason": "suspended", "firm": firm_a.pk}
        # The reviewer's reason as written, inside a note coded for the reader's language.
        assert (event.note_code, event.note_params) == ("firm_suspended", {"reason": "Forged certificates"})
    connected.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (connected.status, elsewhere.status) == (S.CONNECTED, S.PROPOSED)


def test_suspension_through_the_api_withdraws_and_the_firms_no_longer_see_it(approved, rita_client, alice_client):
    firm_id = approved.ukrainian_id
    response = rita_client.post(f"/api/v1/firms/{firm_id}/suspend/", {"reason": "Under investigation"}, format="json")
    assert response.status_code == 200
    assert Proposal.objects.get(pk=approved.pk).status == S.WITHDRAWN
    assert alice_client.get(url(approved.pk)).status_code == 404
    assert rita_client.get(url(approved.pk)).json()["status"] == "withdrawn"


def test_withdraw_refuses_a_connected_proposal(connected, rita):
    with pytest.raises(ConflictError) as exc:
        review.proposal_withdraw(proposal=connected, actor=rita, actor_role="reviewer", reason="x")
    assert exc.value.extra["current_state"] == S.CONNECTED


def test_withdraw_needs_a_reason(proposal_ab, rita):
    with pytest.raises(ApplicationError) as exc:
        review.proposal_withdraw(proposal=proposal_ab, actor=rita, actor_role="reviewer", reason=" ")
    assert exc.value.fields == {"reason": ["This field is required."]}


def test_a_withdrawn_pair_is_proposed_again_once_both_firms_are_eligible(proposal_ab, rita, firm_a):
    from matching.services.selection import PROPOSE_AGAIN

    firm_suspend(firm=firm_a, reviewer=rita, reason="Checking documents")
    assert Proposal.objects.get(pk=proposal_ab.pk).status in PROPOSE_AGAIN


# --- Contacts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"status": Firm.Status.SUSPENDED}, {"screening_status": FS.POTENTIAL_MATCH}],
    ids=["suspended", "flagged"],
)
@pytest.mark.parametrize("blocked_side", ["firm_a", "firm_b"])
def test_a_connection_with_a_blocked_firm_shows_no_contacts_to_either_side(
    connected, alice_client, bob_client, rita_client, request, change, blocked_side, alice, bob
):
    firm_a, firm_b = connected.ukrainian, connected.partner
    assert alice_client.get(url(connected.pk)).json()["partner"]["contact"] is not None  # before
    _set(request.getfixturevalue(blocked_side), **change)

    for client in (alice_client, bob_client):
        body = client.get(url(connected.pk)).json()
        assert body["ukrainian"]["contact"] is None and body["partner"]["contact"] is None
        listed = client.get("/api/v1/proposals/").json()["results"]
        assert [p["partner"]["contact"] for p in listed if p["id"] == connected.pk] == [None]
    # The firm registry's own rule agrees: each sees only its own firm's contact.
    assert firm_ids_contact_visible_to(firm_ids=[firm_a.pk, firm_b.pk], user=alice) == {firm_a.pk}
    assert firm_ids_contact_visible_to(firm_ids=[firm_a.pk, firm_b.pk], user=bob) == {firm_b.pk}
    assert alice_client.get(f"/api/v1/firms/{firm_b.pk}/").json().get("contact") is None
    # Reviewers still see everything.
    assert rita_client.get(url(connected.pk)).json()["partner"]["contact"] is not None


def test_the_firm_pages_hide_the_contact_of_a_suspended_partner(connected, alice, client, firm_a, firm_b):
    client.force_login(alice)
    proposal_page = f"/firms/{firm_a.pk}/proposals/{connected.pk}/"
    for language in ("en", "uk"):
        response = client.get(proposal_page, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200 and firm_b.contact_email in response.content.decode()
    _set(firm_b, status=Firm.Status.SUSPENDED)
    for page in (proposal_page, f"/firms/{firm_a.pk}/"):
        for language in ("en", "uk"):
            response = client.get(page, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200
            assert firm_b.contact_email not in response.content.decode()
