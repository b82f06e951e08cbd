"""Profiles that stay current: staleness after PROFILE_STALE_MONTHS, reminders at 30 and 7 days
(once each per confirmation cycle), one-click confirmation, and certification expiry."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.db import connection
from django.utils import timezone

from directory.selectors import directory_queryset
from matching.features import features_load
from matching.models import Notification
from registry.freshness import freshness_pass
from registry.models import Firm, FirmReminder, FirmRevision
from registry.selectors import firm_freshness, firms_eligible_for_matching
from registry.services import firm_confirm, firm_update
from registry.tasks import freshness_pass_task
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _confirmed(firm: Firm, when: dt.datetime) -> Firm:
    Firm.objects.filter(pk=firm.pk).update(confirmed_at=when)
    firm.refresh_from_db()
    return firm


def _stale_in(firm: Firm, days: float) -> Firm:
    """Make `firm` go stale `days` from NOW (negative: stale that long ago)."""
    return _confirmed(firm, NOW + dt.timedelta(days=days) - relativedelta(months=12))


def _population_ids() -> set[int]:
    features = features_load()
    return {int(i) for i in features.ua.firm_ids} | {int(i) for i in features.partners.firm_ids}


@pytest.fixture
def people(firm_a, alice, alice_editor, alice_viewer):
    alice.language = "uk"
    alice.save(update_fields=["language"])
    return {"owner": alice, "editor": alice_editor, "viewer": alice_viewer}


# --- Staleness -----------------------------------------------------------------------------------


def test_a_new_profile_is_fresh_and_turns_stale_twelve_months_after_its_confirmation(firm_a):
    confirmed = firm_a.confirmed_at
    assert not firm_a.is_stale()
    assert not firm_a.is_stale(confirmed + relativedelta(months=11, days=27))
    assert firm_a.is_stale(confirmed + relativedelta(months=12, seconds=1))
    assert timezone.localdate(firm_a.stale_on) == timezone.localdate(confirmed + relativedelta(months=12))
    assert list(Firm.objects.stale(now=confirmed + relativedelta(months=12, seconds=1))) == [firm_a]
    assert not Firm.objects.stale().exists()


def test_the_months_are_a_setting(firm_a, settings):
    _confirmed(firm_a, NOW - relativedelta(months=7))
    assert not firm_a.is_stale()
    settings.PROFILE_STALE_MONTHS = 6
    assert firm_a.is_stale() and Firm.objects.stale().filter(pk=firm_a.pk).exists()


def test_stale_on_is_the_first_day_the_rule_holds_at_month_ends(firm_a, settings):
    settings.PROFILE_STALE_MONTHS = 1
    _confirmed(firm_a, dt.datetime(2027, 1, 31, 10, 0, tzinfo=dt.UTC))
    assert firm_a.stale_on.date() == dt.date(2027, 3, 1)  # not 28 February: a month before it is 28 January
    assert not firm_a.is_stale(dt.datetime(2027, 2, 28, 23, 0, tzinfo=dt.UTC))
    assert firm_a.is_stale(dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC))


def test_a_stale_firm_leaves_the_directory_and_the_matching_population(firm_a, firm_b):
    assert {firm_a.pk, firm_b.pk} <= _population_ids()
    _stale_in(firm_a, -1)
    assert not firms_eligible_for_matching().filter(pk=firm_a.pk).exists()
    assert firm_a.pk not in _population_ids()  # what match runs and rematches load
    assert firm_b.pk in _population_ids()
    assert not directory_queryset().filter(pk=firm_a.pk).exists()
    assert directory_queryset().filter(pk=firm_b.pk).exists()


def test_a_firm_about_to_go_stale_still_takes_part(firm_a):
    _stale_in(firm_a, 3)
    assert firm_a.pk in _population_ids() and directory_queryset().filter(pk=firm_a.pk).exists()
    freshness = firm_freshness(firm=firm_a)
    assert freshness.warn and not freshness.stale


# --- Confirmation ----------------------------------------------------------------------------------


def test_an_owner_confirms_with_one_call_and_the_firm_comes_back(firm_a, alice, django_capture_on_commit_callbacks):
    _stale_in(firm_a, -40)
    with django_capture_on_commit_callbacks(execute=True):
        firm = firm_confirm(firm=firm_a, user=alice)
    assert not firm.is_stale() and firm.confirmed_at >= NOW
    assert firm.pk in _population_ids() and directory_queryset().filter(pk=firm.pk).exists()
    revision = FirmRevision.objects.filter(firm=firm).first()
    assert revision.source == "confirm" and "confirmed_at" in revision.changes and revision.changed_by == alice


@pytest.mark.parametrize("role", ["viewer"])
def test_a_viewer_cannot_confirm(firm_a, role):
    from core.errors import ApplicationError

    viewer = UserFactory()
    MembershipFactory(user=viewer, firm=firm_a, role=role)
    _stale_in(firm_a, -1)
    with pytest.raises(ApplicationError) as raised:
        firm_confirm(firm=firm_a, user=viewer)
    assert raised.value.status == 403
    firm_a.refresh_from_db()
    assert firm_a.is_stale()


def test_a_members_edit_confirms_the_profile_too(firm_a, alice):
    from registry.exchange import export_document, firm_clean_document

    _stale_in(firm_a, -1)
    doc = export_document(firm_clean_document(firm_a))
    firm_update(firm=firm_a, user=alice, data={**doc, "seeks": [{"capability": "sensors.radar"}]})
    firm_a.refresh_from_db()
    assert not firm_a.is_stale()


# --- Reminders --------------------------------------------------------------------------------------


def test_reminders_fire_once_each_at_30_and_7_days_then_the_stale_notice(people, firm_a):
    owner, editor, viewer = people["owner"], people["editor"], people["viewer"]
    _stale_in(firm_a, 60)
    assert freshness_pass(now=NOW)["profile_reminders"] == 0

    assert freshness_pass(now=NOW + dt.timedelta(days=31))["profile_reminders"] == 1  # 29 days left
    assert freshness_pass(now=NOW + dt.timedelta(days=32))["profile_reminders"] == 0  # not twice
    assert freshness_pass(now=NOW + dt.timedelta(days=40))["profile_reminders"] == 0
    assert freshness_pass(now=NOW + dt.timedelta(days=54))["profile_reminders"] == 1  # 6 days left
    assert freshness_pass(now=NOW + dt.timedelta(days=55))["profile_reminders"] == 0
    assert freshness_pass(now=NOW + dt.timedelta(days=61))["profile_reminders"] == 1  # stale now
    assert freshness_pass(now=NOW + dt.timedelta(days=90))["profile_reminders"] == 0

    reminders = FirmReminder.objects.filter(firm=firm_a, subject="profile")
    assert sorted(reminders.values_list("days_before", flat=True)) == [0, 7, 30]
    assert len({r.due_on for r in reminders}) == 1
    # Owners and editors, never viewers; each in their own language.
    assert Notification.objects.filter(user=viewer).count() == 0
    assert Notification.objects.filter(user=owner, kind="profile_freshness").count() == 3
    assert Notification.objects.filter(user=editor, kind="profile_freshness").count() == 3
    english = Notification.objects.filter(user=editor).order_by("id").first()
    ukrainian = Notification.objects.filter(user=owner).order_by("id").first()
    assert english.title.startswith("Confirm the profile of SkyForge Robotics LLC by ")
    assert f"/firms/{firm_a.pk}/" in english.body
    assert ukrainian.title.startswith("Підтвердьте профіль SkyForge Robotics LLC до ")
    stale = Notification.objects.filter(user=owner).order_by("id").last()
    assert "застарів" in stale.title


def test_a_late_run_sends_only_the_most_urgent_reminder(people, firm_a):
    _stale_in(firm_a, 5)
    assert freshness_pass(now=NOW)["profile_reminders"] == 1
    assert list(FirmReminder.objects.values_list("days_before", flat=True)) == [7]
    assert freshness_pass(now=NOW + dt.timedelta(hours=1))["profile_reminders"] == 0


def test_a_confirmation_starts_a_new_cycle_of_reminders(people, firm_a, alice):
    _stale_in(firm_a, 20)
    assert freshness_pass(now=NOW)["profile_reminders"] == 1
    firm_confirm(firm=firm_a, user=alice)
    assert freshness_pass(now=NOW)["profile_reminders"] == 0  # a year to go
    firm_a.refresh_from_db()
    later = firm_a.stale_on - dt.timedelta(days=20)
    assert freshness_pass(now=later)["profile_reminders"] == 1
    assert FirmReminder.objects.filter(firm=firm_a, days_before=30).count() == 2  # one per cycle


def test_only_verified_firms_are_reminded(people, firm_a):
    Firm.objects.filter(pk=firm_a.pk).update(status=Firm.Status.PENDING)
    _stale_in(firm_a, 5)
    assert freshness_pass(now=NOW)["profile_reminders"] == 0


def test_the_daily_task_is_thin_and_emails_after_commit(people, firm_a, django_capture_on_commit_callbacks):
    _stale_in(firm_a, 10)
    with django_capture_on_commit_callbacks(execute=True):
        freshness_pass_task.apply()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people["owner"].email, people["editor"].email])
    with django_capture_on_commit_callbacks(execute=True):
        freshness_pass_task.apply()
    assert len(mail.outbox) == 2


# --- Certification expiry ------------------------------------------------------------------------------


def _certified(firm: Firm, expiry: dict[str, str]) -> Firm:
    Firm.objects.filter(pk=firm.pk).update(certifications=["AQAP-2110", "ISO-9001"], certification_expiry=expiry)
    firm.refresh_from_db()
    return firm


def test_an_expiring_certification_gets_reminders_then_is_removed(people, firm_a):
    today = timezone.localdate(NOW)
    last = today + dt.timedelta(days=40)
    _certified(firm_a, {"ISO-9001": last.isoformat()})

    def run(day: dt.date) -> dict:
        return freshness_pass(now=NOW + dt.timedelta(days=(day - today).days))

    assert run(last - dt.timedelta(days=31))["certification_reminders"] == 0
    assert run(last - dt.timedelta(days=30))["certification_reminders"] == 1
    assert run(last - dt.timedelta(days=29))["certification_reminders"] == 0
    assert run(last - dt.timedelta(days=7))["certification_reminders"] == 1
    assert run(last)["certification_reminders"] == 0  # still valid on its last day
    firm_a.refresh_from_db()
    assert "ISO-9001" in firm_a.certifications

    counts = run(last + dt.timedelta(days=1))
    assert counts["certifications_expired"] == 1 and counts["certification_reminders"] == 0
    firm_a.refresh_from_db()
    assert firm_a.certifications == ["AQAP-2110"] and firm_a.certification_expiry == {}
    revision = FirmRevision.objects.filter(firm=firm_a).first()
    assert revision.source == "expiry" and revision.changes["certifications"]["old"] == ["AQAP-2110", "ISO-9001"]
    assert run(last + dt.timedelta(days=2)) == {
        "profile_reminders": 0,
        "certification_reminders": 0,
        "certifications_expired": 0,
    }
    kinds = Notification.objects.filter(user=people["editor"], kind="certification_expiry").order_by("id")
    assert [n.title.split(" of ")[0] for n in kinds] == ["ISO-9001"] * 3
    assert kinds.last().title == "ISO-9001 of SkyForge Robotics LLC has expired"
    assert sorted(
        FirmReminder.objects.filter(subject="certification:ISO-9001").values_list("days_before", flat=True)
    ) == [0, 7, 30]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the directory's list filters need PostgreSQL")
def test_an_expired_certification_is_not_filtered_on_nor_matched(firm_a):
    from directory.filters import DirectoryFilter

    yesterday = timezone.localdate(NOW) - dt.timedelta(days=1)
    _certified(firm_a, {"ISO-9001": yesterday.isoformat()})
    bound = DirectoryFilter(data={"certification": "ISO-9001"}, queryset=directory_queryset())
    assert bound.is_valid() and firm_a in bound.qs
    freshness_pass(now=NOW)
    bound = DirectoryFilter(data={"certification": "ISO-9001"}, queryset=directory_queryset())
    assert bound.is_valid() and firm_a not in bound.qs
    features = features_load(firms=Firm.objects.filter(pk=firm_a.pk))
    assert features.ua.firm_ids.tolist() == [firm_a.pk]
    firm_a.refresh_from_db()
    assert "ISO-9001" not in firm_a.certifications  # what features_load and the directory read
