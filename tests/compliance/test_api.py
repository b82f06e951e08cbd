"""The reviewers' screening API and the firms' beneficial-owner endpoint, tried by every persona."""

import pytest
from django.urls import reverse

from compliance.namematch import COUNTRY_PENALTY
from compliance.services import firm_screen
from matching.models import Proposal
from registry.models import BeneficialOwner, Firm
from tests.conftest import PERSONAS
from tests.factories import FirmFactory, ProposalFactory

FS = Firm.ScreeningStatus
REVIEWERS = {"rita_client", "adam_client"}


@pytest.fixture
def suspect(small_list):
    firm = FirmFactory(ref="de-kz", name="Optika Krasnaya Zvezda Ltd", partner=True)
    firm_screen(firm=firm)
    return firm


def _expected_for_reviewer_only(persona_name: str) -> int:
    if persona_name == "anon":
        return 401
    return 200 if persona_name in REVIEWERS else 403


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_screening_list_is_for_reviewers_only(request, persona, suspect, firm_a):
    response = persona.get(reverse("screening-list"))
    assert response.status_code == _expected_for_reviewer_only(request.node.callspec.params["persona"])
    if response.status_code == 200:
        [row] = response.json()["results"]
        assert (row["firm_id"], row["screening_status"], row["match_count"]) == (suspect.pk, "potential_match", 1)
    else:
        assert "error" in response.json() and "matches" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_screening_detail_is_for_reviewers_only(request, persona, suspect):
    response = persona.get(reverse("screening-firm", args=[suspect.pk]))
    assert response.status_code == _expected_for_reviewer_only(request.node.callspec.params["persona"])


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("action", ["confirm", "dismiss"])
def test_decisions_are_for_reviewers_only(request, persona, action, suspect):
    response = persona.post(reverse(f"screening-{action}", args=[suspect.pk]), {"note": "checked"}, format="json")
    assert response.status_code == _expected_for_reviewer_only(request.node.callspec.params["persona"])
    expected = (
        {"confirm": FS.CONFIRMED_MATCH, "dismiss": FS.FALSE_POSITIVE}[action]
        if response.status_code == 200
        else FS.POTENTIAL_MATCH
    )
    assert Firm.objects.get(pk=suspect.pk).screening_status == expected


def test_screening_list_filters_by_status_and_keeps_constant_queries(
    rita_client, small_list, django_assert_max_num_queries
):
    for n, name in enumerate(
        ["Uraltekhpribor GmbH", "Zhuravl Avionika S.A.", "Optika Krasnaya Zvezda", "Sidorov Ivan"]
    ):
        firm_screen(firm=FirmFactory(ref=f"s-{n}", name=name, partner=True))
    FirmFactory(ref="clear", name="Clean Optics GmbH", partner=True)
    with django_assert_max_num_queries(4):
        response = rita_client.get(reverse("screening-list"))
    assert response.json()["count"] == 4
    assert {r["match_count"] for r in response.json()["results"]} == {1}
    assert rita_client.get(reverse("screening-list"), {"status": "false_positive"}).json()["count"] == 0
    bad = rita_client.get(reverse("screening-list"), {"status": "clear"})
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]


def test_screening_detail_shows_matches_decisions_and_ownership_block(rita_client, suspect):
    BeneficialOwner.objects.create(firm=suspect, name="Petr Ivanov", country="RU", share_percent=25)
    BeneficialOwner.objects.create(firm=suspect, name="Hans Muster", country="DE", share_percent=60)
    rita_client.post(reverse("screening-dismiss", args=[suspect.pk]), {"note": "different firm"}, format="json")
    body = rita_client.get(reverse("screening-firm", args=[suspect.pk])).json()
    assert body["screening_status"] == "false_positive" and body["eligible_for_matching"] is False
    [match] = body["screening"]["matches"]
    assert match["list_id"] == "NK-krasnaya-zvezda" and match["reason"] == "name"
    # Same words; the partner country (not a transit country, not the entry's) costs a little.
    assert match["score"] == pytest.approx(1.0 - COUNTRY_PENALTY)
    assert "same" in match["explanation"] and "neither a transit country" in match["explanation"]
    assert match["sanctions"] == ["UK Russia Regulations"] and body["screening"]["list"]["is_active"]
    assert [d["decision"] for d in body["decisions"]] == ["dismiss"] and body["decisions"][0]["reviewer"] == "rita"
    assert body["ownership_block"] == [{"name": "Petr Ivanov", "country": "RU", "share_percent": "25.00"}]


def test_confirm_through_the_api_suspends_and_withdraws(rita_client, suspect, firm_a):
    proposal = ProposalFactory(ukrainian=firm_a, partner=suspect)
    response = rita_client.post(reverse("screening-confirm", args=[suspect.pk]), {"note": "same entity"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    again = rita_client.post(reverse("screening-confirm", args=[suspect.pk]), {"note": "again"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["current_state"] == "confirmed_match"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "note"), ({"note": ""}, "note"), ({"note": "ok", "status": "clear"}, "status")],
)
def test_decision_input_errors_name_the_field(rita_client, suspect, payload, field):
    response = rita_client.post(reverse("screening-dismiss", args=[suspect.pk]), payload, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"]


def test_unknown_firm_is_404_for_reviewers(rita_client, db):
    assert rita_client.get(reverse("screening-firm", args=[999999])).status_code == 404


# --- Beneficial owners ------------------------------------------------------------------------------

OWNERS_READ = {"anon": 401, "bob_client": 404}
OWNERS_WRITE = {
    "anon": 401,
    "bob_client": 404,
    "alice_viewer_client": 403,
    "rita_client": 403,
    "adam_client": 403,
}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_owners_are_read_by_members_and_reviewers(request, persona, firm_a):
    owner = BeneficialOwner.objects.create(firm=firm_a, name="Olena Koval", country="UA", share_percent=51)
    response = persona.get(reverse("firm-owners", args=[firm_a.pk]))
    assert response.status_code == OWNERS_READ.get(request.node.callspec.params["persona"], 200)
    if response.status_code == 200:
        assert response.json() == {
            "firm_id": firm_a.pk,
            "owners": [{"id": owner.pk, "name": "Olena Koval", "country": "UA", "share_percent": "51.00"}],
            "blocks_matching": False,
        }


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_owners_are_declared_by_owners_and_editors(request, persona, firm_a):
    payload = {"owners": [{"name": "Ivan Petrov", "country": "RU", "share_percent": "15.5"}]}
    response = persona.put(reverse("firm-owners", args=[firm_a.pk]), payload, format="json")
    expected = OWNERS_WRITE.get(request.node.callspec.params["persona"], 200)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["blocks_matching"] is True
        from registry.selectors import firms_eligible_for_matching

        assert not firms_eligible_for_matching().filter(pk=firm_a.pk).exists()
    else:
        assert not BeneficialOwner.objects.filter(firm=firm_a).exists()


@pytest.mark.parametrize(
    ("owners", "field"),
    [
        ([{"name": "A", "country": "UA", "share_percent": "10"}], "owners.0.share_percent"),
        ([{"name": "A", "country": "XX", "share_percent": "20"}], "owners.0.country"),
        ([{"name": "", "country": "UA", "share_percent": "20"}], "owners.0.name"),
        ([{"name": "A", "country": "UA", "share_percent": "120"}], "owners.0.share_percent"),
        ([{"name": "A", "country": "UA", "share_percent": "20", "born": "1970"}], "owners.0.born"),
        (
            [
                {"name": "A", "country": "UA", "share_percent": "60"},
                {"name": "B", "country": "PL", "share_percent": "50"},
            ],
            "owners",
        ),
    ],
)
def test_owner_errors_name_the_field_and_rule(alice_client, firm_a, owners, field):
    response = alice_client.put(reverse("firm-owners", args=[firm_a.pk]), {"owners": owners}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"], response.json()


def test_replacing_owners_with_an_empty_list_unblocks_the_firm(alice_client, firm_a):
    BeneficialOwner.objects.create(firm=firm_a, name="Ivan Petrov", country="BY", share_percent=30)
    response = alice_client.put(reverse("firm-owners", args=[firm_a.pk]), {"owners": []}, format="json")
    assert response.status_code == 200 and response.json() == {
        "firm_id": firm_a.pk,
        "owners": [],
        "blocks_matching": False,
    }


def test_the_openapi_schema_describes_the_screening_api():
    from drf_spectacular.generators import SchemaGenerator

    from compliance.api.urls import urlpatterns

    schema = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)
    assert {"/screening/", "/screening/firms/{firm_id}/confirm/", "/firms/{firm_id}/owners/"} <= set(schema["paths"])
