"""Sanctions screening results are for reviewers and administrators only, in every API and page.

A flagged firm's own members must not learn from the registry that it is flagged (it would tip
them off), and no other firm may read it either. The one rule: registry.selectors.firm_screening_visible_to.
"""

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import Proposal
from registry.models import Firm
from registry.selectors import firm_screening_visible_to
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

NOT_REVIEWERS = ["alice_client", "alice_editor_client", "alice_viewer_client", "alice_token", "bob_client"]
REVIEWERS = ["rita_client", "adam_client"]


@pytest.fixture
def flagged(firm_a, firm_b, alice, alice_editor, alice_viewer, bob, rita, adam):
    """Firm A (alice's) is flagged by screening; B is clear; A and B are connected."""
    Firm.objects.filter(pk=firm_a.pk).update(screening_status=Firm.ScreeningStatus.POTENTIAL_MATCH)
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, score=0.8, status=Proposal.Status.CONNECTED)
    return firm_a, firm_b, proposal


def _firm_payloads(client, firm_a, firm_b, proposal) -> list[dict]:
    listed = client.get("/api/v1/firms/")
    assert listed.status_code == 200
    firms = list(listed.json()["results"])
    for firm in (firm_a, firm_b):
        detail = client.get(f"/api/v1/firms/{firm.pk}/")
        assert detail.status_code == 200
        firms.append(detail.json())
    return firms


def _contains_key(value, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(_contains_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_contains_key(v, key) for v in value)
    return False


@pytest.mark.parametrize("persona", NOT_REVIEWERS, indirect=True)
def test_firm_members_and_outsiders_never_see_screening_status(flagged, persona):
    firm_a, firm_b, proposal = flagged
    firms = _firm_payloads(persona, firm_a, firm_b, proposal)
    assert {f["id"] for f in firms} >= {firm_a.pk, firm_b.pk}
    assert all("screening_status" not in f for f in firms)
    assert "potential_match" not in persona.get(f"/api/v1/firms/{firm_a.pk}/").content.decode()


@pytest.mark.parametrize("persona", NOT_REVIEWERS + REVIEWERS, indirect=True)
def test_no_other_answer_embeds_screening_status_for_non_reviewers(flagged, persona, request):
    firm_a, firm_b, proposal = flagged
    reviewer = request.node.callspec.params["persona"] in REVIEWERS
    for path in ("/api/v1/me/", "/api/v1/proposals/", f"/api/v1/proposals/{proposal.pk}/"):
        response = persona.get(path)
        if response.status_code == 404:  # bob's token cannot see every proposal path... all here are A-B
            continue
        assert response.status_code == 200, (path, response.status_code)
        if not reviewer:
            assert not _contains_key(response.json(), "screening_status"), path


@pytest.mark.parametrize("persona", REVIEWERS, indirect=True)
def test_reviewers_and_administrators_see_screening_status(flagged, persona):
    firm_a, firm_b, proposal = flagged
    firms = _firm_payloads(persona, firm_a, firm_b, proposal)
    by_id = {f["id"]: f["screening_status"] for f in firms}
    assert by_id[firm_a.pk] == "potential_match"
    assert by_id[firm_b.pk] == "clear"


def test_the_rule_lives_in_one_function(alice, rita, adam):
    from django.contrib.auth.models import AnonymousUser

    assert [firm_screening_visible_to(user=u) for u in (AnonymousUser(), alice, rita, adam)] == [
        False,
        False,
        True,
        True,
    ]


def test_the_schema_describes_screening_status_as_optional():
    from drf_spectacular.generators import SchemaGenerator

    component = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["Firm"]
    assert "screening_status" in component["properties"]
    assert "screening_status" not in component.get("required", [])
    assert "id" in component["required"]


@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize("user", ["rita", "adam"])
def test_the_review_pages_show_screening_to_reviewers(flagged, request, user, language):
    firm_a, _, _ = flagged
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(request.getfixturevalue(user))
    label = str(Firm.ScreeningStatus.POTENTIAL_MATCH.label)
    Firm.objects.filter(pk=firm_a.pk).update(status=Firm.Status.PENDING)
    detail = client.get(reverse("web:review_firm", args=[firm_a.pk]))
    assert detail.status_code == 200
    from django.utils import translation

    with translation.override(language):
        label = str(Firm.ScreeningStatus.POTENTIAL_MATCH.label)
    assert label in detail.content.decode()
    queue = client.get(reverse("web:review_firms"))
    assert label in queue.content.decode()


@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize("user", ["alice", "alice_viewer"])
def test_a_flagged_firms_own_pages_never_show_its_screening(flagged, request, user, language):
    firm_a, _, proposal = flagged
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(request.getfixturevalue(user))
    from django.utils import translation

    with translation.override(language):
        labels = [str(Firm.ScreeningStatus.POTENTIAL_MATCH.label), str(Firm.ScreeningStatus.CONFIRMED_MATCH.label)]
    for url in (
        reverse("web:firm_dashboard", args=[firm_a.pk]),
        reverse("web:firm_proposal", args=[firm_a.pk, proposal.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "potential_match" not in page
        assert not any(label in page for label in labels), url
    # The review pages are not theirs at all.
    assert client.get(reverse("web:review_firm", args=[firm_a.pk])).status_code in (302, 403, 404)
