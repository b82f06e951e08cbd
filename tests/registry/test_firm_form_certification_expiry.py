"""The web firm form sets `certification_expiry`: one date per certification, checked with named
errors (English and Ukrainian), shown on the profiles, and the reminders follow from the saved data."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.models import Notification
from registry.freshness import freshness_pass
from registry.models import Firm

pytestmark = pytest.mark.django_db

IN_200_DAYS = timezone.localdate() + dt.timedelta(days=200)


def _client(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _profile(**overrides) -> dict:
    data = {
        "name": "SkyForge Robotics LLC",
        "country": "UA",
        "edrpou": "32855961",
        "description": "Builds multirotor reconnaissance drones for the front line.",
        "offers": ["uav.multirotor_isr"],
        "partnership_types": ["co_production"],
        "certifications": ["AQAP-2110", "ISO-9001"],
        "security_clearance": "NONE",
        "languages": "uk, en",
        "contact_name": "Olena Petrenko",
        "contact_email": "olena@skyforge.example",
        "certification_expiry-AQAP-2110": "",
        "certification_expiry-ISO-9001": "",
    }
    data.update(overrides)
    return data


def _edit(client: Client, firm: Firm, **overrides):
    return client.post(reverse("web:firm_edit", args=[firm.pk]), _profile(**overrides))


def _recorded(firm: Firm) -> dict:
    firm.refresh_from_db()
    return firm.certification_expiry


def test_an_owner_sets_a_date_per_certification(firm_a, alice):
    response = _edit(
        _client(alice),
        firm_a,
        **{"certification_expiry-AQAP-2110": IN_200_DAYS.isoformat(), "certification_expiry-ISO-9001": "31.12.2030"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert _recorded(firm_a) == {"AQAP-2110": IN_200_DAYS.isoformat(), "ISO-9001": "2030-12-31"}


def test_the_edit_form_shows_the_recorded_dates_in_date_inputs(firm_a, alice):
    Firm.objects.filter(pk=firm_a.pk).update(
        certifications=["AQAP-2110"], certification_expiry={"AQAP-2110": "2030-06-30"}
    )
    body = _client(alice).get(reverse("web:firm_edit", args=[firm_a.pk])).content.decode()
    assert 'type="date" name="certification_expiry-AQAP-2110" id="id_certification_expiry-AQAP-2110"' in body
    assert 'value="2030-06-30"' in body and "AQAP-2110: valid until" in body


@pytest.mark.parametrize(
    ("language", "legend", "label"),
    [
        ("en", "Certificates valid until", "ISO-9001: valid until"),
        ("uk", "Строк дії сертифікатів", "ISO-9001: дійсний до"),
    ],
)
def test_the_date_inputs_are_labelled_in_both_languages(firm_a, alice, language, legend, label):
    body = _client(alice, language).get(reverse("web:firm_create")).content.decode()
    assert legend in body and label in body


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "AQAP-2110: the expiry date must be a date such as 2027-03-31 (got 31/02/2027)."),
        ("uk", "AQAP-2110: дата закінчення дії має бути датою, наприклад 2027-03-31 (отримано 31/02/2027)."),
    ],
)
def test_an_unreadable_date_is_named_beside_the_field_and_in_the_summary(firm_a, alice, language, message):
    response = _edit(_client(alice, language), firm_a, **{"certification_expiry-AQAP-2110": "31/02/2027"})
    assert response.status_code == 200
    assert response.context["form"].errors["certification_expiry"] == [message]
    body = response.content.decode()
    assert 'href="#certification_expiry"' in body and 'id="certification_expiry_error"' in body
    assert _recorded(firm_a) == {}


def test_an_impossible_calendar_date_is_refused(firm_a, alice):
    response = _edit(_client(alice), firm_a, **{"certification_expiry-ISO-9001": "2027-02-30"})
    assert response.context["form"].errors["certification_expiry"] == [
        "ISO-9001: the expiry date must be a date such as 2027-03-31 (got 2027-02-30)."
    ]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "AS9100: a date is given but the certification is not ticked: tick it or clear the date."),
        ("uk", "AS9100: дату вказано, але сертифікацію не позначено: позначте її або очистьте дату."),
    ],
)
def test_a_date_for_a_certification_not_ticked_is_refused(firm_a, alice, language, message):
    response = _edit(_client(alice, language), firm_a, **{"certification_expiry-AS9100": IN_200_DAYS.isoformat()})
    assert response.context["form"].errors["certification_expiry"] == [message]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "ISO-9001: the expiry date 2020-01-31 has passed: give the renewed certificate&#x27;s date"),
        ("uk", "ISO-9001: дата закінчення дії 2020-01-31 уже минула"),
    ],
)
def test_a_date_already_past_is_refused(firm_a, alice, language, text):
    response = _edit(_client(alice, language), firm_a, **{"certification_expiry-ISO-9001": "2020-01-31"})
    assert response.status_code == 200 and text in response.content.decode()
    assert _recorded(firm_a) == {}


def test_the_date_is_checked_in_the_same_round_as_the_other_fields(firm_a, alice):
    response = _edit(_client(alice), firm_a, edrpou="32855968", **{"certification_expiry-AQAP-2110": "soon"})
    errors = response.context["form"].errors
    assert "edrpou" in errors and "certification_expiry" in errors


def test_clearing_a_date_removes_it_and_unticking_drops_the_recorded_date(firm_a, alice):
    Firm.objects.filter(pk=firm_a.pk).update(
        certifications=["AQAP-2110", "ISO-9001"],
        certification_expiry={"AQAP-2110": "2030-06-30", "ISO-9001": "2031-01-31"},
    )
    client = _client(alice)
    response = _edit(client, firm_a, **{"certification_expiry-ISO-9001": "2031-01-31"})
    assert response.status_code == 302
    assert _recorded(firm_a) == {"ISO-9001": "2031-01-31"}
    # ISO-9001 unticked while its recorded date is still in its input: the date goes with it, no error.
    response = _edit(client, firm_a, certifications=["AQAP-2110"], **{"certification_expiry-ISO-9001": "2031-01-31"})
    assert response.status_code == 302
    assert _recorded(firm_a) == {}


def test_a_post_without_the_date_inputs_keeps_the_recorded_dates(firm_a, alice):
    Firm.objects.filter(pk=firm_a.pk).update(
        certifications=["AQAP-2110"], certification_expiry={"AQAP-2110": "2030-06-30"}
    )
    data = _profile(certifications=["AQAP-2110"])
    del data["certification_expiry-AQAP-2110"], data["certification_expiry-ISO-9001"]
    assert _client(alice).post(reverse("web:firm_edit", args=[firm_a.pk]), data).status_code == 302
    assert _recorded(firm_a) == {"AQAP-2110": "2030-06-30"}


def test_a_new_firm_registers_with_dates(bob):
    data = _profile(name="Lviv Optics LLC", edrpou="00032945", **{"certification_expiry-ISO-9001": "2030-01-31"})
    response = _client(bob).post(reverse("web:firm_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Firm.objects.get(name="Lviv Optics LLC").certification_expiry == {"ISO-9001": "2030-01-31"}


def test_the_reminders_follow_from_a_date_set_in_the_form(firm_a, alice):
    soon = timezone.localdate() + dt.timedelta(days=20)
    assert _edit(_client(alice), firm_a, **{"certification_expiry-AQAP-2110": soon.isoformat()}).status_code == 302
    assert freshness_pass()["certification_reminders"] == 1
    reminder = Notification.objects.get(user=alice, kind="certification_expiry")
    assert "AQAP-2110" in reminder.title
    assert freshness_pass()["certification_reminders"] == 0  # once


@pytest.mark.parametrize(("language", "text"), [("en", "AQAP-2110 valid until"), ("uk", "AQAP-2110 дійсний до")])
def test_the_date_is_shown_on_the_directory_profile_and_to_reviewers(firm_a, firm_b, bob, rita, language, text):
    Firm.objects.filter(pk=firm_a.pk).update(
        certifications=["AQAP-2110", "ISO-9001"], certification_expiry={"AQAP-2110": "2030-06-30"}
    )
    for user, url in (
        (bob, reverse("web:directory_firm", args=[firm_a.pk])),
        (rita, reverse("web:review_firm", args=[firm_a.pk])),
    ):
        response = _client(user, language).get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert text in body and "2030" in body and "ISO-9001" in body


def test_the_directory_api_gives_the_dates(firm_a, firm_b, bob):
    from tests.conftest import _client_for

    Firm.objects.filter(pk=firm_a.pk).update(
        certifications=["AQAP-2110"], certification_expiry={"AQAP-2110": "2030-06-30", "AS9100": "2030-01-01"}
    )
    entry = _client_for(bob).get(f"/api/v1/directory/{firm_a.pk}/").json()
    assert entry["certification_expiry"] == {"AQAP-2110": "2030-06-30"}
