"""GET /api/v1/directory/ and /directory/{id}/: who may look, what is listed, search, filters, sorts."""

import pytest
from django.test.utils import override_settings

from registry.models import Firm
from tests.directory.conftest import names
from tests.factories import FirmCapabilityFactory, FirmFactory

URL = "/api/v1/directory/"
UNLISTED = ("Pending Artillery", "Suspended Artillery", "Flagged Artillery", "Owned Artillery")


@pytest.mark.parametrize(
    "persona", ["alice_client", "alice_viewer_client", "bob_client", "rita_client", "adam_client", "alice_token"]
)
def test_members_of_verified_firms_and_reviewers_may_search_the_directory(request, market, persona):
    response = request.getfixturevalue(persona).get(URL)
    assert response.status_code == 200, response.content
    assert "Арсенал Півдня ТОВ" in names(response)


def test_anonymous_visitors_must_sign_in(anon, market):
    assert anon.get(URL).status_code == 401
    assert anon.get(f"{URL}{market['arsenal'].pk}/").status_code == 401


def test_members_of_an_unverified_firm_are_refused_with_a_reason(market):
    from tests.conftest import _client_for

    client = _client_for(market["stranger"])
    response = client.get(URL)
    assert response.status_code == 403
    assert "verified firms" in response.json()["error"]["message"]
    assert client.get(f"{URL}{market['arsenal'].pk}/").status_code == 403


def test_only_firms_that_may_be_introduced_are_listed(alice_client, market):
    listed = names(alice_client.get(URL, {"search": "artillery", "page_size": 200}))
    for name in UNLISTED:
        assert not any(n.startswith(name) for n in listed), name
    for key in ("pending", "suspended", "flagged", "owned"):
        assert alice_client.get(f"{URL}{market[key].pk}/").status_code == 404


def test_a_profile_never_shows_contacts_owners_screening_or_notes(bob_client, market, firm_a):
    for response in (bob_client.get(f"{URL}{firm_a.pk}/"), bob_client.get(URL)):
        text = response.content.decode()
        assert response.status_code == 200
        for secret in (firm_a.contact_email, "Olena Petrenko", "screening", "contact", "owner", "edrpou", "note"):
            assert secret not in text, secret


def test_search_finds_ukrainian_and_english_words_with_the_registry_rule(bob_client, market):
    assert "Арсенал Півдня ТОВ" in names(bob_client.get(URL, {"search": "снарядів 155"}))
    assert "Арсенал Півдня ТОВ" in names(bob_client.get(URL, {"search": "артилер"}))  # a word prefix
    assert names(bob_client.get(URL, {"search": "thermal"})) == ["Lumiere Optique SA"]
    assert names(bob_client.get(URL, {"search": "Optique"})) == ["Lumiere Optique SA"]  # part of a name


def test_search_over_ten_words_is_refused_naming_the_parameter(bob_client, market):
    response = bob_client.get(URL, {"search": " ".join(["word"] * 11)})
    assert response.status_code == 400
    assert "search" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"side": "partner"}, {"Optronik Systems GmbH", "Lumiere Optique SA"}),
        ({"country": "fr"}, {"Lumiere Optique SA"}),
        ({"offers": "munitions.artillery_155"}, {"Арсенал Півдня ТОВ", "SkyForge Robotics LLC"}),
        ({"offers": "repair"}, {"Арсенал Півдня ТОВ"}),  # a whole domain
        ({"seeks": "munitions"}, {"Optronik Systems GmbH"}),
        ({"certification": "AQAP-2110"}, {"Арсенал Півдня ТОВ"}),
        ({"partnership_type": "licensed_production"}, {"Арсенал Півдня ТОВ"}),
        ({"clearance": "NATO_RESTRICTED"}, {"Арсенал Півдня ТОВ"}),
        ({"size": "large"}, {"Арсенал Півдня ТОВ"}),
        ({"size": "small"}, {"Lumiere Optique SA"}),
    ],
)
def test_each_filter_narrows_the_list(bob_client, market, params, expected):
    response = bob_client.get(URL, params)
    assert response.status_code == 200, response.content
    assert set(names(response)) == expected


def test_platform_filter(bob_client, market):
    from registry.models import FirmPlatform, Platform

    FirmPlatform.objects.create(
        firm=market["arsenal"], platform=Platform.objects.get(code="spg.bohdana"), role="produces"
    )
    response = bob_client.get(URL, {"platform": "spg.bohdana"})
    assert names(response) == ["Арсенал Півдня ТОВ"]
    assert response.json()["results"][0]["platforms"][0]["platform"] == "spg.bohdana"


def test_a_bad_filter_value_is_a_400_naming_it(bob_client, market):
    for params in ({"side": "martian"}, {"size": "huge"}, {"sort": "cheapest"}, {"certification": "X"}):
        response = bob_client.get(URL, params)
        assert response.status_code == 400, params
        assert set(response.json()["error"]["fields"]) == set(params)


def test_relevance_puts_name_matches_first_and_name_sort_is_alphabetical(bob_client, market):
    FirmFactory(ref="ua-zz", name="Zoria Optique Works LLC", edrpou="00032945", description="Optique lenses")
    FirmFactory(ref="ua-aa", name="Alpha Lens LLC", edrpou="00032945", description="Optique lenses too")
    relevance = names(bob_client.get(URL, {"search": "optique"}))
    assert relevance[:2] == ["Lumiere Optique SA", "Zoria Optique Works LLC"]
    assert relevance[2] == "Alpha Lens LLC"
    by_name = names(bob_client.get(URL, {"search": "optique", "sort": "name"}))
    assert by_name == sorted(by_name)


def test_fit_for_my_firm_scores_the_other_side_best_first(bob_client, market):
    response = bob_client.get(URL, {"sort": "fit"})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert {r["side"] for r in results} == {"ua"}  # bob's firm is a partner: fit is with Ukrainian firms
    fits = [r["fit"] for r in results]
    assert all(f is not None for f in fits) and fits == sorted(fits, reverse=True)
    assert results[0]["name"] in ("Арсенал Півдня ТОВ", "SkyForge Robotics LLC")  # they offer what B seeks
    assert results[0]["fit"] > 0


def test_reviewers_cannot_sort_by_fit_and_are_told_why(rita_client, market):
    response = rita_client.get(URL, {"sort": "fit"})
    assert response.status_code == 400
    assert "sort" in response.json()["error"]["fields"]


def test_the_list_takes_a_constant_number_of_queries(bob_client, market, django_assert_max_num_queries):
    bob_client.get(URL)  # warm-up (session, content types)
    with django_assert_max_num_queries(9):
        small = bob_client.get(URL)
    for i in range(30):
        firm = FirmFactory(ref=f"ua-extra-{i}", name=f"Extra {i} LLC", edrpou="00032945")
        FirmCapabilityFactory(firm=firm, kind="offer")
    with django_assert_max_num_queries(9):
        large = bob_client.get(URL, {"search": "LLC", "offers": "munitions"})
    with django_assert_max_num_queries(9):
        full = bob_client.get(URL)
    assert small.status_code == large.status_code == full.status_code == 200
    assert len(full.json()["results"]) > len(small.json()["results"])


def test_names_of_capabilities_follow_the_language(bob_client, market):
    en = bob_client.get(f"{URL}{market['arsenal'].pk}/").json()
    uk = bob_client.get(f"{URL}{market['arsenal'].pk}/", HTTP_ACCEPT_LANGUAGE="uk").json()
    assert en["offers"][0]["name"] == "155 mm artillery ammunition"
    assert uk["offers"][0]["name"] == "Артилерійські боєприпаси 155 мм"


@override_settings(DIRECTORY={"MAX_OPEN_REQUESTS": 10, "REQUEST_COOLDOWN_DAYS": 90, "FIT_MAX_CANDIDATES": 1})
def test_fit_scores_at_most_the_configured_number_of_candidates(bob_client, market):
    results = bob_client.get(URL, {"sort": "fit"}).json()["results"]
    assert len(results) == 1


def test_a_firm_id_that_does_not_exist_is_a_404(bob_client, market):
    assert bob_client.get(f"{URL}999999999/").status_code == 404
    assert Firm.objects.filter(pk=999999999).count() == 0
