"""The proposal filters are defined once (`review.selectors.ProposalFilter`): the reviewers' queue page,
its download, GET /api/v1/proposals/ and its export read the same parameters with the same rules."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.models import Proposal
from registry.models import Capability
from review.selectors import ProposalFilterForm
from tests.factories import FirmCapabilityFactory, FirmFactory, ProposalFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/proposals/"


@pytest.fixture
def mix(firm_a):
    FirmCapabilityFactory(firm=firm_a, capability=Capability.objects.get(code="uav.fpv"), kind="offer")
    fr = FirmFactory(ref="fr-partner", name="Partenaire SA", partner=True, country="FR")
    wanted = ProposalFactory(ukrainian=firm_a, partner=fr, score=0.9)
    old = ProposalFactory(ukrainian=firm_a, partner=FirmFactory(partner=True, country="FR"), score=0.8)
    Proposal.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    ProposalFactory(score=0.95)  # another domain and country
    ProposalFactory(score=0.99, status="rejected")
    return {"wanted": wanted, "old": old}


def _page_ids(client: Client, params: dict) -> list[int]:
    response = client.get(reverse("web:review_queue"), params)
    assert response.status_code == 200
    return [p.pk for p in response.context["page"]]


def _api_ids(rita_client, params: dict) -> list[int]:
    response = rita_client.get(API, {**params, "ordering": "-score"})
    assert response.status_code == 200, response.content
    return [p["id"] for p in response.json()["results"]]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "proposed", "domain": "uav", "country": "FR"},
        {"status": "proposed", "country": "fr", "max_age_days": "7"},
        {"status": "proposed", "min_score": "0.85"},
        {"status": "proposed", "created_to": (timezone.localdate() - dt.timedelta(days=30)).isoformat()},
        {"status": "rejected"},
    ],
)
def test_the_page_and_the_api_find_the_same_proposals(rita, rita_client, mix, params):
    page = Client()
    page.force_login(rita)
    assert _page_ids(page, params) == _api_ids(rita_client, params)
    assert _api_ids(rita_client, params)  # each case finds something


def test_the_api_now_takes_the_pages_filters(rita_client, mix):
    assert _api_ids(rita_client, {"country": "FR", "max_age_days": "7"}) == [mix["wanted"].pk]
    since = (timezone.localdate() - dt.timedelta(days=45)).isoformat()
    until = (timezone.localdate() - dt.timedelta(days=35)).isoformat()
    assert _api_ids(rita_client, {"created_from": since, "created_to": until}) == [mix["old"].pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"max_age_days": "99999999999"}, "max_age_days", None),
        ({"country": "FRA"}, "country", None),
        ({"created_from": "yesterday"}, "created_from", "Enter the first day as a date, e.g. 2026-03-01."),
        (
            {"created_from": "2026-03-10", "created_to": "2026-03-01"},
            "created_to",
            "The last day must be on or after the first day.",
        ),
    ],
)
def test_a_bad_filter_is_named_alike_by_the_api_and_the_page(rita, rita_client, mix, params, field, message):
    response = rita_client.get(API, params)
    assert response.status_code == 400
    api_errors = response.json()["error"]["fields"]
    assert field in api_errors
    page = Client()
    page.force_login(rita)
    form = page.get(reverse("web:review_queue"), params).context["form"]
    assert isinstance(form, ProposalFilterForm) and field in form.errors
    if message:
        assert api_errors[field] == [message] == form.errors[field]


def test_the_page_offers_one_state_at_a_time_and_any(rita, mix):
    page = Client(HTTP_ACCEPT_LANGUAGE="uk")
    rita.language = "uk"
    rita.save(update_fields=["language"])
    page.force_login(rita)
    body = page.get(reverse("web:review_queue"), {"status": ""}).content.decode()
    assert '<select name="status"' in body and "multiple" not in body.split('<select name="status"')[1].split(">")[0]
    assert "Будь-який стан" in body and "Any state" not in body
    assert len(_page_ids(page, {"status": ""})) == Proposal.objects.count()


def test_a_date_range_is_whole_days_in_kyiv_time_and_takes_the_far_ends(rita_client, firm_a):
    """created_from / created_to are days in the site's time zone (Europe/Kyiv), read as a range on the
    indexed created_at: 23:50 on the last day is in, 00:10 the next day is out, whatever UTC says."""
    kyiv = timezone.get_current_timezone()
    late = ProposalFactory(ukrainian=firm_a)
    next_day = ProposalFactory(ukrainian=firm_a)
    early = ProposalFactory(ukrainian=firm_a)
    Proposal.objects.filter(pk=late.pk).update(created_at=dt.datetime(2026, 3, 10, 23, 50, tzinfo=kyiv))
    Proposal.objects.filter(pk=next_day.pk).update(created_at=dt.datetime(2026, 3, 11, 0, 10, tzinfo=kyiv))
    Proposal.objects.filter(pk=early.pk).update(created_at=dt.datetime(2026, 3, 10, 0, 5, tzinfo=kyiv))
    assert sorted(_api_ids(rita_client, {"created_from": "2026-03-10", "created_to": "2026-03-10"})) == sorted(
        [late.pk, early.pk]
    )
    assert _api_ids(rita_client, {"created_from": "2026-03-11", "created_to": "2026-03-11"}) == [next_day.pk]
    everything = _api_ids(rita_client, {"created_from": "0001-01-01", "created_to": "9999-12-31"})
    assert sorted(everything) == sorted([late.pk, next_day.pk, early.pk])
