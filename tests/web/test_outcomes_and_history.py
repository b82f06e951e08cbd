"""Issue 15: the outcome of a connected introduction recorded in the web (the workflow service the API
uses), history labels saying what happened and who did it, and the reviewer's verification note kept."""

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Proposal
from registry.models import Firm
from review.services.workflow import proposal_accept, proposal_approve, proposal_record_outcome
from tests.factories import FirmFactory, MembershipFactory, ProposalFactory, UserFactory
from tests.web.conftest import PAGE_PERSONAS
from web.history import proposal_event_label

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected_ab(firm_a, firm_b, alice, bob, rita):
    """An introduction of A and B through the real workflow: approved by rita, accepted by both."""
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed", score=0.81)
    proposal_approve(proposal=proposal, reviewer=rita, note="Strong pair")
    proposal_accept(proposal=proposal, user=alice)
    proposal_accept(proposal=proposal, user=bob)
    proposal.refresh_from_db()
    assert proposal.status == "connected"
    return proposal


def _page(firm, proposal) -> str:
    return reverse("web:firm_proposal", args=[firm.pk, proposal.pk])


# Today (Kyiv): a partnership cannot start before the introduction it came of, created in the test.
PARTNERSHIP = {"kind": "joint_venture", "date": str(timezone.localdate()), "note": "JV signed in Kyiv"}


# ---- who may record an outcome --------------------------------------------------------------------

OUTCOME_POST = {  # POST of an outcome on firm A's page of the proposal
    "page_anon": 302,  # to the log-in page
    "page_alice_token": 302,  # a Bearer token is no session: anonymous to the pages
    "page_alice": 302,  # recorded, back to the page
    "page_alice_viewer": 302,  # refused with a message, back to the page
    "page_bob": 404,  # B's member, but on A's URL: A's pages do not exist for him
    "page_rita": 404,  # reviewers use the review pages (and the API), not a firm's
    "page_adam": 404,
}


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_only_an_owner_or_editor_of_the_firm_records_the_outcome_on_its_page(
    page_persona, firm_a, connected_ab, alice_viewer, request
):
    persona = request.node.callspec.params["page_persona"]
    response = page_persona.post(_page(firm_a, connected_ab), PARTNERSHIP)
    assert response.status_code == OUTCOME_POST[persona], persona
    connected_ab.refresh_from_db()
    assert connected_ab.status == ("partnership" if persona == "page_alice" else "connected"), persona
    if persona == "page_anon":
        assert response["Location"].startswith(reverse("web:login"))


def test_a_member_of_firm_a_records_a_partnership(page_alice, firm_a, connected_ab):
    body = page_alice.get(_page(firm_a, connected_ab)).content.decode()
    assert 'id="outcome-h"' in body and 'value="joint_venture"' in body and 'value="closed"' in body
    response = page_alice.post(_page(firm_a, connected_ab), PARTNERSHIP)
    assert response.status_code == 302
    connected_ab.refresh_from_db()
    assert (connected_ab.status, connected_ab.outcome_kind, str(connected_ab.outcome_date)) == (
        "partnership",
        "joint_venture",
        PARTNERSHIP["date"],
    )
    event = connected_ab.events.order_by("id").last()
    assert (event.firm_id, event.note) == (firm_a.pk, "JV signed in Kyiv")
    page = page_alice.get(_page(firm_a, connected_ab)).content.decode()
    assert "The outcome is recorded. Both firms are told." in page
    assert 'id="outcome-h"' not in page  # recorded: no second form
    assert "Partnership recorded by SkyForge Robotics LLC: Joint venture" in page


def test_a_member_of_firm_b_closes_it_with_a_reason_on_firm_bs_page(page_bob, firm_b, connected_ab):
    response = page_bob.post(_page(firm_b, connected_ab), {"kind": "closed", "note": "No budget this year"})
    assert response.status_code == 302
    connected_ab.refresh_from_db()
    assert connected_ab.status == "closed"
    body = page_bob.get(_page(firm_b, connected_ab)).content.decode()
    # Bob's own firm acted: he sees which colleague did it.
    assert 'Closed without a partnership by Optronik Systems GmbH <span class="muted">(bob)</span>: No budget' in body


@pytest.mark.parametrize(
    "language, data, field, message",
    [
        ("en", {"kind": "licence"}, "date", "Required for a partnership."),
        ("uk", {"kind": "licence"}, "date", "Обовʼязково для партнерства."),
        ("en", {"kind": "closed"}, "note", None),
        ("en", {}, "kind", "This field is required."),
        ("en", {"kind": "merger"}, "kind", None),
    ],
)
def test_a_mistake_in_the_outcome_is_named_beside_its_field(
    page_alice, firm_a, connected_ab, language, data, field, message
):
    response = page_alice.post(_page(firm_a, connected_ab), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    errors = response.context["outcome_form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert f'href="#{response.context["outcome_form"][field].auto_id}"' in response.content.decode()
    connected_ab.refresh_from_db()
    assert connected_ab.status == "connected"


def test_a_viewer_sees_no_outcome_form_and_is_told_why_when_posting(page_alice_viewer, firm_a, connected_ab):
    assert 'id="outcome-h"' not in page_alice_viewer.get(_page(firm_a, connected_ab)).content.decode()
    response = page_alice_viewer.post(_page(firm_a, connected_ab), PARTNERSHIP, follow=True)
    assert "An outcome is recorded by an owner or editor of either firm" in response.content.decode()


def test_no_outcome_form_before_both_firms_accepted(page_alice, firm_a, firm_b):
    approved = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="approved")
    assert 'id="outcome-h"' not in page_alice.get(_page(firm_a, approved)).content.decode()
    assert page_alice.post(_page(firm_a, approved), PARTNERSHIP).status_code == 302
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_the_outcome_form_is_in_ukrainian_on_a_ukrainian_page(page_alice, firm_a, connected_ab):
    body = page_alice.get(_page(firm_a, connected_ab), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Зафіксувати результат" in body and "Закрито без партнерства" in body and "Спільне підприємство" in body


# ---- history labels ---------------------------------------------------------------------------------


def test_the_firms_history_says_who_did_what(page_alice, firm_a, connected_ab):
    body = page_alice.get(_page(firm_a, connected_ab)).content.decode()
    history = body[body.index('id="history-h"') :]
    assert "Approved by the ministry reviewer" in history
    assert "Accepted by SkyForge Robotics LLC" in history
    assert "Accepted by Optronik Systems GmbH: both firms accepted, contacts are shared" in history
    assert "Approved, " not in history and "Strong pair" not in history  # reviewers' notes stay theirs
    assert "(rita)" not in history  # who at the ministry is not part of the page


def test_the_history_speaks_ukrainian(page_alice, firm_a, connected_ab):
    body = page_alice.get(_page(firm_a, connected_ab), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Схвалено рецензентом міністерства" in body
    assert "Прийнято компанією SkyForge Robotics LLC" in body


def test_each_kind_of_event_has_its_own_label(firm_a, firm_b, alice, rita, adam):
    requested = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed")
    from matching.models import ProposalEvent

    def event(**fields):
        return ProposalEvent(proposal=requested, actor_role=fields.pop("actor_role", "system"), **fields)

    cases = [
        (event(to_status="proposed", firm=firm_a, data={"action": "request"}), "Introduction requested by SkyForge"),
        (event(to_status="proposed"), "Proposed by matching"),
        (
            event(to_status="approved", from_status="proposed", actor_role="reviewer"),
            "Approved by the ministry reviewer",
        ),
        (event(to_status="approved", actor_role="administrator"), "Approved by an administrator"),
        (event(to_status="rejected", actor_role="reviewer"), "Rejected by the ministry reviewer"),
        (event(to_status="approved", firm=firm_a, data={"action": "accept"}), "Accepted by SkyForge Robotics LLC"),
        (
            event(to_status="approved", firm=firm_a, data={"action": "accept", "implied": True}),
            "Accepted by SkyForge Robotics LLC, which asked for the introduction",
        ),
        (event(to_status="declined", firm=firm_b), "Declined by Optronik Systems GmbH"),
        (event(to_status="expired"), "Expired: not accepted by both firms in time"),
        (event(to_status="superseded"), "Superseded: a newer match run no longer proposes it"),
        (event(to_status="withdrawn"), "Withdrawn: a firm left matching"),
        (event(to_status="closed", actor_role="reviewer"), "Closed without a partnership by the ministry"),
        (
            event(to_status="partnership", actor_role="reviewer", data={"kind": "mou", "date": "2026-03-02"}),
            "Partnership recorded by the ministry: Memorandum of understanding, ",
        ),
    ]
    for item, label in cases:
        assert proposal_event_label(item).startswith(label), (item.to_status, proposal_event_label(item))


def test_the_reviewer_sees_the_same_labels_and_who_acted(page_rita, firm_a, connected_ab, alice):
    from django.template.loader import render_to_string

    from review.selectors import proposal_event_list

    html = render_to_string(
        "web/partials/proposal_history.html", {"events": proposal_event_list(proposal=connected_ab, user=alice)}
    )
    assert 'Accepted by SkyForge Robotics LLC <span class="muted">(alice)</span>' in html
    reviewer = UserFactory(username="rita2", is_reviewer=True)
    html = render_to_string(
        "web/partials/proposal_history.html", {"events": proposal_event_list(proposal=connected_ab, user=reviewer)}
    )
    assert 'Approved by the ministry reviewer <span class="muted">(rita)</span>: Strong pair' in html


# ---- the reviewer's verification note ---------------------------------------------------------------


def test_the_note_typed_when_verifying_a_firm_is_kept_and_shown_in_its_history(page_rita, rita):
    firm = FirmFactory(ref="ua-pending", name="Dnipro Drone Works", status=Firm.Status.PENDING)
    response = page_rita.post(
        reverse("web:review_firm_status", args=[firm.pk]),
        {"action": "verify", "note": "EDRPOU checked against the state register extract.", "back": "firm"},
    )
    assert response.status_code == 302
    firm.refresh_from_db()
    assert firm.status == Firm.Status.VERIFIED
    revision = firm.revisions.first()
    assert (revision.note, revision.changed_by) == ("EDRPOU checked against the state register extract.", rita)
    body = page_rita.get(reverse("web:review_firm", args=[firm.pk])).content.decode()
    history = body[body.index('id="firm-history-h"') :]
    assert "Verified" in history and "EDRPOU checked against the state register extract." in history
    assert "(rita)" in history
    uk = page_rita.get(reverse("web:review_firm", args=[firm.pk]), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Верифіковано" in uk[uk.index('id="firm-history-h"') :]


def test_the_firms_own_members_read_the_verification_note_through_the_history_api(alice_client, firm_a, rita):
    firm_a.status = Firm.Status.PENDING
    firm_a.save(update_fields=["status"])
    from registry.services import firm_verify

    firm_verify(firm=firm_a, reviewer=rita, note="All documents in order.")
    response = alice_client.get(f"/api/v1/firms/{firm_a.pk}/history/")
    assert response.json()["results"][0]["note"] == "All documents in order."


def test_a_note_with_control_characters_is_refused_and_nothing_changes(page_rita):
    firm = FirmFactory(ref="ua-pending-2", status=Firm.Status.PENDING)
    response = page_rita.post(
        reverse("web:review_firm_status", args=[firm.pk]), {"action": "verify", "note": "ok\x07"}, follow=True
    )
    assert "Note:" in response.content.decode()
    firm.refresh_from_db()
    assert firm.status == Firm.Status.PENDING


def test_the_outcome_service_is_the_same_one_the_api_uses(firm_a, connected_ab, alice):
    # The page calls review.services.workflow.proposal_record_outcome, as POST /proposals/{id}/outcome/ does.
    proposal_record_outcome(proposal=connected_ab, user=alice, kind="closed", note="Test")
    assert Proposal.objects.get(pk=connected_ab.pk).status == "closed"


def test_membership_of_both_firms_acts_for_the_page_firm(firm_a, firm_b, connected_ab, alice):
    MembershipFactory(user=alice, firm=firm_b, role="editor")
    from django.test import Client

    client = Client()
    client.force_login(alice)
    response = client.post(_page(firm_b, connected_ab), PARTNERSHIP)
    assert response.status_code == 302
    assert connected_ab.events.order_by("id").last().firm_id == firm_b.pk
