"""The reviewers' list of every firm filtered by whether the profile is current (the staleness rule
of `registry.models.profile_stale_cutoff`): the API list, its exports and the page, in both languages."""

import csv
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone

from registry.models import Firm
from tests.factories import FirmFactory

URL = "/api/v1/directory/reviewer/firms/"
PAGE = "/review/firms/all/"


@pytest.fixture
def aged(market):
    """One firm just past PROFILE_STALE_MONTHS (12) without a confirmation, one a day short of it."""
    now = timezone.now()
    stale = FirmFactory(ref="ua-stale", name="Forgotten Works LLC", description="Short.")
    almost = FirmFactory(ref="ua-almost", name="Nearly Due LLC", description="Short.")
    Firm.objects.filter(pk=stale.pk).update(confirmed_at=now - relativedelta(months=12, days=1))
    Firm.objects.filter(pk=almost.pk).update(confirmed_at=now - relativedelta(months=12) + relativedelta(days=1))
    return {**market, "stale": stale, "almost": almost}


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {f["name"] for f in response.json()["results"]}


def test_stale_true_lists_exactly_the_stale_profiles(rita_client, aged):
    assert _names(rita_client.get(URL, {"stale": "true", "page_size": 200})) == {"Forgotten Works LLC"}


def test_stale_false_lists_every_current_profile(rita_client, aged):
    current = _names(rita_client.get(URL, {"stale": "false", "page_size": 200}))
    assert "Forgotten Works LLC" not in current and {"Nearly Due LLC", "Арсенал Півдня ТОВ"} <= current
    assert len(current) == Firm.objects.count() - 1


def test_the_stale_filter_combines_with_the_others(rita_client, aged):
    assert _names(rita_client.get(URL, {"stale": "true", "side": "partner"})) == set()
    assert _names(rita_client.get(URL, {"stale": "true", "completeness": "low", "q": "forgotten"})) == {
        "Forgotten Works LLC"
    }


def test_the_list_says_whether_each_profile_is_stale(rita_client, aged):
    rows = {f["name"]: f for f in rita_client.get(URL, {"page_size": 200}).json()["results"]}
    assert rows["Forgotten Works LLC"]["stale"] is True and rows["Nearly Due LLC"]["stale"] is False
    assert rows["Forgotten Works LLC"]["confirmed_at"]


@pytest.mark.parametrize("value", ["yes", "1", "stale", "TRUE "])
def test_a_bad_stale_value_is_a_400_naming_the_parameter(rita_client, aged, value):
    for url, extra in ((URL, {}), (f"{URL}export/", {"file": "csv"})):
        response = rita_client.get(url, {"stale": value, **extra})
        assert response.status_code == 400, (url, value)
        assert "stale" in response.json()["error"]["fields"]


def test_the_export_takes_the_stale_filter_and_has_the_confirmation_columns(rita_client, rita, aged):
    rita.language = "uk"
    rita.save(update_fields=["language"])
    response = rita_client.get(f"{URL}export/", {"file": "csv", "stale": "true"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Підтвердження профілю", "Застарілий"]
    assert [(r[0], r[-1]) for r in rows[1:]] == [("Forgotten Works LLC", "Так")]
    everything = list(
        csv.reader(io.StringIO(rita_client.get(f"{URL}export/", {"file": "csv"}).content.decode("utf-8-sig")))
    )
    assert {r[0]: r[-1] for r in everything[1:]}["Nearly Due LLC"] == "Ні"


@pytest.mark.parametrize(
    ("language", "label", "option", "flag"),
    [
        ("en", "Profile current", "Stale: not confirmed in time", "Stale"),
        ("uk", "Актуальність профілю", "Застарілий: не підтверджено вчасно", "Застарілий"),
    ],
)
def test_the_firm_list_page_filters_by_staleness_in_both_languages(rita, aged, language, label, option, flag):
    rita.language = language
    rita.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(rita)
    html = client.get(PAGE, {"stale": "true"}).content.decode()
    assert label in html and option in html and "Forgotten Works LLC" in html and "Nearly Due LLC" not in html
    assert 'class="flag"' in html and f">{flag}</span>" in html
    current = client.get(PAGE, {"stale": "false"}).content.decode()
    assert "Nearly Due LLC" in current and "Forgotten Works LLC" not in current
    bad = client.get(PAGE, {"stale": "perhaps"})
    assert bad.status_code == 400 and "Forgotten Works LLC" not in bad.content.decode()


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_firm_members_cannot_filter_every_firm_by_staleness(request, aged, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE, {"stale": "true"}).status_code == 403
    api = request.getfixturevalue(f"{persona}_client")
    assert api.get(URL, {"stale": "true"}).status_code == 403
