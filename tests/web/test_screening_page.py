"""The reviewers' screening page: who may open it, what it shows, confirm and dismiss with a note, in both languages."""

from pathlib import Path

import pytest
from django.urls import reverse

from compliance.models import SanctionsEntry, ScreeningDecision
from compliance.services import firm_screen, sanctions_list_import
from registry.models import Firm
from tests.factories import FirmFactory
from tests.web.conftest import PAGE_PERSONAS

pytestmark = pytest.mark.django_db

FS = Firm.ScreeningStatus
SMALL_LIST = Path(__file__).resolve().parent.parent / "compliance" / "data" / "sanctions_small.csv"
EXPECTED = {
    "page_anon": 302,
    "page_alice_token": 302,  # a Bearer token is not a page session
    "page_alice": 403,
    "page_alice_viewer": 403,
    "page_bob": 403,
    "page_rita": 200,
    "page_adam": 200,
}


@pytest.fixture
def small_list(db):
    return sanctions_list_import(path=SMALL_LIST)


@pytest.fixture
def suspect(small_list):
    firm = FirmFactory(ref="cy-kz", name="Optika Krasnaya Zvezda Trading Ltd", country="CY", edrpou="")
    firm_screen(firm=firm)
    firm.refresh_from_db()
    assert firm.screening_status == FS.POTENTIAL_MATCH
    return firm


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_only_reviewers_open_the_screening_page(page_persona, request, suspect):
    persona = request.node.callspec.params["page_persona"]
    response = page_persona.get(reverse("web:review_screening"))
    assert response.status_code == EXPECTED[persona]
    if response.status_code == 302:
        assert reverse("web:login") in response["Location"]
    if response.status_code == 200:
        assert suspect.name in response.content.decode()


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_only_reviewers_decide_on_a_match(page_persona, request, suspect):
    persona = request.node.callspec.params["page_persona"]
    response = page_persona.post(
        reverse("web:review_screening_decide", args=[suspect.pk]), {"action": "dismiss", "note": "Another firm"}
    )
    suspect.refresh_from_db()
    if EXPECTED[persona] == 200:
        assert response.status_code == 302 and suspect.screening_status == FS.FALSE_POSITIVE
    else:
        assert response.status_code == EXPECTED[persona]
        assert suspect.screening_status == FS.POTENTIAL_MATCH
        assert not ScreeningDecision.objects.exists()


def test_page_shows_the_firm_beside_the_list_entry_with_the_evidence(page_rita, suspect):
    body = page_rita.get(reverse("web:review_screening")).content.decode()
    assert "Sanctions screening" in body
    assert suspect.name in body
    assert "Krasnaya Zvezda Optika JSC" in body  # the entry's name
    assert "Красная Звезда Оптика" in body  # and its aliases
    assert "UK Russia Regulations" in body  # the measure
    assert "registered in CY, a transit country" in body  # the explanation stored with the match
    assert "list name contained, plus generic words" in body


def test_page_renders_in_ukrainian_for_a_ukrainian_reviewer(page_rita, rita, suspect):
    rita.language = "uk"
    rita.save()
    body = page_rita.get(reverse("web:review_screening")).content.decode()
    assert 'lang="uk"' in body
    assert "Перевірка за санкційними списками" in body
    assert "Підтвердити збіг" in body and "Відхилити" in body
    assert "Sanctions screening" not in body


def test_page_queries_do_not_grow_with_the_queue(page_rita, small_list, django_assert_max_num_queries):
    for n in range(12):
        firm = FirmFactory(ref=f"cy-{n}", name=f"Zhuravl Avionika {n} Ltd", country="CY", edrpou="")
        firm_screen(firm=firm)
    with django_assert_max_num_queries(12):
        response = page_rita.get(reverse("web:review_screening"))
    assert response.content.decode().count('id="firm-') == 12


def test_dismissing_needs_a_note_that_the_message_asks_for(page_rita, suspect):
    response = page_rita.post(
        reverse("web:review_screening_decide", args=[suspect.pk]), {"action": "dismiss", "note": " "}, follow=True
    )
    suspect.refresh_from_db()
    assert suspect.screening_status == FS.POTENTIAL_MATCH
    assert "write a note" in response.content.decode()


def test_an_unknown_action_or_firm_is_no_server_error(page_rita, suspect):
    response = page_rita.post(
        reverse("web:review_screening_decide", args=[suspect.pk]), {"action": "delete", "note": "x"}, follow=True
    )
    assert response.status_code == 200 and "Choose confirm or dismiss." in response.content.decode()
    assert (
        page_rita.post(reverse("web:review_screening_decide", args=[999999]), {"action": "dismiss"}).status_code == 404
    )
    assert page_rita.get(reverse("web:review_screening"), {"status": "nonsense", "page": "x"}).status_code == 200


def test_confirming_suspends_the_firm_and_records_the_note(page_rita, rita, suspect):
    page_rita.post(
        reverse("web:review_screening_decide", args=[suspect.pk]),
        {"action": "confirm", "note": "Same registry address"},
    )
    suspect.refresh_from_db()
    assert suspect.screening_status == FS.CONFIRMED_MATCH and suspect.status == Firm.Status.SUSPENDED
    decision = ScreeningDecision.objects.get(firm=suspect)
    assert (decision.decision, decision.note, decision.reviewer) == ("confirm", "Same registry address", rita)
    body = page_rita.get(reverse("web:review_screening"), {"status": FS.CONFIRMED_MATCH}).content.decode()
    assert suspect.name in body and "Same registry address" in body


def test_a_dismissal_holds_until_either_side_changes(page_rita, suspect):
    page_rita.post(
        reverse("web:review_screening_decide", args=[suspect.pk]), {"action": "dismiss", "note": "Other firm"}
    )
    # Re-screened with nothing changed: still dismissed.
    assert firm_screen(firm=suspect).status == FS.FALSE_POSITIVE
    # The firm changes its name (still resembling the entry): a reviewer looks again.
    Firm.objects.filter(pk=suspect.pk).update(name="Optika Krasnaya Zvezda Holding Ltd")
    assert firm_screen(firm=suspect).status == FS.POTENTIAL_MATCH
    page_rita.post(
        reverse("web:review_screening_decide", args=[suspect.pk]), {"action": "dismiss", "note": "Still other"}
    )
    assert firm_screen(firm=suspect).status == FS.FALSE_POSITIVE
    # The list entry changes: a reviewer looks again.
    SanctionsEntry.objects.filter(entity_id="NK-krasnaya-zvezda").update(last_change="2027-01-01T00:00:00")
    assert firm_screen(firm=suspect).status == FS.POTENTIAL_MATCH
