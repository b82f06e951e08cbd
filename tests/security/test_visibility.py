"""What each caller may see: list endpoints and every GET in the schema never leak another firm's
contact, a reviewer's note, or proposals and pending firms that are not the caller's."""

import pytest

from matching.models import Proposal
from tests.security.conftest import A_CONTACT_EMAIL, A_CONTACT_PHONE, PENDING_FIRM_NAME, REVIEWER_NOTE, client_for
from tests.security.schema import fill_path, operations


def _ids(response) -> set[int]:
    body = response.json()
    return {item["id"] for item in (body["results"] if isinstance(body, dict) else body)}


def test_each_firm_lists_only_its_own_proposals(world, alice_client, bob_client, rita_client):
    Proposal.objects.filter(pk=world.proposal_b.pk).update(status=Proposal.Status.APPROVED)

    assert _ids(alice_client.get("/api/v1/proposals/")) == {world.proposal_a.pk}
    assert _ids(bob_client.get("/api/v1/proposals/")) == {world.proposal_b.pk}
    assert _ids(rita_client.get("/api/v1/proposals/")) >= {world.proposal_a.pk, world.proposal_b.pk}


def test_firms_do_not_see_proposals_before_a_reviewer_approves_them(world, alice_client):
    Proposal.objects.filter(pk=world.proposal_a.pk).update(status=Proposal.Status.PROPOSED)

    assert _ids(alice_client.get("/api/v1/proposals/")) == set()


def test_firm_lists_exclude_other_firms_pending_registrations(world, alice_client, bob_client, rita_client):
    for client in (alice_client, bob_client):
        assert PENDING_FIRM_NAME not in client.get("/api/v1/firms/", {"page_size": 100}).content.decode()
        assert client.get(f"/api/v1/firms/{world.pending_firm.pk}/").status_code == 404
    assert rita_client.get(f"/api/v1/firms/{world.pending_firm.pk}/").status_code == 200


def test_a_firm_contact_is_shown_to_its_members_and_reviewers_only(world, alice_client, rita_client, bob_client):
    url = f"/api/v1/firms/{world.firm_a.pk}/"
    assert A_CONTACT_EMAIL in alice_client.get(url).content.decode()
    assert A_CONTACT_EMAIL in rita_client.get(url).content.decode()
    assert A_CONTACT_EMAIL not in bob_client.get(url).content.decode()


GETS = sorted(path for method, path in operations() if method == "GET")


@pytest.mark.parametrize("path", GETS)
@pytest.mark.parametrize("persona", ["outsider", "viewer", "token"])
def test_no_get_leaks_a_contact_or_a_reviewer_note(request, world, path, persona):
    client = client_for(request, persona)
    body = client.get(fill_path(path, world), {"page_size": 100}).content.decode()

    assert REVIEWER_NOTE not in body, "firms never see reviewers' notes"
    # Firm C is A's counterpart in an approved, not yet connected proposal: its contact stays hidden.
    assert world.firm_c.contact_email not in body
    if persona == "outsider":
        assert A_CONTACT_EMAIL not in body
        assert A_CONTACT_PHONE not in body


def test_the_leak_checks_would_see_the_secrets_where_they_are_allowed(world, rita_client):
    """Positive control: the strings searched for above really are in reviewers' responses."""
    assert REVIEWER_NOTE in rita_client.get(f"/api/v1/proposals/{world.proposal_a.pk}/events/").content.decode()
    assert world.firm_c.contact_email in rita_client.get(f"/api/v1/firms/{world.firm_c.pk}/").content.decode()
