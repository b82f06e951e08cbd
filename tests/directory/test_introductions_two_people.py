"""One person on both sides of an introduction cannot make it alone: a member of both firms cannot ask
for an introduction between them, and whoever asked or accepted for one firm cannot accept for the other."""

import pytest

from matching.models import Proposal
from review.services import workflow
from tests.conftest import _client_for
from tests.factories import MembershipFactory, ProposalFactory, UserFactory

MESSAGE = "We produce 155 mm shells under licence and seek a Ukrainian co-production partner."


def url(firm) -> str:
    return f"/api/v1/directory/{firm.pk}/introductions/"


def accept_url(proposal) -> str:
    return f"/api/v1/proposals/{proposal.pk}/accept/"


@pytest.fixture
def both(market, firm_a, firm_b):
    """Dual: an owner of firm B (partner) and an editor of firm A (Ukrainian)."""
    user = UserFactory(username="dual")
    MembershipFactory(user=user, firm=firm_b, role="owner")
    MembershipFactory(user=user, firm=firm_a, role="editor")
    return user


@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize("target_role", ["owner", "viewer"])
def test_a_member_of_both_firms_cannot_ask_for_an_introduction_between_them(
    market, firm_a, firm_b, language, target_role
):
    dual = UserFactory(username="dual")
    MembershipFactory(user=dual, firm=firm_b, role="owner")
    MembershipFactory(user=dual, firm=firm_a, role=target_role)
    response = _client_for(dual).post(
        url(firm_a), {"message": MESSAGE, "firm": firm_b.pk}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "same_person"
    assert firm_a.name in error["fields"]["firm"][0] and firm_b.name in error["fields"]["firm"][0]
    assert ("різних людей" if language == "uk" else "different person on each side") in error["message"]
    assert not Proposal.objects.exists()


def test_a_member_of_one_firm_only_still_asks(bob_client, market, firm_a):
    assert bob_client.post(url(firm_a), {"message": MESSAGE}, format="json").status_code == 201


@pytest.fixture
def requested_by_bob_then_approved(market, firm_a, firm_b, bob, rita, both):
    """Bob (firm B) asks for A; a reviewer approves: B's acceptance is implied (by bob)."""
    response = _client_for(bob).post(url(firm_a), {"message": MESSAGE}, format="json")
    assert response.status_code == 201
    proposal = Proposal.objects.get(pk=response.json()["id"])
    workflow.proposal_approve(proposal=proposal, reviewer=rita)
    proposal.refresh_from_db()
    assert proposal.partner_accepted_at is not None and proposal.ukrainian_accepted_at is None
    return proposal


def test_the_requester_cannot_accept_for_the_other_side_too(requested_by_bob_then_approved, firm_a, bob):
    """The QA report: a member of both firms requests, then accepts for the other side alone."""
    proposal = requested_by_bob_then_approved
    MembershipFactory(user=bob, firm=firm_a, role="editor")  # bob joins firm A afterwards
    response = _client_for(bob).post(accept_url(proposal), {"firm": firm_a.pk}, format="json")
    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert error["code"] == "same_person"
    assert f"Someone else at {firm_a.name} must" in error["fields"]["firm"][0]
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.ukrainian_accepted_at is None


def test_another_person_of_the_other_firm_connects_it(requested_by_bob_then_approved, alice):
    proposal = requested_by_bob_then_approved
    assert _client_for(alice).post(accept_url(proposal), {}, format="json").status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "connected"


@pytest.mark.parametrize("language", ["en", "uk"])
def test_whoever_accepted_for_one_firm_cannot_accept_for_the_other(market, firm_a, firm_b, rita, both, language):
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed")
    workflow.proposal_approve(proposal=proposal, reviewer=rita)
    client = _client_for(both)
    assert client.post(accept_url(proposal), {"firm": firm_b.pk}, format="json").status_code == 200
    response = client.post(accept_url(proposal), {"firm": firm_a.pk}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert (f"від імені {firm_a.name} має хтось інший" if language == "uk" else "Someone else at") in message
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.ukrainian_accepted_at is None


def test_the_service_refuses_too_whatever_the_caller(market, firm_a, firm_b, rita, both):
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed")
    workflow.proposal_approve(proposal=proposal, reviewer=rita)
    workflow.proposal_accept(proposal=proposal, user=both, firm=firm_a)
    with pytest.raises(workflow.ApplicationError) as refused:
        workflow.proposal_accept(proposal=proposal, user=both, firm=firm_b)
    assert refused.value.code == "same_person" and "firm" in refused.value.fields


def test_a_member_of_both_firms_may_accept_for_one_when_a_colleague_accepted_the_other(
    market, firm_a, firm_b, rita, alice, both
):
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed")
    workflow.proposal_approve(proposal=proposal, reviewer=rita)
    workflow.proposal_accept(proposal=proposal, user=alice)  # for A
    workflow.proposal_accept(proposal=proposal, user=both, firm=firm_b)
    proposal.refresh_from_db()
    assert proposal.status == "connected"


def test_the_firm_page_says_someone_else_must_accept_instead_of_the_button(requested_by_bob_then_approved, firm_a, bob):
    from django.test import Client

    MembershipFactory(user=bob, firm=firm_a, role="editor")
    browser = Client()
    browser.force_login(bob)
    proposal = requested_by_bob_then_approved
    page = browser.get(f"/firms/{firm_a.pk}/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Someone else at {firm_a.name} must accept it" in page
    assert f"/firms/{firm_a.pk}/proposals/{proposal.pk}/accept/" not in page
    response = browser.post(f"/firms/{firm_a.pk}/proposals/{proposal.pk}/accept/", follow=True)
    assert "Someone else at" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "approved"


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "One person belongs to both firms"), ("uk", "Одна людина належить до обох компаній")],
)
def test_reviewers_see_a_matched_pair_with_a_shared_member_flagged(market, firm_a, firm_b, rita, both, language, text):
    from django.test import Client

    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed")  # as a match run writes it
    browser = Client()
    browser.force_login(rita)
    body = browser.get(f"/review/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert text in body and "dual" in body
    other = ProposalFactory(ukrainian=market["arsenal"], partner=firm_b, status="proposed")
    assert "data-shared-members" not in browser.get(f"/review/proposals/{other.pk}/").content.decode()
