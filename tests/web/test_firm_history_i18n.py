"""A firm's history reads in the reader's language: the note of a firm sent back to verification and
the names of the changed fields are put into words when shown, not stored as English sentences."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from registry.models import FirmRevision
from registry.services import firm_certifications_expire
from tests.factories import FirmCapabilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offers(request):
    """The personas' firms offer something, as every valid profile does (so an edit of one field saves)."""
    for name in ("firm_a", "firm_b"):
        if name in request.fixturenames:
            FirmCapabilityFactory(firm=request.getfixturevalue(name))


def _page(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _history_text(rita, firm, language: str) -> str:
    return _page(rita, language).get(reverse("web:review_firm", args=[firm.pk])).content.decode()


@pytest.mark.parametrize(
    ("language", "note", "fields"),
    [
        ("en", "Identity changed (Legal name): back to pending for re-verification.", "Legal name, Status"),
        ("uk", "Змінено реквізити (Юридична назва): компанія знову чекає на верифікацію.", "Юридична назва, Статус"),
    ],
)
def test_a_firm_sent_back_to_verification_reads_in_the_readers_language(
    alice_client, rita, firm_a, language, note, fields
):
    response = alice_client.patch(f"/api/v1/firms/{firm_a.pk}/", {"name": "SkyForge Defence LLC"}, format="json")
    assert response.status_code == 200, response.json()
    revision = FirmRevision.objects.filter(firm=firm_a).latest("id")
    assert (revision.note, revision.note_code, revision.note_params) == ("", "identity_changed", {"fields": ["name"]})
    body = _history_text(rita, firm_a, language)
    assert note in body
    assert "Identity changed" not in body or language == "en"


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en", "Profile changed: Employees, Year founded"),
        ("uk", "Профіль змінено: Кількість працівників, Рік заснування"),
    ],
)
def test_the_changed_fields_are_named_as_the_form_names_them(alice_client, rita, firm_a, language, label):
    response = alice_client.patch(f"/api/v1/firms/{firm_a.pk}/", {"employees": 50, "founded": 2001}, format="json")
    assert response.status_code == 200
    body = _history_text(rita, firm_a, language)
    assert label in body
    assert "employees, founded" not in body


@pytest.mark.parametrize(("language", "note"), [("en", "Identity changed (LEI)"), ("uk", "Змінено реквізити (LEI)")])
def test_the_api_history_gives_the_note_in_the_requests_language(alice_client, firm_a, language, note):
    response = alice_client.patch(f"/api/v1/firms/{firm_a.pk}/", {"lei": "5493001KJTIIGC8Y1R12"}, format="json")
    assert response.status_code == 200
    history = alice_client.get(f"/api/v1/firms/{firm_a.pk}/history/", HTTP_ACCEPT_LANGUAGE=language).json()
    assert history["results"][0]["note"].startswith(note)


@pytest.mark.parametrize(
    ("language", "note"), [("en", "Expired: AS9100 (valid until"), ("uk", "Термін дії минув: AS9100 (дійсний до")]
)
def test_the_note_of_an_expired_certification_reads_in_the_readers_language(rita, firm_a, language, note):
    firm_a.certifications, firm_a.certification_expiry = ["AS9100"], {"AS9100": "2026-01-31"}
    firm_a.save()
    firm_certifications_expire(firm_id=firm_a.pk, today=dt.date(2026, 2, 1))
    revision = FirmRevision.objects.filter(firm=firm_a).latest("id")
    assert (revision.note, revision.note_code) == ("", "certifications_expired")
    assert note in _history_text(rita, firm_a, language)
