"""matching/admin.py: proposals and their events are view-only, even for superusers."""

import pytest
from django.test import Client

from matching.models import ProposalEvent
from review.services import workflow as review


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_browser(adam):
    client = Client()
    client.force_login(adam)
    return client


def test_superuser_can_view_but_not_change_or_delete_proposals_and_events(admin_browser, proposal_ab, rita):
    review.proposal_approve(proposal=proposal_ab, reviewer=rita, note="ok")
    event = ProposalEvent.objects.get()

    page = admin_browser.get(f"/admin/matching/proposal/{proposal_ab.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # a view-only page, no save button

    for path in (
        f"/admin/matching/proposal/{proposal_ab.pk}/delete/",
        f"/admin/matching/proposalevent/{event.pk}/delete/",
        "/admin/matching/proposal/add/",
        "/admin/matching/proposalevent/add/",
    ):
        assert admin_browser.get(path).status_code == 403, path

    response = admin_browser.post(f"/admin/matching/proposalevent/{event.pk}/change/", {"note": "rewritten"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.note == "ok"

    listing = admin_browser.get("/admin/matching/proposal/")
    assert listing.status_code == 200
    assert b"delete_selected" not in listing.content


@pytest.mark.parametrize("model", ["matchrun", "notification", "proposal", "proposalevent"])
def test_matching_admin_lists_open_for_superusers(admin_browser, model):
    assert admin_browser.get(f"/admin/matching/{model}/").status_code == 200


def test_a_system_note_stored_as_a_code_is_worded_on_the_proposal_page(admin_browser, proposal_ab):
    ProposalEvent.objects.create(
        proposal=proposal_ab,
        actor_role="system",
        to_status="withdrawn",
        note_code="suspended_in_admin",
        note_params={"by": "rita"},
    )
    page = admin_browser.get(f"/admin/matching/proposal/{proposal_ab.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Suspended in the admin by rita" in page.content.decode()
