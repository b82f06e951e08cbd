"""A notification reads in the language its reader uses now, not only the one they had when it was written."""

import pytest
from django.urls import reverse

from matching.models import Notification
from review.services import workflow as review
from review.services.notifications import reviewer_digest_send

EN_TITLE = "Proposal approved: SkyForge Robotics LLC and Optronik Systems GmbH"
UK_TITLE = "Пропозицію схвалено: SkyForge Robotics LLC і Optronik Systems GmbH"


@pytest.fixture
def approved_for_alice_without_a_language(alice, bob, proposal_pending_ab, rita):
    """alice has no saved language (her notification is stored in English); bob reads Ukrainian."""
    alice.language = ""
    alice.save(update_fields=["language"])
    bob.language = "uk"
    bob.save(update_fields=["language"])
    review.proposal_approve(proposal=proposal_pending_ab, reviewer=rita, note="")
    return {n.user.username: n for n in Notification.objects.select_related("user")}


def test_both_languages_are_written_and_the_stored_text_stays_the_recipients(approved_for_alice_without_a_language):
    alice_row, bob_row = approved_for_alice_without_a_language["alice"], approved_for_alice_without_a_language["bob"]
    assert alice_row.title == EN_TITLE and bob_row.title == UK_TITLE  # what the emails say
    for row in (alice_row, bob_row):
        assert row.text_in("en")[0] == EN_TITLE and row.text_in("uk")[0] == UK_TITLE
        assert "протягом" in row.text_in("uk")[1] and "within" in row.text_in("en")[1]


@pytest.mark.parametrize(("language", "title", "other"), [("uk", UK_TITLE, EN_TITLE), ("en", EN_TITLE, UK_TITLE)])
def test_the_notifications_page_shows_the_page_language(
    page_alice, approved_for_alice_without_a_language, language, title, other
):
    body = page_alice.get(reverse("web:notifications"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert title in body and other not in body


@pytest.mark.parametrize(("language", "title"), [("uk", UK_TITLE), ("en", EN_TITLE)])
def test_marking_one_read_answers_in_the_page_language_and_keeps_the_stored_text(
    page_alice, approved_for_alice_without_a_language, language, title
):
    row = approved_for_alice_without_a_language["alice"]
    response = page_alice.post(
        reverse("web:notification_read", args=[row.pk]), HTTP_ACCEPT_LANGUAGE=language, HTTP_HX_REQUEST="true"
    )
    assert title in response.content.decode()
    row.refresh_from_db()
    assert row.read_at is not None and row.title == EN_TITLE


@pytest.mark.parametrize(("language", "title"), [("uk", UK_TITLE), ("en", EN_TITLE)])
def test_the_api_answers_in_the_requests_language(
    alice_client, bob_client, approved_for_alice_without_a_language, language, title
):
    for client in (alice_client, bob_client):
        rows = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        assert [row["title"] for row in rows] == [title]
        read = client.post(f"/api/v1/notifications/{rows[0]['id']}/read/", HTTP_ACCEPT_LANGUAGE=language).json()
        assert read["title"] == title


def test_a_row_written_before_both_languages_were_kept_shows_its_stored_text(page_alice, alice):
    Notification.objects.create(user=alice, kind="approved", title="Old title", body="Old body", idempotency_key="old")
    assert "Old title" in page_alice.get(reverse("web:notifications"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()


def test_the_reviewer_digest_reads_in_the_reviewers_page_language(page_rita, rita, proposal_pending_ab):
    reviewer_digest_send()
    body = page_rita.get(reverse("web:notifications"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "1 пропозиція чекає на розгляд" in body
