"""GET /api/v1/directory/ and /directory/{id}/: who may look, what is listed, search, filters, sorts."""

import pytest

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
    FirmFactory(ref="ua-zz", name="Zoria Optique Works LLC", description="Optique lenses")
    FirmFactory(ref="ua-aa", name="Alpha Lens LLC", description="Optique lenses too")
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


def test_fit_for_a_firm_that_is_not_yours_names_firm_and_yours(bob_client, market, firm_a, firm_b):
    response = bob_client.get(URL, {"sort": "fit", "firm": firm_a.pk})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["firm"]
    assert fields["firm"] == [
        f"Firm {firm_a.pk} is not one of your verified firms; yours: {firm_b.pk} ({firm_b.name})."
    ]
    ukrainian = bob_client.get(URL, {"sort": "fit", "firm": firm_a.pk}, HTTP_ACCEPT_LANGUAGE="uk").json()
    assert ukrainian["error"]["fields"]["firm"][0].startswith(f"Компанія {firm_a.pk} не належить до Ваших")


def test_the_list_takes_a_constant_number_of_queries(bob_client, market, django_assert_max_num_queries):
    bob_client.get(URL)  # warm-up (session, content types)
    with django_assert_max_num_queries(9):
        small = bob_client.get(URL)
    for i in range(30):
        firm = FirmFactory(ref=f"ua-extra-{i}", name=f"Extra {i} LLC")
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


def test_fit_scores_every_firm_the_filters_find_and_pages_through_them(bob_client, market):
    for i in range(4):
        FirmFactory(ref=f"ua-extra-{i}", name=f"Extra Works {i} LLC", description="Ремонт артилерійських систем.")
    first = bob_client.get(URL, {"sort": "fit", "page_size": 2}).json()
    listed = Firm.objects.filter(side="ua", status="verified", screening_status="clear").count() - 1  # "owned"
    assert first["count"] == listed
    seen = []
    for page in range(1, (listed + 1) // 2 + 1):
        seen += bob_client.get(URL, {"sort": "fit", "page_size": 2, "page": page}).json()["results"]
    fits = [r["fit"] for r in seen]
    assert len({r["id"] for r in seen}) == listed and all(f is not None for f in fits)
    assert fits == sorted(fits, reverse=True)


def test_fit_is_the_score_a_full_match_run_gives_the_pair(bob_client, firm_b, market):
    from matching.features import features_load
    from matching.scoring import Model
    from matching.services.runs import match_params

    features = features_load()
    model = Model(features.ua, features.partners, features.taxonomy, match_params())
    ua_ids = features.ua.firm_ids.tolist()
    full = model.score_rows(features.ua_rows(ua_ids), features.partner_rows([firm_b.pk])).total[:, 0]
    expected = {i: round(float(x), 4) for i, x in zip(ua_ids, full, strict=True)}
    results = bob_client.get(URL, {"sort": "fit", "page_size": 100}).json()["results"]
    assert {r["id"]: r["fit"] for r in results} == expected


def test_fit_keeps_the_filters_and_the_search(bob_client, market):
    results = bob_client.get(URL, {"sort": "fit", "search": "артилерійських", "certification": "AQAP-2110"}).json()
    assert [r["name"] for r in results["results"]] == ["Арсенал Півдня ТОВ"]


def test_a_firm_id_that_does_not_exist_is_a_404(bob_client, market):
    assert bob_client.get(f"{URL}999999999/").status_code == 404
    assert Firm.objects.filter(pk=999999999).count() == 0


def test_fit_takes_a_constant_number_of_queries_however_many_candidates(
    bob_client, market, django_assert_max_num_queries
):
    bob_client.get(URL, {"sort": "fit"})  # the process prepares and keeps its model

    def measure():
        with django_assert_max_num_queries(22):
            assert bob_client.get(URL, {"sort": "fit"}).status_code == 200

    measure()
    for i in range(30):
        FirmFactory(ref=f"ua-many-{i}", name=f"Many Works {i} LLC", description="Ремонт артилерійських систем.")
    bob_client.get(URL, {"sort": "fit"})  # the other side changed: the kept model is rebuilt once
    measure()


def _sync_ids(client, **params):
    seen, response = [], client.get(URL, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            return seen
        assert "cursor=" in body["next"]
        response = client.get(body["next"])


def test_a_partner_syncs_the_directory_with_updated_since_and_a_cursor(alice_token, market):
    listed = [row["id"] for row in alice_token.get(URL, {"page_size": 200}).json()["results"]]
    seen = _sync_ids(alice_token, updated_since="2000-01-01T00:00:00Z", page_size=2)
    assert sorted(seen) == sorted(listed) and len(seen) == len(set(seen))  # every listed firm, once
    stamps = dict(Firm.objects.filter(pk__in=seen).values_list("pk", "updated_at"))
    assert seen == sorted(seen, key=lambda pk: (stamps[pk], pk))  # by (updated_at, id)
    # The same filters apply while syncing: only the listed firms of one side.
    ua = _sync_ids(alice_token, updated_since="2000-01-01T00:00:00Z", side="ua", page_size=3)
    assert ua and set(ua) <= set(listed) and all(Firm.objects.get(pk=pk).side == "ua" for pk in ua)


def test_directory_sync_parameters_are_checked_by_name(alice_token, market):
    for params, name in (
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"cursor": "not-ours"}, "cursor"),
        ({"updated_since": "2000-01-01T00:00:00Z", "sort": "fit"}, "updated_since"),
    ):
        response = alice_token.get(URL, params)
        assert response.status_code == 400, (params, response.content)
        assert name in response.json()["error"]["fields"], (params, response.json())
