"""Saved searches: the API, and exactly one alert per firm and search when a matching firm is verified."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
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
    saved = bob_client.post(URL, {"name": "Снаряди", "query": {"offers": "munitions", "side": "ua"}}, format="json")
    assert saved.status_code == 201, saved.content
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
    # ... and in either language for whoever reads it later (pages and the API pick the reader's).
    assert "saved search" in notification.text_in("en")[0] and "збережен" in notification.text_in("uk")[0].lower()
    assert "Нова Артилерія ТОВ" in notification.text_in("en")[1]
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


def test_the_database_refuses_a_second_copy_of_the_same_search_whatever_the_key_order(bob, alice, market):
    SavedSearch.objects.create(user=bob, name="Shells", query={"offers": "munitions", "side": "ua"})
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedSearch.objects.create(user=bob, name="Again", query={"side": "ua", "offers": "munitions"})
    SavedSearch.objects.create(user=alice, name="Hers", query={"offers": "munitions", "side": "ua"})


def _save_while_another_save_is_uncommitted(bob, save):
    """`save()` in another thread (own connection) while this connection holds an uncommitted copy of
    the same search: the other save passes the existence check, waits on the unique index, and sees
    the constraint once this copy commits. The race two simultaneous saves run, made certain."""
    outcome: list = []

    def run():
        try:
            outcome.append(save())
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            outcome.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        SavedSearch.objects.create(user=bob, name="First", query=RACE_QUERY)
        thread = threading.Thread(target=run)
        thread.start()
        with connection.cursor() as cursor:
            for _ in range(200):  # until the other save waits on this transaction's insert
                cursor.execute(  # pg_locks is live (pg_stat_activity is a snapshot inside a transaction)
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail(f"the second save never reached the insert: {outcome}")
    thread.join(timeout=30)
    return outcome[0]


RACE_QUERY = {"offers": "munitions.artillery_155", "side": "ua"}
race = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres
@race
@pytest.mark.parametrize("language", ["uk", "en"])
def test_two_api_saves_of_the_same_search_at_once_keep_one_and_answer_409(bob, market, language):
    response = _save_while_another_save_is_uncommitted(
        bob,
        lambda: _client(bob).post(
            URL, {"name": "Second", "query": {"side": "ua", "offers": "munitions.artillery_155"}},
            format="json", HTTP_ACCEPT_LANGUAGE=language,
        ),
    )  # fmt: skip
    assert response.status_code == 409, getattr(response, "content", response)
    error = response.json()["error"]
    assert error["code"] == "already_saved" and "query" in error["fields"]
    assert {"uk": "Ви вже зберегли цей пошук як «First»", "en": "You already keep this search as “First”"}[
        language
    ] in error["message"]
    assert list(SavedSearch.objects.values_list("name", flat=True)) == ["First"]


@pytest.mark.postgres
@race
@pytest.mark.parametrize(
    ("language", "text"),
    [("uk", "Ви вже зберегли цей пошук як «First»"), ("en", "You already keep this search as “First”")],
)
def test_two_page_saves_of_the_same_search_at_once_keep_one_and_show_the_form_error(bob, market, language, text):
    def save():
        client = Client()
        client.force_login(bob)
        return client.post(
            "/directory/searches/save/",
            {"q_offers": "munitions.artillery_155", "q_side": "ua", "name": "Second", "frequency": "immediate"},
            HTTP_ACCEPT_LANGUAGE=language,
        )

    response = _save_while_another_save_is_uncommitted(bob, save)
    assert response.status_code == 409, response
    assert text in response.content.decode()
    assert list(SavedSearch.objects.values_list("name", flat=True)) == ["First"]


def _client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.mark.postgres
def test_the_migration_keeps_each_persons_first_copy_of_a_search_and_deletes_the_later_ones(db):
    """Duplicates could be saved until the constraint: migrating must not stop on them."""
    import importlib

    from django.apps import apps

    if connection.vendor != "postgresql":
        pytest.skip("drops and re-adds the constraint inside the test's transaction (PostgreSQL DDL)")
    migration = importlib.import_module("directory.migrations.0002_savedsearch_once_per_user")
    constraint = next(c for c in SavedSearch._meta.constraints if c.name == "savedsearch_once_per_user")
    user, other = UserFactory(username="dup_owner"), UserFactory(username="dup_other")
    with connection.schema_editor() as editor:
        editor.remove_constraint(SavedSearch, constraint)
    first = SavedSearch.objects.create(user=user, name="first", query={"side": "ua", "search": "дрони"})
    later = SavedSearch.objects.create(user=user, name="later", query={"search": "дрони", "side": "ua"})
    different = SavedSearch.objects.create(user=user, name="other", query={"side": "partner"})
    theirs = SavedSearch.objects.create(user=other, name="theirs", query={"side": "ua", "search": "дрони"})
    migration.keep_the_first_copy(apps, None)
    assert set(SavedSearch.objects.values_list("pk", flat=True)) == {first.pk, different.pk, theirs.pk}
    assert not SavedSearch.objects.filter(pk=later.pk).exists()
    # The test's transaction rolls the dropped constraint back with everything else.
