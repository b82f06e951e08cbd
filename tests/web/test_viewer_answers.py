"""A viewer follows an introduction but cannot answer it: no accept, decline or outcome buttons or
forms, the page says who acts, and the forms' addresses answer 403 (GET and POST) without a change."""

import pytest
from django.urls import reverse

from review.services.workflow import proposal_accept, proposal_approve
from tests.factories import ProposalFactory
from tests.web.conftest import PAGE_PERSONAS

pytestmark = pytest.mark.django_db

ANSWER_URLS = ["web:firm_proposal_accept", "web:firm_proposal_decline"]
WHO_ANSWERS = {
    "en": "An owner or editor of SkyForge Robotics LLC accepts or declines this introduction",
    "uk": "Цю пропозицію партнерства приймає або відхиляє власник чи редактор компанії SkyForge Robotics LLC",
}
WHO_RECORDS = {
    "en": "An owner or editor of SkyForge Robotics LLC records what came of this introduction",
    "uk": "Результат цієї пропозиції партнерства записує власник чи редактор компанії SkyForge Robotics LLC",
}


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_viewer_sees_who_answers_and_no_buttons(page_alice_viewer, firm_a, proposal_ab, language):
    page = page_alice_viewer.get(
        reverse("web:firm_proposal", args=[firm_a.pk, proposal_ab.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    body = page.content.decode()
    assert WHO_ANSWERS[language] in body
    for name in ANSWER_URLS:
        assert reverse(name, args=[firm_a.pk, proposal_ab.pk]) not in body


@pytest.mark.parametrize("language", ["en", "uk"])
def test_an_owner_sees_the_buttons_and_no_viewer_note(page_alice, firm_a, proposal_ab, language):
    body = page_alice.get(
        reverse("web:firm_proposal", args=[firm_a.pk, proposal_ab.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert WHO_ANSWERS[language] not in body
    for name in ANSWER_URLS:
        assert reverse(name, args=[firm_a.pk, proposal_ab.pk]) in body


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_viewer_of_a_connected_introduction_sees_who_records_the_outcome(
    page_alice_viewer, firm_a, firm_b, alice, bob, rita, language
):
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed")
    proposal_approve(proposal=proposal, reviewer=rita)
    proposal_accept(proposal=proposal, user=alice)
    proposal_accept(proposal=proposal, user=bob)
    body = page_alice_viewer.get(
        reverse("web:firm_proposal", args=[firm_a.pk, proposal.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert WHO_RECORDS[language] in body
    assert 'id="outcome-h"' not in body


# What each persona gets from the accept / decline forms of firm A's approved proposal.
FORM_GET = {
    "page_anon": 302,  # to the log-in page
    "page_alice_token": 302,
    "page_alice": 200,
    "page_alice_viewer": 403,  # before: the form, refused only once sent
    "page_bob": 404,  # A's URL: not his firm
    "page_rita": 404,
    "page_adam": 404,
}


@pytest.mark.parametrize("name", ANSWER_URLS)
@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_the_answer_forms_are_for_owners_and_editors_only(page_persona, firm_a, proposal_ab, name, request):
    persona = request.node.callspec.params["page_persona"]
    url = reverse(name, args=[firm_a.pk, proposal_ab.pk])
    response = page_persona.get(url)
    assert response.status_code == FORM_GET[persona], persona
    if persona == "page_alice":
        assert b'<form method="post">' in response.content


@pytest.mark.parametrize("name", ANSWER_URLS)
def test_a_viewer_posting_the_form_anyway_is_refused_and_nothing_changes(page_alice_viewer, firm_a, proposal_ab, name):
    response = page_alice_viewer.post(reverse(name, args=[firm_a.pk, proposal_ab.pk]), {"note": "Not for us, sorry"})
    assert response.status_code == 403
    proposal_ab.refresh_from_db()
    assert proposal_ab.status == "approved" and proposal_ab.ukrainian_accepted_at is None
    assert not proposal_ab.events.exists()
