"""Saved searches: the API, and exactly one alert per firm and search when a matching firm is verified."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from directory.models import SavedSearch, SavedSearchAlert
from directory.services import saved_search_alerts_for_firm, saved_search_digests_send
from matching.models import Notification
from registry.models import Firm
from registry.services import firm_update, firm_verify
from tests.directory.conftest import cap
from tests.factories import FirmCapabilityFactory, FirmFactory, UserFactory

URL = "/api/v1/directory/saved-searches/"


def _pending_artillery_firm(name="Нова Артилерія ТОВ", ref="ua-new-artillery"):
    firm = FirmFactory(
        ref=ref, name=name, status=Firm.Status.PENDING,
        description="Виробництво снарядів 155 мм.",
    )  # fmt: skip
    FirmCapabilityFactory(firm=firm, kind="offer", capability=cap("munitions.artillery_155"))
    return firm


def test_a_member_saves_lists_renames_and_deletes_a_search(bob_client, market):
    response = bob_client.post(
        URL, {"name": "Shells", "query": {"offers": "munitions.artillery_155", "side": "ua"}}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert [s["name"] for s in bob_client.get(URL).json()] == ["Shells"]
    assert bob_client.patch(f"{URL}{pk}/", {"frequency": "weekly"}, format="json").json()["frequency"] == "weekly"
    assert bob_client.delete(f"{URL}{pk}/").status_code == 204
    assert not SavedSearch.objects.exists()


def test_another_persons_saved_search_is_a_404_even_for_reviewers(bob_client, alice_client, rita_client, market):
    pk = bob_client.post(URL, {"query": {"search": "155"}}, format="json").json()["id"]
    for client in (alice_client, rita_client):
        assert client.get(f"{URL}{pk}/").status_code == 404
        assert client.delete(f"{URL}{pk}/").status_code == 404
    assert SavedSearch.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": {}}, "query"),
        ({"query": {"colour": "red"}}, "query"),
        ({"query": {"side": "martian"}}, "query.side"),
        ({"query": {"search": "155"}, "frequency": "hourly"}, "frequency"),
    ],
)
def test_a_bad_saved_search_is_a_400_naming_the_field(bob_client, market, body, field):
    response = bob_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_same_search_is_not_saved_twice_but_another_persons_is_theirs(bob_client, alice_client, market, language):
    query = {"offers": "munitions.artillery_155", "side": "ua"}
    assert bob_client.post(URL, {"name": "Shells", "query": query}, format="json").status_code == 201
    again = bob_client.post(
        URL,
        {"name": "Again", "query": {"side": "ua", "offers": " munitions.artillery_155 "}},  # same, other order
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "already_saved" and "query" in error["fields"]
    assert {"uk": "Ви вже зберегли цей пошук як «Shells»", "en": "You already keep this search as “Shells”"}[
        language
    ] in error["message"]
    assert SavedSearch.objects.count() == 1
    assert bob_client.post(URL, {"query": {**query, "country": "UA"}}, format="json").status_code == 201
    assert alice_client.post(URL, {"query": query}, format="json").status_code == 201


def test_a_newly_verified_matching_firm_fires_exactly_one_alert(
    django_capture_on_commit_callbacks, bob_client, bob, rita, market
):
    bob.language = "uk"
    bob.save()
    bob_client.post(URL, {"name": "Снаряди", "query": {"offers": "munitions", "side": "ua"}}, format="json")
    other = _pending_artillery_firm(name="Unrelated Optics LLC", ref="ua-unrelated")
    other.capabilities.all().delete()
    firm = _pending_artillery_firm()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        firm_verify(firm=firm, reviewer=rita)
    with django_capture_on_commit_callbacks(execute=True):
        firm_verify(firm=other, reviewer=rita)
    alerts = SavedSearchAlert.objects.all()
    assert [(a.firm_id, a.delivered_at is not None) for a in alerts] == [(firm.pk, True)]
    notification = Notification.objects.get(user=bob, kind="saved_search")
    assert "Снаряди" in notification.title and "Нова Артилерія ТОВ" in notification.body
    assert "збережен" in notification.title.lower()  # in bob's language
    assert len([m for m in mail.outbox if m.to == [bob.email]]) == 1

    # The firm changes its profile, is matched again: still one alert, one notification, one email.
    owner = UserFactory(username="owner-new")
    firm.memberships.create(user=owner, role="owner")
    with django_capture_on_commit_callbacks(execute=True):
        firm_update(firm=firm, user=owner, data={"description": "Виробництво снарядів 155 мм і 152 мм."}, partial=True)
    assert saved_search_alerts_for_firm(firm_id=firm.pk) == 0
    assert SavedSearchAlert.objects.count() == 1
    assert Notification.objects.filter(user=bob, kind="saved_search").count() == 1
    assert len([m for m in mail.outbox if m.to == [bob.email]]) == 1


def test_the_database_refuses_a_second_alert_for_the_same_firm_and_search(bob, market):
    search = SavedSearch.objects.create(user=bob, name="x", query={"search": "155"})
    SavedSearchAlert.objects.create(saved_search=search, firm=market["arsenal"])
    with pytest.raises(IntegrityError):
        SavedSearchAlert.objects.create(saved_search=search, firm=market["arsenal"])


def test_a_changed_profile_that_starts_matching_fires_an_alert(
    django_capture_on_commit_callbacks, bob_client, bob, alice, market, firm_a
):
    bob_client.post(URL, {"query": {"search": "гаубиць"}}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        firm_update(
            firm=firm_a, user=alice, data={"description": "Ремонт гаубиць і виробництво стволів."}, partial=True
        )
    assert list(SavedSearchAlert.objects.values_list("firm_id", flat=True)) == [firm_a.pk]


def test_daily_digest_bundles_alerts_into_one_notification_when_due(bob, market):
    search = SavedSearch.objects.create(user=bob, name="Daily shells", query={"offers": "munitions"}, frequency="daily")
    for firm in (market["arsenal"], _pending_artillery_firm()):
        Firm.objects.filter(pk=firm.pk).update(status=Firm.Status.VERIFIED)
        saved_search_alerts_for_firm(firm_id=firm.pk)
    assert not Notification.objects.filter(user=bob).exists()  # not at once: in the digest
    assert saved_search_digests_send() == 1
    notification = Notification.objects.get(user=bob, kind="saved_search")
    assert "2" in notification.title
    assert saved_search_digests_send() == 0  # nothing left, and not due again yet
    third = _pending_artillery_firm(name="Третя ТОВ", ref="ua-third")
    Firm.objects.filter(pk=third.pk).update(status=Firm.Status.VERIFIED)
    saved_search_alerts_for_firm(firm_id=third.pk)
    assert saved_search_digests_send() == 0  # due tomorrow
    assert saved_search_digests_send(now=timezone.now() + timedelta(days=1)) == 1
    search.refresh_from_db()
    assert search.alerts.filter(delivered_at__isnull=True).count() == 0
