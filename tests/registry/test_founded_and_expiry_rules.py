"""One rule for the year a firm was founded (1800 to this year) and for certificate dates (not past) in
the API, the web form and imports, each error naming its field."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.exchange import FORMAT, ExchangeFileError, export_document, firm_clean_document
from registry.models import Firm
from registry.services import firms_import
from tests.factories import FirmCapabilityFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _offers(request):
    """The personas' firms offer something, as every valid profile does (so an edit of one field saves)."""
    for name in ("firm_a", "firm_b"):
        if name in request.fixturenames:
            FirmCapabilityFactory(firm=request.getfixturevalue(name))


def _url(firm) -> str:
    return f"/api/v1/firms/{firm.pk}/"


def _client(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _web_profile(firm, **overrides) -> dict:
    data = {
        "name": firm.name,
        "country": "UA",
        "edrpou": firm.edrpou,
        "description": "Builds multirotor reconnaissance drones for the front line.",
        "offers": ["uav.multirotor_isr"],
        "partnership_types": ["co_production"],
        "certifications": ["AS9100"],
        "security_clearance": "NONE",
        "languages": "uk, en",
        "contact_name": "Olena Petrenko",
        "contact_email": "olena@skyforge.example",
    }
    data.update(overrides)
    return data


# --- founded -------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [1, 1799, THIS_YEAR + 1])
def test_the_api_refuses_a_year_founded_outside_1800_to_this_year(alice_client, firm_a, year):
    response = alice_client.patch(_url(firm_a), {"founded": year}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"founded": [f"must be a year from 1800 to {THIS_YEAR} (got {year})"]}


@pytest.mark.parametrize("year", [1800, THIS_YEAR])
def test_the_api_takes_the_bounds_themselves(alice_client, firm_a, year):
    response = alice_client.patch(_url(firm_a), {"founded": year}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["founded"] == year


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", f"must be a year from 1800 to {THIS_YEAR} (got 1799)"),
        ("uk", f"має бути роком від 1800 до {THIS_YEAR} (вказано 1799)"),
    ],
)
def test_the_web_form_applies_the_same_rule_in_the_readers_language(alice, firm_a, language, message):
    response = _client(alice, language).post(
        reverse("web:firm_edit", args=[firm_a.pk]), _web_profile(firm_a, founded="1799")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["founded"] == [message]
    assert f'max="{THIS_YEAR}"' in response.content.decode() and 'min="1800"' in response.content.decode()


def test_a_year_the_api_saves_saves_through_the_web_form_too(alice_client, alice, firm_a):
    assert alice_client.patch(_url(firm_a), {"founded": 1800}, format="json").status_code == 200
    response = _client(alice).post(reverse("web:firm_edit", args=[firm_a.pk]), _web_profile(firm_a, founded="1800"))
    assert response.status_code == 302, response.context["form"].errors


def test_an_import_refuses_a_year_before_1800(firm_a):
    doc = export_document(firm_clean_document(firm_a))
    doc["founded"] = 1799
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document={"format": FORMAT, "firms": [doc]})
    assert excinfo.value.problems == [
        f"firms[0] (ua-skyforge): founded: must be a year from 1800 to {THIS_YEAR} (got 1799)"
    ]


def test_the_model_and_the_database_hold_the_rule(firm_a):
    firm_a.founded = 1
    with pytest.raises(ValidationError) as excinfo:
        firm_a.full_clean()
    assert "founded" in excinfo.value.message_dict
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="firm_founded_from_1800"), transaction.atomic():
        Firm.objects.filter(pk=firm_a.pk).update(founded=1)


# --- certification_expiry ------------------------------------------------------------------------


def test_the_api_refuses_a_past_certificate_date(alice_client, firm_a):
    response = alice_client.patch(
        _url(firm_a), {"certifications": ["AS9100"], "certification_expiry": {"AS9100": "1900-01-01"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "certification_expiry.AS9100": [
            "AS9100: the expiry date 1900-01-01 has passed: give the renewed certificate's date or remove the "
            "certification."
        ]
    }
    firm_a.refresh_from_db()
    assert firm_a.certification_expiry == {}


def test_the_api_refuses_a_past_date_in_ukrainian(alice_client, firm_a):
    response = alice_client.patch(
        _url(firm_a),
        {"certifications": ["AS9100"], "certification_expiry": {"AS9100": "1900-01-01"}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="uk",
    )
    assert response.status_code == 400
    [message] = response.json()["error"]["fields"]["certification_expiry.AS9100"]
    assert message.startswith("AS9100: дата закінчення дії 1900-01-01 уже минула")


def test_today_is_still_a_valid_last_day(alice_client, firm_a):
    body = {"certifications": ["AS9100"], "certification_expiry": {"AS9100": TODAY.isoformat()}}
    response = alice_client.patch(_url(firm_a), body, format="json")
    assert response.status_code == 200, response.json()


def test_a_recorded_date_that_has_passed_does_not_block_an_unrelated_edit(alice_client, firm_a):
    """Between the last valid day and the daily pass that removes it, a date on record is past."""
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    Firm.objects.filter(pk=firm_a.pk).update(certifications=["AS9100"], certification_expiry={"AS9100": yesterday})
    assert alice_client.patch(_url(firm_a), {"employees": 12}, format="json").status_code == 200
    body = {"certification_expiry": {"AS9100": yesterday}}  # sent back as recorded
    assert alice_client.patch(_url(firm_a), body, format="json").status_code == 200
    earlier = {"certification_expiry": {"AS9100": (TODAY - dt.timedelta(days=2)).isoformat()}}
    assert alice_client.patch(_url(firm_a), earlier, format="json").status_code == 400


def test_an_import_refuses_a_past_date_but_keeps_a_recorded_one(firm_a):
    doc = export_document(firm_clean_document(firm_a))
    doc.update(certifications=["AS9100"], certification_expiry={"AS9100": "1900-01-01"})
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document={"format": FORMAT, "firms": [doc]})
    assert excinfo.value.problems == [
        "firms[0] (ua-skyforge): certification_expiry.AS9100: AS9100: the expiry date 1900-01-01 has passed: "
        "give the renewed certificate's date or remove the certification."
    ]
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    Firm.objects.filter(pk=firm_a.pk).update(certifications=["AS9100"], certification_expiry={"AS9100": yesterday})
    doc["certification_expiry"] = {"AS9100": yesterday}
    result = firms_import(document={"format": FORMAT, "firms": [doc]})
    assert result.unchanged == 1


def test_the_web_form_refuses_a_past_date(alice, firm_a):
    response = _client(alice).post(
        reverse("web:firm_edit", args=[firm_a.pk]),
        _web_profile(firm_a, **{"certification_expiry-AS9100": "1900-01-01"}),
    )
    assert response.status_code == 200
    assert "has passed" in " ".join(response.context["form"].errors["certification_expiry"])


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_web_form_and_the_api_refuse_a_past_date_with_the_one_rules_message(alice, alice_client, firm_a, language):
    """One rule (registry.exchange) for the page and the API: the same words, once, in the reader's language."""
    api = alice_client.patch(
        _url(firm_a),
        {"certifications": ["AS9100"], "certification_expiry": {"AS9100": "1900-01-01"}},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    [rule] = api.json()["error"]["fields"]["certification_expiry.AS9100"]
    page = _client(alice, language).post(
        reverse("web:firm_edit", args=[firm_a.pk]),
        _web_profile(firm_a, **{"certification_expiry-AS9100": "1900-01-01"}),
    )
    assert page.status_code == 200
    assert page.context["form"].errors["certification_expiry"] == [rule]
    assert rule.startswith(
        {"en": "AS9100: the expiry date 1900-01-01 has passed", "uk": "AS9100: дата закінчення"}[language]
    )
