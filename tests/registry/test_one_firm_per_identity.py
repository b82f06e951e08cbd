"""One legal entity, one registry record: a second firm with a registered EDRPOU code or LEI is refused
(API, web form, import), with a message that names the field and says what to do, in both languages;
the database refuses it too. The reviewer's firm page shows the LEI."""

import copy

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from registry.exchange import FORMAT, ExchangeFileError, export_document, firm_clean_document
from registry.identity import firm_identity_problems
from registry.models import Firm
from registry.services import firms_import
from tests.factories import FirmCapabilityFactory, FirmFactory

pytestmark = pytest.mark.django_db

LEI = "5493001KJTIIGC8Y1R12"
EDRPOU_TAKEN = {
    "en": "A firm with this EDRPOU code is already registered. Ask its owners to invite you to it, "
    "or contact the ministry if you think this is a mistake.",
    "uk": "Компанію з цим кодом ЄДРПОУ вже зареєстровано. Попросіть її власників запросити вас до неї або "
    "зверніться до міністерства, якщо вважаєте це помилкою.",
}
LEI_TAKEN = {
    "en": "A firm with this LEI is already registered. Ask its owners to invite you to it, "
    "or contact the ministry if you think this is a mistake.",
    "uk": "Компанію з цим LEI вже зареєстровано. Попросіть її власників запросити вас до неї або "
    "зверніться до міністерства, якщо вважаєте це помилкою.",
}


def _payload(ref: str = "ua-copycat", **changes) -> dict:
    doc = {
        "ref": ref,
        "name": "Copycat Defence LLC",
        "country": "UA",
        "edrpou": "14360570",
        "description": "Builds FPV strike drones and wants a partner for thermal cameras.",
        "offers": [{"capability": "uav.fpv"}],
        "partnership_types": ["co_production"],
        "contact": {"name": "Oksana Melnyk", "email": "oksana@copycat.example"},
    }
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not None}


@pytest.fixture(autouse=True)
def _offers(request):
    """The personas' firms offer something, as every valid profile does (so an edit of one field saves)."""
    for name in ("firm_a", "firm_b"):
        if name in request.fixturenames:
            FirmCapabilityFactory(firm=request.getfixturevalue(name))


@pytest.fixture
def partner_with_lei(firm_b):
    firm_b.lei = LEI
    firm_b.save(update_fields=["lei"])
    return firm_b


# --- API -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_api_refuses_a_second_firm_with_a_registered_edrpou(bob_client, firm_a, language):
    response = bob_client.post(
        "/api/v1/firms/", _payload(edrpou=firm_a.edrpou), format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"] == {"edrpou": [EDRPOU_TAKEN[language]]}
    assert Firm.objects.filter(edrpou=firm_a.edrpou).count() == 1


def test_the_api_refuses_a_second_firm_with_a_registered_lei(alice_client, partner_with_lei):
    doc = _payload("pl-copycat", country="PL", edrpou=None, lei=LEI)
    response = alice_client.post("/api/v1/firms/", doc, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"] == {"lei": [LEI_TAKEN["en"]]}
    assert not Firm.objects.filter(ref="pl-copycat").exists()


def test_the_api_refuses_an_edit_to_another_firms_identifiers(alice_client, firm_a, partner_with_lei):
    response = alice_client.patch(f"/api/v1/firms/{firm_a.pk}/", {"lei": LEI}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"lei": [LEI_TAKEN["en"]]}
    firm_a.refresh_from_db()
    assert (firm_a.lei, firm_a.status) == ("", Firm.Status.VERIFIED)


def test_a_firm_keeps_its_own_identifiers_through_an_edit(bob_client, partner_with_lei):
    response = bob_client.patch(f"/api/v1/firms/{partner_with_lei.pk}/", {"lei": LEI, "employees": 77}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["employees"] == 77


def test_distinct_identifiers_register(bob_client, firm_a):
    response = bob_client.post("/api/v1/firms/", _payload(lei="213800KUD8LAJWSQ9D15"), format="json")
    assert response.status_code == 201, response.json()


def test_the_rule_compares_the_lei_without_regard_to_case(partner_with_lei):
    assert firm_identity_problems(clean={"edrpou": "", "lei": LEI.lower()}) == [("lei", LEI_TAKEN["en"])]
    assert firm_identity_problems(clean={"edrpou": "", "lei": LEI}, firm_pk=partner_with_lei.pk) == []


# --- Web form ------------------------------------------------------------------------------------


def _web_profile(**overrides) -> dict:
    data = {
        "name": "Copycat Defence LLC",
        "country": "UA",
        "edrpou": "14360570",
        "description": "Builds multirotor reconnaissance drones for the front line.",
        "offers": ["uav.multirotor_isr"],
        "partnership_types": ["co_production"],
        "security_clearance": "NONE",
        "languages": "uk, en",
        "contact_name": "Olena Petrenko",
        "contact_email": "olena@copycat.example",
    }
    data.update(overrides)
    return data


def _client(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_web_form_names_the_registered_edrpou_in_the_readers_language(bob, firm_a, language):
    # Typed with a space, as from a printed extract: still the same code.
    spaced = f"{firm_a.edrpou[:4]} {firm_a.edrpou[4:]}"
    response = _client(bob, language).post(reverse("web:firm_create"), _web_profile(edrpou=spaced))
    assert response.status_code == 200
    assert response.context["form"].errors["edrpou"] == [EDRPOU_TAKEN[language]]
    assert EDRPOU_TAKEN[language].split(".")[0] in response.content.decode()
    assert not Firm.objects.filter(name="Copycat Defence LLC").exists()


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_web_form_refuses_an_edit_to_a_registered_lei(alice, firm_a, partner_with_lei, language):
    profile = _web_profile(name=firm_a.name, edrpou=firm_a.edrpou, lei=LEI.lower())  # upper-cased by the form
    response = _client(alice, language).post(reverse("web:firm_edit", args=[firm_a.pk]), profile)
    assert response.status_code == 200
    assert response.context["form"].errors["lei"] == [LEI_TAKEN[language]]
    firm_a.refresh_from_db()
    assert firm_a.lei == ""


# --- Import --------------------------------------------------------------------------------------


def _document(*firms: dict) -> dict:
    return {"format": FORMAT, "firms": list(firms)}


def test_an_import_that_would_copy_a_registered_edrpou_imports_nothing_and_names_the_row(firm_a):
    fresh = _payload("ua-fresh", edrpou="14352659", name="Fresh Works LLC")
    copy_of_a = _payload("ua-copycat", edrpou=firm_a.edrpou)
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document=_document(fresh, copy_of_a))
    assert excinfo.value.problems == [
        f"firms[1] (ua-copycat): edrpou: {EDRPOU_TAKEN['en']} (registered firm ua-skyforge)"
    ]
    assert not Firm.objects.filter(ref__in=["ua-fresh", "ua-copycat"]).exists()


def test_an_import_refuses_two_rows_with_one_lei():
    first = _payload("pl-one", country="PL", edrpou=None, lei=LEI)
    second = _payload("pl-two", country="PL", edrpou=None, lei=LEI)
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document=_document(first, second))
    assert excinfo.value.problems == [f"firms[1] (pl-two): lei: {LEI_TAKEN['en']} (also firms[0])"]
    assert not Firm.objects.filter(ref__in=["pl-one", "pl-two"]).exists()


def test_importing_a_firm_again_by_its_ref_keeps_working(firm_a, partner_with_lei):
    again = [export_document(firm_clean_document(firm)) for firm in (firm_a, partner_with_lei)]
    result = firms_import(document=_document(*copy.deepcopy(again)))
    assert (result.created, result.updated, result.unchanged) == ([], [], 2)
    again[0]["employees"] = 450
    result = firms_import(document=_document(*again))
    assert result.updated == [firm_a.pk]


# --- Database ------------------------------------------------------------------------------------


def test_the_database_refuses_a_second_firm_with_one_edrpou(firm_a):
    with pytest.raises(IntegrityError, match="firm_edrpou_unique"), transaction.atomic():
        FirmFactory(ref="ua-twin", edrpou=firm_a.edrpou)


def test_the_database_refuses_one_lei_in_another_case(partner_with_lei):
    with pytest.raises(IntegrityError, match="firm_lei_unique"), transaction.atomic():
        FirmFactory(ref="de-twin", partner=True, lei=LEI.lower())


def test_firms_without_identifiers_are_not_clashes():
    FirmFactory.create_batch(3, partner=True)  # no EDRPOU, no LEI: blank is no identity
    assert Firm.objects.filter(edrpou="", lei="").count() == 3


def test_the_factory_makes_firms_with_distinct_valid_codes():
    from registry.validators import edrpou_problem

    codes = [firm.edrpou for firm in FirmFactory.create_batch(5)]
    assert len(set(codes)) == 5 and not any(edrpou_problem(code) for code in codes)


# --- Reviewer's page -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_reviewers_firm_page_shows_a_partners_lei(rita, partner_with_lei, language):
    body = _client(rita, language).get(reverse("web:review_firm", args=[partner_with_lei.pk])).content.decode()
    assert f"LEI: {LEI}" in body
