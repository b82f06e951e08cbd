"""ETag / If-None-Match / If-Match on firms and proposals (core/api/conditional.py)."""

from matching.models import Proposal
from tests.factories import FirmCapabilityFactory

DESCRIPTION = {"description": "Builds reconnaissance drones and now thermal optics too."}


def test_a_firm_read_has_an_etag_and_a_repeat_with_it_is_304(alice_token, firm_a):
    first = alice_token.get(f"/api/v1/firms/{firm_a.pk}/")
    tag = first["ETag"]
    assert first.status_code == 200 and tag.startswith('"')
    again = alice_token.get(f"/api/v1/firms/{firm_a.pk}/", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag and again.content == b""
    assert alice_token.get(f"/api/v1/firms/{firm_a.pk}/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_if_match_lets_an_edit_through_only_while_nobody_changed_the_firm(alice_token, firm_a):
    FirmCapabilityFactory(firm=firm_a, kind="offer")
    tag = alice_token.get(f"/api/v1/firms/{firm_a.pk}/")["ETag"]
    ok = alice_token.patch(f"/api/v1/firms/{firm_a.pk}/", DESCRIPTION, format="json", HTTP_IF_MATCH=tag)
    assert ok.status_code == 200 and ok["ETag"] != tag
    stale = alice_token.patch(
        f"/api/v1/firms/{firm_a.pk}/",
        {"description": "Something else entirely, written later."},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert stale.status_code == 412
    assert (
        stale.json()["error"]["code"] == "precondition_failed" and stale.json()["error"]["current_etag"] == ok["ETag"]
    )
    firm_a.refresh_from_db()
    assert firm_a.description == DESCRIPTION["description"]
    assert (
        alice_token.patch(f"/api/v1/firms/{firm_a.pk}/", DESCRIPTION, format="json").status_code == 200
    )  # no If-Match


def test_a_proposal_etag_changes_when_it_changes(alice_token, proposal_ab):
    Proposal.objects.filter(pk=proposal_ab.pk).update(status=Proposal.Status.APPROVED)
    url = f"/api/v1/proposals/{proposal_ab.pk}/"
    tag = alice_token.get(url)["ETag"]
    assert alice_token.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    alice_token.post(f"/api/v1/proposals/{proposal_ab.pk}/accept/", {}, format="json")
    assert alice_token.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_an_outsider_still_gets_404_not_412(bob_client, firm_a, proposal_ab):
    response = bob_client.get(f"/api/v1/proposals/{proposal_ab.pk}/", HTTP_IF_NONE_MATCH='"x"')
    assert response.status_code == 404
