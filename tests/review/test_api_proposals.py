"""Proposals API (review/api/proposals.py): scoping, decisions, privacy, notifications, for every persona."""

import json

import pytest
from django.utils import timezone

from matching.models import Notification, Proposal
from registry.models import Capability, FirmCapability
from registry.selectors import firm_contact_visible_to, firm_ids_contact_visible_to
from review.services import workflow as review
from tests.conftest import PERSONAS
from tests.factories import FirmFactory, ProposalFactory

S = Proposal.Status
REVIEWER_NOTE = "Reviewer-only: ministry prefers this pair"
ALICE_DECLINE = "Alice-only: their prices are too high"
FIRM_MEMBERS_OF_A = ["alice_client", "alice_editor_client", "alice_viewer_client", "alice_token"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs ~0.3 s per user under load; these tests create many users and log none in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(pk=None, action=None):
    if pk is None:
        return "/api/v1/proposals/"
    return f"/api/v1/proposals/{pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def firm_c(db):
    return FirmFactory(ref="pl-carpathia", name="Carpathia Defence Sp. z o.o.", country="PL", edrpou="")


@pytest.fixture
def approved_ab(proposal_ab, rita):
    return review.proposal_approve(proposal=proposal_ab, reviewer=rita, note=REVIEWER_NOTE)


@pytest.fixture
def approved_ac(firm_a, firm_c, rita):
    """A's proposal with a third firm: bob is the outsider here."""
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_c)
    return review.proposal_approve(proposal=proposal, reviewer=rita)


def ids(response):
    return {row["id"] for row in response.json()["results"]}


# --- Who sees which proposals --------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_proposal_list_is_scoped_to_the_callers_firms_from_approved_on(persona, request, firm_a, firm_b, firm_c, rita):
    proposed_ab = ProposalFactory(ukrainian=firm_a, partner=firm_b)
    approved_ac = review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=firm_c), reviewer=rita)
    other_ua = FirmFactory(ref="ua-other", name="Other UA")
    approved_ob = review.proposal_approve(proposal=ProposalFactory(ukrainian=other_ua, partner=firm_b), reviewer=rita)
    rejected_ob = ProposalFactory(ukrainian=other_ua, partner=firm_c, status=S.REJECTED)
    name = request.node.callspec.params["persona"]
    response = persona.get(url())
    expected = {
        "anon": None,
        "bob_client": {approved_ob.pk},
        "rita_client": {proposed_ab.pk, approved_ac.pk, approved_ob.pk, rejected_ob.pk},
        "adam_client": {proposed_ab.pk, approved_ac.pk, approved_ob.pk, rejected_ob.pk},
    }.get(name, {approved_ac.pk})
    if expected is None:
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
    else:
        assert response.status_code == 200, response.content
        assert ids(response) == expected


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_proposal_detail_is_404_for_outsiders(persona, request, approved_ac):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "bob_client": 404}.get(name, 200)
    response = persona.get(url(approved_ac.pk))
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_a_proposal_is_invisible_to_the_firms_until_a_reviewer_approves_it(persona, request, proposal_ab):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "rita_client": 200, "adam_client": 200}.get(name, 404)
    assert persona.get(url(proposal_ab.pk)).status_code == expected


def test_proposal_payload_shows_public_profiles_scores_and_reasons(alice_client, approved_ab, firm_a):
    FirmCapabilityFactory = __import__("tests.factories", fromlist=["x"]).FirmCapabilityFactory
    FirmCapabilityFactory(firm=firm_a, capability=Capability.objects.get(code="uav.fpv"), kind="offer")
    body = alice_client.get(url(approved_ab.pk)).json()
    assert body["status"] == "approved"
    assert body["score"] == 0.8
    assert body["reasons"] == ["Both hold AQAP-2110"]
    assert body["ukrainian"]["offers"] == [{"code": "uav.fpv", "domain": "uav", "name": "FPV strike drones"}]
    assert body["ukrainian"]["contact"] is None and body["partner"]["contact"] is None
    assert body["accepted"] == {"ukrainian": False, "partner": False}
    assert body["expires_at"] is not None
    assert "review_note" not in body and "decline_reason" not in body


def test_reasons_and_capability_names_follow_accept_language(alice_client, approved_ab, firm_a):
    FirmCapability.objects.create(firm=firm_a, capability=Capability.objects.get(code="uav.fpv"), kind="offer")
    approved_ab.flags = {"codes": ["ML10"], "en": ["Military list ML10"], "uk": ["Військовий список ML10"]}
    approved_ab.save()
    body = alice_client.get(url(approved_ab.pk), HTTP_ACCEPT_LANGUAGE="uk").json()
    assert body["reasons"] == ["Обидві мають AQAP-2110"]
    assert body["flags"] == ["Військовий список ML10"] and body["flag_codes"] == ["ML10"]
    assert body["ukrainian"]["offers"][0]["name"] == "Ударні FPV-дрони"


def test_reviewers_see_review_notes_and_decline_reasons_in_the_payload(rita_client, approved_ab, alice):
    review.proposal_decline(proposal=approved_ab, user=alice, reason=ALICE_DECLINE)
    body = rita_client.get(url(approved_ab.pk)).json()
    assert body["review_note"] == REVIEWER_NOTE
    assert body["decline_reason"] == ALICE_DECLINE
    assert body["declined_by_firm"] == approved_ab.ukrainian_id


# --- Filters, ordering and query counts ------------------------------------------------------


def test_list_filters_by_status_firm_domain_and_min_score(rita_client, firm_a, firm_b, firm_c):
    uav = Capability.objects.get(code="uav.fpv")
    FirmCapability.objects.create(firm=firm_c, capability=uav, kind="seek")
    ab = ProposalFactory(ukrainian=firm_a, partner=firm_b, score=0.9)
    ac = ProposalFactory(ukrainian=firm_a, partner=firm_c, score=0.4, status=S.APPROVED)
    assert ids(rita_client.get(url(), {"status": "approved"})) == {ac.pk}
    assert ids(rita_client.get(url(), {"firm": firm_b.pk})) == {ab.pk}
    assert ids(rita_client.get(url(), {"domain": "uav"})) == {ac.pk}
    assert ids(rita_client.get(url(), {"min_score": 0.5})) == {ab.pk}
    ordered = rita_client.get(url(), {"ordering": "score"}).json()["results"]
    assert [row["id"] for row in ordered] == [ac.pk, ab.pk]


def test_invalid_filters_name_the_field(rita_client):
    response = rita_client.get(url(), {"min_score": "high", "status": "maybe"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"min_score", "status"}


@pytest.mark.parametrize("client_name", ["rita_client", "alice_client"])
def test_list_query_count_does_not_grow_with_the_number_of_proposals(
    client_name, request, firm_a, rita, django_assert_max_num_queries
):
    client = request.getfixturevalue(client_name)
    uav = Capability.objects.get(code="uav.fpv")

    def add(n):
        for _ in range(n):
            partner = FirmFactory(partner=True)
            FirmCapability.objects.create(firm=partner, capability=uav, kind="seek")
            review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=partner), reviewer=rita)

    add(2)
    with django_assert_max_num_queries(9) as few:
        assert len(client.get(url()).json()["results"]) == 2
    add(10)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(url()).json()["results"]) == 12


# --- Decisions, for every persona --------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_approve_is_for_reviewers_only(persona, request, proposal_ab):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "rita_client": 200, "adam_client": 200}.get(name, 404)  # firms cannot see it yet
    response = persona.post(url(proposal_ab.pk, "approve"), {"note": "fine"})
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["status"] == "approved"
        assert response.json()["review_note"] == "fine"


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_reject_is_for_reviewers_only(persona, request, proposal_ab):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "rita_client": 200, "adam_client": 200}.get(name, 404)
    response = persona.post(url(proposal_ab.pk, "reject"), {"reason": "Export licence unlikely"})
    assert response.status_code == expected


def test_reject_without_a_reason_names_the_field(rita_client, proposal_ab):
    response = rita_client.post(url(proposal_ab.pk, "reject"), {})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"reason": ["This field is required."]}


def test_unknown_fields_are_refused_by_name(rita_client, proposal_ab):
    response = rita_client.post(url(proposal_ab.pk, "approve"), {"notes": "typo"})
    assert response.status_code == 400
    assert "notes" in response.json()["error"]["fields"]


def test_second_approval_answers_409_with_the_current_state(rita_client, adam_client, proposal_ab):
    assert rita_client.post(url(proposal_ab.pk, "approve"), {}).status_code == 200
    response = adam_client.post(url(proposal_ab.pk, "approve"), {})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert response.json()["error"]["current_state"] == "approved"


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_accept_is_for_owners_and_editors_of_either_firm(persona, request, approved_ab):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "alice_viewer_client": 403, "rita_client": 403, "adam_client": 403}.get(name, 200)
    response = persona.post(url(approved_ab.pk, "accept"), {})
    assert response.status_code == expected, response.content
    if expected == 200:
        accepted = response.json()["accepted"]
        assert accepted == (
            {"ukrainian": False, "partner": True} if name == "bob_client" else {"ukrainian": True, "partner": False}
        )


def test_outsiders_get_404_on_another_firms_proposal_actions(bob_client, approved_ac):
    persona = bob_client
    for action, body in [
        ("accept", {}),
        ("decline", {"reason": "x"}),
        ("approve", {}),
        ("outcome", {"kind": "closed", "reason": "x"}),
    ]:
        assert persona.post(url(approved_ac.pk, action), body).status_code == 404
    assert persona.get(url(approved_ac.pk, "events")).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_decline_is_for_owners_and_editors_of_either_firm(persona, request, approved_ab):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "alice_viewer_client": 403, "rita_client": 403, "adam_client": 403}.get(name, 200)
    response = persona.post(url(approved_ab.pk, "decline"), {"reason": "Not now"})
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["status"] == "declined"


def test_accept_for_a_firm_not_in_the_proposal_names_the_field(alice_client, approved_ab, firm_c):
    response = alice_client.post(url(approved_ab.pk, "accept"), {"firm": firm_c.pk})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["firm"]


def test_both_acceptances_connect_and_reveal_contacts_to_both_firms(
    alice_client, bob_client, approved_ab, firm_a, firm_b
):
    alice_client.post(url(approved_ab.pk, "accept"), {})
    body = bob_client.post(url(approved_ab.pk, "accept"), {}).json()
    assert body["status"] == "connected"
    assert body["ukrainian"]["contact"] == {
        "name": firm_a.contact_name,
        "email": firm_a.contact_email,
        "phone": str(firm_a.contact_phone),
    }
    assert alice_client.get(url(approved_ab.pk)).json()["partner"]["contact"]["email"] == firm_b.contact_email
    # The registry's contact rule now agrees: bob sees A's contact, one query for a list.
    bob = body and approved_ab.partner.memberships.get().user
    assert firm_contact_visible_to(firm=firm_a, user=bob)
    assert firm_ids_contact_visible_to(firm_ids=[firm_a.pk, firm_b.pk], user=bob) == {firm_a.pk, firm_b.pk}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_outcome_is_recorded_by_reviewers_or_firm_editors(persona, request, approved_ab, alice, bob):
    review.proposal_accept(proposal=approved_ab, user=alice)
    review.proposal_accept(proposal=approved_ab, user=bob)
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "alice_viewer_client": 403}.get(name, 200)
    response = persona.post(
        url(approved_ab.pk, "outcome"),
        {"kind": "joint_venture", "date": str(timezone.localdate()), "note": "JV signed in Lviv"},
    )
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["status"] == "partnership"
        assert response.json()["outcome"]["kind"] == "joint_venture"


def test_outcome_validation_names_fields(alice_client, approved_ab, alice, bob):
    review.proposal_accept(proposal=approved_ab, user=alice)
    review.proposal_accept(proposal=approved_ab, user=bob)
    response = alice_client.post(url(approved_ab.pk, "outcome"), {"kind": "mou"})
    assert response.json()["error"]["fields"] == {"date": ["Required for a partnership."]}
    response = alice_client.post(url(approved_ab.pk, "outcome"), {"kind": "closed"})
    assert response.json()["error"]["fields"] == {"reason": ["Required when closing without a partnership."]}
    response = alice_client.post(url(approved_ab.pk, "outcome"), {"kind": "handshake", "date": "2026-01-01"})
    assert list(response.json()["error"]["fields"]) == ["kind"]
    assert (
        alice_client.post(url(approved_ab.pk, "outcome"), {"kind": "closed", "reason": "No budget"}).json()["status"]
        == "closed"
    )


# --- Bulk review ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_bulk_review_is_for_reviewers_only(persona, request, proposal_ab):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "rita_client": 200, "adam_client": 200}.get(name, 403)
    response = persona.post(url() + "bulk-review/", {"action": "approve", "ids": [proposal_ab.pk]})
    assert response.status_code == expected


def test_bulk_review_answers_per_item(rita_client, proposal_ab, firm_a):
    done = ProposalFactory(ukrainian=firm_a, status=S.REJECTED)
    response = rita_client.post(
        url() + "bulk-review/", {"action": "reject", "ids": [proposal_ab.pk, done.pk], "reason": "Out of scope"}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {"id": proposal_ab.pk, "ok": True, "status": "rejected"}
    assert results[1]["ok"] is False and results[1]["error"]["current_state"] == "rejected"


def test_bulk_reject_without_reason_names_the_field(rita_client, proposal_ab):
    response = rita_client.post(url() + "bulk-review/", {"action": "reject", "ids": [proposal_ab.pk]})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]
    assert Proposal.objects.get().status == S.PROPOSED


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", '"archive" is not a valid choice. Must be one of: approve, reject.'),
        ("uk", '"archive" не є коректним вибором. Має бути одним із: approve, reject.'),
    ],
)
def test_a_bulk_action_outside_the_choices_lists_them(rita_client, proposal_ab, language, message):
    response = rita_client.post(
        url() + "bulk-review/", {"action": "archive", "ids": [proposal_ab.pk]}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"action": [message]}


# --- Privacy: before connected, bob never sees A's contact, reviewer notes, or A's decline reason ----


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_before_connection_no_persona_but_reviewers_sees_private_things(persona, request, approved_ab, alice, firm_a):
    review.proposal_decline(proposal=approved_ab, user=alice, reason=ALICE_DECLINE)
    name = request.node.callspec.params["persona"]
    seen = "".join(
        json.dumps(persona.get(path).json(), ensure_ascii=False)
        for path in (url(), url(approved_ab.pk), url(approved_ab.pk, "events"))
    )
    assert firm_a.contact_email not in seen  # nobody: not connected
    if name in ("rita_client", "adam_client"):
        assert REVIEWER_NOTE in seen and ALICE_DECLINE in seen
    elif name == "anon":
        assert "not_authenticated" in seen
    elif name == "bob_client":
        assert REVIEWER_NOTE not in seen and ALICE_DECLINE not in seen
        assert approved_ab.pk in ids(persona.get(url()))  # he does see the proposal itself
    else:  # alice's own people: their own decline reason, never the reviewer's note
        assert REVIEWER_NOTE not in seen and ALICE_DECLINE in seen


def test_events_hide_notes_from_firms_and_say_so(bob_client, alice_client, approved_ab, alice):
    review.proposal_decline(proposal=approved_ab, user=alice, reason=ALICE_DECLINE)
    events = bob_client.get(url(approved_ab.pk, "events")).json()
    assert [(e["from_status"], e["to_status"], e["note"], e["note_hidden"], e["actor"]) for e in events] == [
        ("proposed", "approved", "", True, None),
        ("approved", "declined", "", True, None),  # nor who at A declined
    ]
    mine = alice_client.get(url(approved_ab.pk, "events")).json()
    assert [(e["note"], e["note_hidden"], e["actor"]) for e in mine] == [
        ("", True, None),  # the reviewer's note and name stay with the ministry
        (ALICE_DECLINE, False, "alice"),  # her own firm's action
    ]


def test_a_connected_firm_sees_the_other_side_contact_but_a_third_firm_never_does(
    approved_ab, approved_ac, alice, bob, bob_client, firm_c
):
    review.proposal_accept(proposal=approved_ab, user=alice)
    review.proposal_accept(proposal=approved_ab, user=bob)
    assert bob_client.get(url(approved_ab.pk)).json()["ukrainian"]["contact"] is not None
    assert not firm_contact_visible_to(firm=firm_c, user=bob)


# --- Notifications API ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_notifications_are_the_callers_own(persona, request, alice, alice_editor, bob, approved_ab):
    name = request.node.callspec.params["persona"]
    response = persona.get("/api/v1/notifications/")
    if name == "anon":
        assert response.status_code == 401
        return
    mine = {
        "alice_client": "alice",
        "alice_token": "alice",
        "alice_editor_client": "alice_editor",
        "bob_client": "bob",
    }.get(name)
    expected = set(Notification.objects.filter(user__username=mine).values_list("pk", flat=True)) if mine else set()
    assert ids(response) == expected
    if mine:
        assert len(expected) == 1


def test_notifications_can_be_marked_read_one_by_one_or_all(alice_client, bob_client, approved_ab, alice, bob):
    review.proposal_accept(proposal=approved_ab, user=bob)  # alice is told bob accepted
    mine = list(Notification.objects.filter(user=alice).order_by("-created_at", "-id"))
    assert len(mine) == 2
    listed = alice_client.get("/api/v1/notifications/").json()["results"]
    assert [n["id"] for n in listed] == [n.pk for n in mine]
    assert listed[0]["kind"] == "accepted"

    assert bob_client.post(f"/api/v1/notifications/{mine[0].pk}/read/").status_code == 404
    response = alice_client.post(f"/api/v1/notifications/{mine[0].pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert ids(alice_client.get("/api/v1/notifications/", {"unread": "true"})) == {mine[1].pk}
    assert alice_client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert ids(alice_client.get("/api/v1/notifications/", {"unread": "true"})) == set()
    bad = alice_client.get("/api/v1/notifications/", {"unread": "perhaps"})
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["unread"]


def test_the_whole_path_works_through_the_api(rita_client, alice_client, bob_client, proposal_ab):
    assert rita_client.post(url(proposal_ab.pk, "approve"), {"note": "go"}).status_code == 200
    assert alice_client.post(url(proposal_ab.pk, "accept"), {}).json()["status"] == "approved"
    assert bob_client.post(url(proposal_ab.pk, "accept"), {}).json()["status"] == "connected"
    done = bob_client.post(url(proposal_ab.pk, "outcome"), {"kind": "licence", "date": str(timezone.localdate())})
    assert done.json()["status"] == "partnership"
    assert [e["to_status"] for e in rita_client.get(url(proposal_ab.pk, "events")).json()] == [
        "approved",
        "approved",
        "connected",
        "partnership",
    ]


def test_the_firm_registry_api_reveals_a_contact_only_once_connected(bob_client, approved_ab, alice, bob, firm_a):
    def contact_seen():
        detail = bob_client.get(f"/api/v1/firms/{firm_a.pk}/")
        assert detail.status_code == 200, detail.content
        return detail.json()["contact"]

    assert contact_seen() is None
    review.proposal_accept(proposal=approved_ab, user=alice)
    assert contact_seen() is None  # one acceptance is not enough
    review.proposal_accept(proposal=approved_ab, user=bob)
    assert contact_seen()["email"] == firm_a.contact_email


def test_events_and_notifications_take_a_constant_number_of_queries(
    alice_client, rita_client, approved_ab, alice, bob, django_assert_max_num_queries
):
    review.proposal_accept(proposal=approved_ab, user=alice)
    review.proposal_accept(proposal=approved_ab, user=bob)
    review.proposal_record_outcome(proposal=approved_ab, user=bob, kind="mou", date=timezone.localdate())
    for client in (alice_client, rita_client):
        with django_assert_max_num_queries(6):
            assert len(client.get(url(approved_ab.pk, "events")).json()) == 4
    assert Notification.objects.filter(user=alice).count() == 3  # approved, connected, outcome
    with django_assert_max_num_queries(3):
        assert len(alice_client.get("/api/v1/notifications/").json()["results"]) == 3
