"""A rule a service refuses comes back on the page's form: beside the field it is about, under that
field's label (not its code name), in the person's language, with what was typed kept, status 400.
And no action is a silent no-op: an unknown choice or a bad filter is said, with a 400."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from directory.models import SavedSearch
from events.models import Event, MeetingRequest, Participation, ScheduleRun
from matching.models import Proposal
from tests.directory.conftest import market  # noqa: F401 - the fixture
from tests.events.helpers import make_event, register
from tests.factories import FirmFactory, ProposalFactory
from tests.web.test_events_pages import _client

pytestmark = pytest.mark.django_db
LANGUAGES = ["uk", "en"]


def _field_errors(body: str, error_id: str) -> str:
    """The text of the error list with this id (the errors shown beside one field)."""
    match = re.search(rf'<ul class="errorlist" id="{re.escape(error_id)}">(.*?)</ul>', body, re.S)
    assert match, f"no errors shown for {error_id}"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def _no_code_name_prefix(response, *codes: str) -> None:
    body = html.unescape(response.content.decode())
    for code in codes:
        assert f"{code}:" not in body, f"the code name {code!r} leaks into the page"
    assert not list(response.context["messages"]), "a refused form is not a flash message"


# ---- Meeting requests ---------------------------------------------------------------------------


@pytest.fixture
def two_registered(alice, bob, firm_a, firm_b):
    event = make_event()
    return event, register(event, firm_a, alice), register(event, firm_b, bob)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_too_long_reason_is_shown_beside_the_reason_with_the_text_kept(two_registered, alice, language):
    event, pa, pb = two_registered
    reason = "Тепловізійні модулі. " * 60  # over 1,000 characters
    response = _client(alice, language).post(
        reverse("web:event_request_send", args=[pa.pk]), {"receiver": pb.pk, "reason": reason, "priority": "2"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    expected = {"uk": "не більше 1000 символів", "en": "no more than 1000 characters"}[language]
    assert expected in _field_errors(body, f"id_request_{pa.pk}_reason_error")
    label = {"uk": "Мета зустрічі", "en": "Reason for the meeting"}[language]
    assert f'<label for="id_request_{pa.pk}_reason">{label}' in body
    assert html.escape(reason.strip()) in body  # what was typed is still there
    assert f'<option value="{pb.pk}" selected>' in body and '<option value="2" selected>' in body
    _no_code_name_prefix(response, "reason")
    assert not MeetingRequest.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_priority_out_of_range_and_ones_own_firm_are_named_on_their_fields(two_registered, alice, language):
    event, pa, pb = two_registered
    client = _client(alice, language)
    url = reverse("web:event_request_send", args=[pa.pk])
    response = client.post(url, {"receiver": pb.pk, "reason": "Оптика", "priority": "99"})
    assert response.status_code == 400
    expected = {"uk": "від 1 (найбажаніша) до 5", "en": "from 1 (most wanted) to 5"}[language]
    assert expected in _field_errors(response.content.decode(), f"id_request_{pa.pk}_priority_error")
    _no_code_name_prefix(response, "priority")
    response = client.post(url, {"receiver": pa.pk, "reason": "Оптика", "priority": "1"})
    assert response.status_code == 400
    expected = {"uk": "сама з собою", "en": "with itself"}[language]
    assert expected in _field_errors(response.content.decode(), f"id_request_{pa.pk}_receiver_error")
    _no_code_name_prefix(response, "receiver")
    response = client.post(url, {"receiver": "x", "reason": "Оптика"})
    assert response.status_code == 400  # not a number: the form says so, nothing is sent
    assert not MeetingRequest.objects.exists()


def test_a_request_that_goes_through_still_redirects_with_a_message(two_registered, alice):
    event, pa, pb = two_registered
    response = _client(alice, "uk").post(
        reverse("web:event_request_send", args=[pa.pk]), {"receiver": pb.pk, "reason": "Оптика", "priority": "1"}
    )
    assert response.status_code == 302 and MeetingRequest.objects.get().priority == 1


# ---- Registration -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_registering_a_stranger_or_an_unknown_block_is_named_on_that_group(alice, bob, firm_a, language):
    event = make_event()
    client = _client(alice, language)
    url = reverse("web:event_register", args=[event.pk])
    response = client.post(url, {"firm": firm_a.pk, "attendees": [alice.pk, bob.pk], "blocked_slots": [1]})
    assert response.status_code == 400
    body = response.content.decode()
    match = re.search(
        rf'<fieldset class="field field-error" id="id_register_{firm_a.pk}_attendees">(.*?)</fieldset>', body, re.S
    )
    assert match, "the attendees group shows the error"
    expected = {"uk": "не є членами", "en": "not members"}[language]
    assert expected in html.unescape(match.group(1)) and str(bob.pk) in match.group(1)
    legend = {"uk": "Учасники", "en": "Attendees"}[language]
    assert legend in match.group(1)
    # What was ticked is kept: alice, and the slot she cannot meet in.
    assert re.search(rf'name="attendees" value="{alice.pk}"[^>]*checked', match.group(1))
    assert re.search(r'name="blocked_slots" value="1"[^>]*checked', body)
    _no_code_name_prefix(response, "attendees")
    response = client.post(url, {"firm": firm_a.pk, "attendees": [alice.pk], "blocks": [0, 99]})
    assert response.status_code == 400
    body = response.content.decode()
    match = re.search(rf'id="id_register_{firm_a.pk}_blocks">(.*?)</fieldset>', body, re.S)
    expected = {"uk": "число від 0 до 1", "en": "a number from 0 to 1"}[language]
    assert match and expected in html.unescape(match.group(1))
    _no_code_name_prefix(response, "blocks")
    assert not Participation.objects.exists()


# ---- Scheduler and status -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("value", ["0", "abc", "99999999999999999999"])
def test_a_bad_time_limit_is_a_field_error_and_starts_nothing(rita, language, value):
    event = make_event(status=Event.Status.SCHEDULING)
    response = _client(rita, language).post(reverse("web:event_schedule", args=[event.pk]), {"time_limit": value})
    assert response.status_code == 400
    errors = _field_errors(response.content.decode(), "id_time_limit_error")
    label = {"uk": "Обмеження часу, секунд", "en": "Time limit, seconds"}[language]
    assert label in response.content.decode()
    if value == "abc":
        assert {"uk": "Введіть ціле число", "en": "Enter a whole number"}[language] in errors
    _no_code_name_prefix(response, "time_limit")
    assert not ScheduleRun.objects.exists()


def test_a_good_time_limit_starts_the_scheduler(rita):
    event = make_event(status=Event.Status.SCHEDULING)
    response = _client(rita, "en").post(reverse("web:event_schedule", args=[event.pk]), {"time_limit": "5"})
    assert response.status_code == 302 and ScheduleRun.objects.get().time_limit == 5


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_event_status_is_a_400_that_says_so(rita, language):
    event = make_event(status=Event.Status.DRAFT)
    response = _client(rita, language).post(reverse("web:event_status", args=[event.pk]), {"status": "bogus"})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert {"uk": "Статус: ", "en": "Status: "}[language] in body and "bogus" in body
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


# ---- Review: bulk reject, decide, firm list, export ---------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bulk_reject_without_a_reason_is_shown_beside_the_note_with_the_selection_kept(rita, language):
    ua = FirmFactory()
    a, b = (ProposalFactory(ukrainian=ua, score=0.5 + i / 10) for i in range(2))
    response = _client(rita, language).post(
        reverse("web:review_bulk"),
        {"action": "reject", "proposal_ids": [a.pk, b.pk], "note": "  ", "query": "status=proposed"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    required = {"uk": "Це поле обовʼязкове", "en": "This field is required"}[language]
    assert required in _field_errors(body, "bulk-note_error")
    label = {"uk": "Примітка або причина для вибраних пропозицій", "en": "Note or reason for the selected proposals"}
    assert label[language] in body
    assert re.search(rf'value="{a.pk}" id="pick-{a.pk}"[^>]*checked', body)
    assert re.search(rf'value="{b.pk}" id="pick-{b.pk}"[^>]*checked', body)
    _no_code_name_prefix(response, "reason")
    assert set(Proposal.objects.values_list("status", flat=True)) == {"proposed"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_decision_is_a_400_that_says_so(rita, proposal_pending_ab, language):
    proposal_ab = proposal_pending_ab
    response = _client(rita, language).post(
        reverse("web:review_proposal_decide", args=[proposal_ab.pk]), {"action": "bogus", "note": "Keep me"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert {"uk": "Оберіть «схвалити» або «відхилити»", "en": "Choose approve or reject."}[language] in html.unescape(
        body
    )
    assert "Keep me" in body
    proposal_ab.refresh_from_db()
    assert proposal_ab.status == "proposed"


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_side_on_the_firm_list_is_named_on_its_field(rita, firm_a, language):
    response = _client(rita, language).get(reverse("web:review_firm_list"), {"side": "ukrainian"})
    assert response.status_code == 400
    assert "side" in response.context["form"].errors
    errors = _field_errors(response.content.decode(), "id_side_error")
    assert "ukrainian" in errors


def test_an_export_with_a_bad_filter_is_a_400_naming_it_not_the_whole_queue(rita):
    ProposalFactory()
    client = _client(rita, "en")
    response = client.get(reverse("web:review_queue_export"), {"file": "csv", "max_age_days": "99999999999999999999"})
    assert response.status_code == 400 and "max_age_days" in response.content.decode()
    page = client.get(reverse("web:review_queue"), {"max_age_days": "99999999999999999999"})
    assert "max_age_days" in page.context["form"].errors  # the page names it alike
    assert client.get(reverse("web:review_queue_export"), {"file": "csv"}).status_code == 200


# ---- Saved searches --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_saving_a_search_without_filters_says_why_on_the_directory_page(bob, market, language):  # noqa: F811
    response = _client(bob, language).post(
        reverse("web:directory_search_save"), {"name": "Усе підряд", "frequency": "weekly"}
    )
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    expected = {"uk": "принаймні одного фільтра", "en": "at least one filter"}[language]
    assert expected in body and 'value="Усе підряд"' in body
    _no_code_name_prefix(response, "query")
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_search_cannot_be_saved_twice(bob, market, language):  # noqa: F811
    client = _client(bob, language)
    data = {"q_offers": "munitions", "q_side": "ua", "name": "Снаряди", "frequency": "weekly"}
    assert client.post(reverse("web:directory_search_save"), data).status_code == 302
    response = client.post(reverse("web:directory_search_save"), {**data, "q_side": "ua", "name": "Ще раз"})
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    expected = {"uk": "Ви вже зберегли цей пошук як «Снаряди»", "en": "You already keep this search as “Снаряди”"}
    assert expected[language] in body and 'value="Ще раз"' in body
    assert 'name="q_offers" value="munitions"' in body  # the filters go with the form again
    assert SavedSearch.objects.count() == 1
