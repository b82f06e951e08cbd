"""A partnership's date lies between the day its introduction was proposed (Kyiv time) and a year
ahead: one rule in the workflow service, named on the field by the API and the firm's page, in both languages."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.models import Proposal
from review.services import workflow as review
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

# 2026-12-04 22:30 UTC is already 2026-12-05 in Kyiv.
CREATED = dt.datetime(2026, 12, 4, 22, 30, tzinfo=dt.UTC)


@pytest.fixture
def connected(firm_a, firm_b, alice, bob, rita):
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed")
    review.proposal_approve(proposal=proposal, reviewer=rita)
    review.proposal_accept(proposal=proposal, user=alice)
    review.proposal_accept(proposal=proposal, user=bob)
    Proposal.objects.filter(pk=proposal.pk).update(created_at=CREATED)
    proposal.refresh_from_db()
    assert proposal.status == "connected"
    return proposal


def _url(proposal) -> str:
    return f"/api/v1/proposals/{proposal.pk}/outcome/"


@pytest.mark.parametrize(
    ("language", "rule"),
    [
        ("en", "Must not be before 2026-12-05, the day this introduction was proposed."),
        ("uk", "Не може бути раніше за 2026-12-05 — день, коли цю пропозицію партнерства створено."),
    ],
)
@pytest.mark.parametrize("date", ["1900-01-01", "2026-12-04"])
def test_the_api_refuses_a_date_before_the_introduction_naming_the_field(bob_client, connected, language, rule, date):
    response = bob_client.post(
        _url(connected), {"kind": "mou", "date": date}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"date": [rule]}
    connected.refresh_from_db()
    assert (connected.status, connected.outcome_date) == ("connected", None)
    assert not connected.events.filter(to_status="partnership").exists()


def test_the_day_of_the_introduction_in_kyiv_is_allowed(rita_client, connected):
    response = rita_client.post(_url(connected), {"kind": "mou", "date": "2026-12-05"}, format="json")
    assert response.status_code == 200, response.content
    connected.refresh_from_db()
    assert (connected.status, connected.outcome_date) == ("partnership", dt.date(2026, 12, 5))


def test_closing_needs_no_date_and_is_not_bounded(alice_client, connected):
    response = alice_client.post(_url(connected), {"kind": "closed", "reason": "No budget"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_the_service_is_the_one_home_of_the_rule(connected, rita):
    with pytest.raises(review.ApplicationError) as refused:
        review.proposal_record_outcome(proposal=connected, user=rita, kind="mou", date=dt.date(1900, 1, 1))
    assert list(refused.value.fields) == ["date"]


def test_the_far_future_is_still_refused(bob_client, connected):
    far = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    response = bob_client.post(_url(connected), {"kind": "mou", "date": far}, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["date"]


@pytest.mark.parametrize(
    ("language", "rule"),
    [
        ("en", "Must not be before 2026-12-05"),
        ("uk", "Не може бути раніше за 2026-12-05"),
    ],
)
def test_the_firm_page_names_the_date_field(alice, firm_a, connected, language, rule):
    browser = Client()
    browser.force_login(alice)
    page = reverse("web:firm_proposal", args=[firm_a.pk, connected.pk])
    response = browser.post(
        page, {"kind": "joint_venture", "date": "1900-01-01", "note": ""}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    errors = response.context["outcome_form"].errors
    assert list(errors) == ["date"] and errors["date"][0].startswith(rule)
    connected.refresh_from_db()
    assert connected.status == "connected"
