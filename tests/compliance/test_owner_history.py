"""Declaring, changing, withdrawing and replacing beneficial owners is kept in the firm's profile history
(`owners`, old and new, by whom) and changes the firm's ETag and its place in the change feed
(compliance.services.owners -> registry.services.firm_owners_change_record): API, web form and pages."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.models import Firm, FirmRevision
from tests.factories import FirmCapabilityFactory

pytestmark = pytest.mark.django_db

OWNER = {"name": "Taras Holding", "country": "UA", "share_percent": "25.00"}
LINE = "Taras Holding (UA) 25.00%"


def owners_url(firm):
    return f"/api/v1/firms/{firm.pk}/owners/"


def latest(firm) -> FirmRevision | None:
    return FirmRevision.objects.filter(firm=firm).order_by("-id").first()


def etag(client, firm) -> str:
    return client.get(f"/api/v1/firms/{firm.pk}/")["ETag"]


@pytest.fixture(autouse=True)
def _an_offer(firm_a):
    FirmCapabilityFactory(firm=firm_a, kind="offer")


def test_declaring_an_owner_is_in_the_history_by_whom_and_changes_the_etag(alice, alice_token, firm_a):
    before = etag(alice_token, firm_a)
    revisions = FirmRevision.objects.filter(firm=firm_a).count()

    assert alice_token.post(owners_url(firm_a), OWNER).status_code == 201

    revision = latest(firm_a)
    assert FirmRevision.objects.filter(firm=firm_a).count() == revisions + 1
    assert revision.changed_fields == ["owners"]
    assert revision.changes == {"owners": {"old": [], "new": [LINE]}}
    assert revision.changed_by == alice and revision.source == "api"
    after = etag(alice_token, firm_a)
    assert after != before

    # The same owner with the same share again: nothing changes, nothing is recorded, same ETag.
    assert alice_token.post(owners_url(firm_a), OWNER).status_code == 200
    assert latest(firm_a) == revision and etag(alice_token, firm_a) == after


def test_a_new_share_and_a_withdrawal_are_recorded_with_old_and_new(alice_client, firm_a):
    alice_client.post(owners_url(firm_a), OWNER)
    alice_client.post(owners_url(firm_a), {"name": "Hans Weber", "country": "DE", "share_percent": "40"})
    assert latest(firm_a).changes["owners"] == {
        "old": [LINE],
        "new": ["Hans Weber (DE) 40.00%", LINE],  # largest share first
    }
    changed = alice_client.post(owners_url(firm_a), {**OWNER, "share_percent": "30.5"})
    assert changed.status_code == 200
    assert latest(firm_a).changes["owners"] == {
        "old": ["Hans Weber (DE) 40.00%", LINE],
        "new": ["Hans Weber (DE) 40.00%", "Taras Holding (UA) 30.50%"],
    }
    owner_id = next(o["id"] for o in changed.json()["owners"] if o["name"] == "Hans Weber")
    assert alice_client.delete(owners_url(firm_a) + f"{owner_id}/").status_code == 200
    assert latest(firm_a).changes["owners"] == {
        "old": ["Hans Weber (DE) 40.00%", "Taras Holding (UA) 30.50%"],
        "new": ["Taras Holding (UA) 30.50%"],
    }
    revisions = FirmRevision.objects.filter(firm=firm_a).count()
    assert alice_client.delete(owners_url(firm_a) + f"{owner_id}/").status_code == 200  # gone already
    assert FirmRevision.objects.filter(firm=firm_a).count() == revisions


def test_replacing_the_owners_records_a_change_but_not_the_same_owners_in_another_order(alice_token, firm_a):
    two = [OWNER, {"name": "Hans Weber", "country": "DE", "share_percent": "25.00"}]
    assert alice_token.put(owners_url(firm_a), {"owners": two}, format="json").status_code == 200
    revision = latest(firm_a)
    assert revision.changes["owners"] == {"old": [], "new": ["Hans Weber (DE) 25.00%", LINE]}
    tag = etag(alice_token, firm_a)
    again = alice_token.put(owners_url(firm_a), {"owners": two[::-1]}, format="json")
    assert again.status_code == 200 and latest(firm_a) == revision and etag(alice_token, firm_a) == tag
    assert alice_token.put(owners_url(firm_a), {"owners": []}, format="json").status_code == 200
    assert latest(firm_a).changes["owners"] == {"old": ["Hans Weber (DE) 25.00%", LINE], "new": []}


def test_an_owner_change_puts_the_firm_in_the_change_feed(alice_token, firm_a):
    Firm.objects.filter(pk=firm_a.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    listed = alice_token.get("/api/v1/firms/", {"updated_since": since})
    assert firm_a.pk not in [f["id"] for f in listed.json()["results"]]
    alice_token.post(owners_url(firm_a), OWNER)
    listed = alice_token.get("/api/v1/firms/", {"updated_since": since})
    assert firm_a.pk in [f["id"] for f in listed.json()["results"]]


@pytest.mark.parametrize("persona", ["alice_viewer_client", "rita_client"], indirect=True)
def test_members_and_reviewers_read_the_owners_entry_in_the_api_history(persona, alice_client, firm_a):
    alice_client.post(owners_url(firm_a), OWNER)
    response = persona.get(f"/api/v1/firms/{firm_a.pk}/history/")
    assert response.status_code == 200
    entry = response.json()["results"][0]
    assert entry["changed_fields"] == ["owners"] and entry["changed_by"] == "alice"
    assert entry["changes"] == {"owners": {"old": [], "new": [LINE]}}


def test_an_outsider_does_not_read_the_history(alice_client, bob_client, firm_a):
    alice_client.post(owners_url(firm_a), OWNER)
    assert bob_client.get(f"/api/v1/firms/{firm_a.pk}/history/").status_code == 404


# --- The web: the owners' rows of the profile form, and the history pages ------------------------------


def _page(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _profile(*owners) -> dict:
    data = {
        "name": "Kyiv Drone Works LLC",
        "country": "UA",
        "edrpou": "41234569",
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
    return data


def test_the_owners_rows_of_the_profile_form_are_recorded_by_whom(bob):
    page = _page(bob)
    assert page.post(reverse("web:firm_create"), _profile(("Olena Koval", "UA", "60"))).status_code == 302
    firm = Firm.objects.get(name="Kyiv Drone Works LLC")
    assert latest(firm).changes == {"owners": {"old": [], "new": ["Olena Koval (UA) 60.00%"]}}
    assert latest(firm).changed_by == bob

    edit = _profile(("Olena Koval", "UA", "55"), ("Hans Weber", "DE", "45"))
    assert page.post(reverse("web:firm_edit", args=[firm.pk]), edit).status_code == 302
    assert latest(firm).changes == {
        "owners": {"old": ["Olena Koval (UA) 60.00%"], "new": ["Olena Koval (UA) 55.00%", "Hans Weber (DE) 45.00%"]}
    }
    revisions = FirmRevision.objects.filter(firm=firm).count()
    same = _profile(("Hans Weber", "DE", "45,00"), ("Olena Koval", "UA", "55"))  # same owners, other order
    assert page.post(reverse("web:firm_edit", args=[firm.pk]), same).status_code == 302
    assert FirmRevision.objects.filter(firm=firm).count() == revisions


@pytest.mark.parametrize(
    ("language", "changed", "before", "now", "none"),
    [
        ("en", "Beneficial owners changed.", "Before:", "Now:", "none"),
        ("uk", "Кінцевих бенефіціарних власників змінено.", "Було:", "Стало:", "немає"),
    ],
)
def test_the_reviewers_firm_page_shows_the_owners_entry(
    language, changed, before, now, none, rita, alice_client, firm_a
):
    alice_client.post(owners_url(firm_a), OWNER)
    alice_client.post(owners_url(firm_a), {**OWNER, "share_percent": "30"})
    body = _page(rita, language).get(reverse("web:review_firm", args=[firm_a.pk])).content.decode()
    history = body[body.index('id="firm-history-h"') :]
    assert f"{changed} {before} {none}. {now} {LINE}." in history  # the first declaration
    assert f"{changed} {before} {LINE}. {now} Taras Holding (UA) 30.00%." in history
    assert "(alice)" in history


@pytest.mark.parametrize(
    ("language", "changed", "before", "now", "none"),
    [
        ("en", "Beneficial owners changed.", "Before:", "Now:", "none"),
        ("uk", "Кінцевих бенефіціарних власників змінено.", "Було:", "Стало:", "немає"),
    ],
)
def test_every_member_reads_the_owners_entry_on_the_firms_history_page(
    language, changed, before, now, none, alice_viewer, alice_client, rita, firm_a
):
    from registry.services import firm_suspend, firm_verify

    firm_suspend(firm=firm_a, reviewer=rita, reason="Sanctions list check pending.")
    firm_verify(firm=firm_a, reviewer=rita, note="Checked.")
    alice_client.post(owners_url(firm_a), OWNER)
    response = _page(alice_viewer, language).get(reverse("web:firm_history", args=[firm_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    history = body[body.index('id="firm-history-h"') :]
    assert f"{changed} {before} {none}. {now} {LINE}." in history and "(alice)" in history
    assert "(rita)" not in history  # who at the ministry decided is not part of the firm's page
    assert "Sanctions list check pending." in history  # the reason a member needs
    dashboard = _page(alice_viewer, language).get(reverse("web:firm_dashboard", args=[firm_a.pk])).content.decode()
    assert reverse("web:firm_history", args=[firm_a.pk]) in dashboard


def test_the_firms_history_page_is_404_to_an_outsider(bob, rita, firm_a):
    assert _page(bob).get(reverse("web:firm_history", args=[firm_a.pk])).status_code == 404
    assert _page(rita).get(reverse("web:firm_history", args=[firm_a.pk])).status_code == 404  # the review page is hers
