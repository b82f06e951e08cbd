"""Owners' shares above 100 % are reported in the same round as the profile form's other errors,
by compliance's rule (`compliance.services.beneficial_owner_shares_check`), in English and Ukrainian."""

import pytest
from django.test import Client
from django.urls import reverse

from registry.models import Firm

pytestmark = pytest.mark.django_db


def _client(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _data(*owners, **overrides) -> dict:
    data = {
        "name": "Kyiv Drone Works LLC",
        "country": "UA",
        "edrpou": "32855961",
        "description": "Builds multirotor reconnaissance drones for the front line.",
        "offers": ["uav.multirotor_isr"],
        "partnership_types": ["co_production"],
        "security_clearance": "NONE",
        "contact_name": "Olena Petrenko",
        "contact_email": "olena@kyivdrone.example",
        "owners-TOTAL_FORMS": str(max(len(owners), 2)),
        "owners-INITIAL_FORMS": "0",
    }
    for i, (name, country, share) in enumerate(owners):
        data |= {f"owners-{i}-name": name, f"owners-{i}-country": country, f"owners-{i}-share_percent": share}
    return data | overrides


@pytest.mark.parametrize(
    ("language", "shares", "edrpou"),
    [
        ("en", "Shares add up to 110.00%, at most 100% allowed.", "EDRPOU"),
        ("uk", "Сума часток становить 110.00%, допускається не більше 100%.", "ЄДРПОУ"),
    ],
)
def test_shares_over_100_are_reported_with_the_profiles_other_errors(bob, language, shares, edrpou):
    data = _data(("Olena Koval", "UA", "60"), ("Hans Weber", "DE", "50,00"), edrpou="32855968", description="Short")
    response = _client(bob, language).post(reverse("web:firm_create"), data)
    assert response.status_code == 200
    form, owners = response.context["form"], response.context["owners"]
    assert {"edrpou", "description"} <= set(form.errors)
    assert owners.non_form_errors() == [shares]
    body = response.content.decode()
    assert shares in body and 'href="#owners"' in body and edrpou in body
    assert not Firm.objects.filter(name="Kyiv Drone Works LLC").exists()


def test_a_row_with_its_own_error_does_not_hide_the_total_of_the_others(bob):
    data = _data(("Olena Koval", "UA", "70"), ("Hans Weber", "DE", "40"), ("", "PL", "20"))
    response = _client(bob).post(reverse("web:firm_create"), data)
    owners = response.context["owners"]
    assert "name" in owners.forms[2].errors
    assert owners.non_form_errors() == ["Shares add up to 130%, at most 100% allowed."]


def test_shares_up_to_100_pass_and_are_saved(bob):
    response = _client(bob).post(
        reverse("web:firm_create"), _data(("Olena Koval", "UA", "60"), ("Hans Weber", "DE", "40"))
    )
    assert response.status_code == 302
    firm = Firm.objects.get(name="Kyiv Drone Works LLC")
    assert sorted(firm.beneficial_owners.values_list("name", flat=True)) == ["Hans Weber", "Olena Koval"]


def test_the_form_asks_compliance_rather_than_keeping_its_own_rule(bob, monkeypatch):
    from compliance.services import owners as rule

    seen = []
    original = rule._shares_checked
    monkeypatch.setattr(rule, "_shares_checked", lambda owners: seen.append(len(owners)) or original(owners))
    _client(bob).post(reverse("web:firm_create"), _data(("Olena Koval", "UA", "60"), edrpou="32855968"))
    assert seen == [1]  # called by the form's clean; the profile's error stopped the save before the service
