"""accounts.tasks: expired API tokens are purged nightly."""

from datetime import timedelta

from django.utils import timezone
from knox.models import AuthToken

from accounts.tasks import purge_expired_tokens_task
from alliance.celery import app


def test_expired_tokens_are_purged_and_live_ones_kept(alice, bob):
    live, _ = AuthToken.objects.create(user=alice)
    expired, _ = AuthToken.objects.create(user=bob, expiry=timedelta(seconds=-1))
    assert expired.expiry < timezone.now()
    assert purge_expired_tokens_task.apply().get() == 1
    assert list(AuthToken.objects.values_list("pk", flat=True)) == [live.pk]
    assert purge_expired_tokens_task.apply().get() == 0  # idempotent


def test_the_purge_is_on_the_beat_schedule():
    entries = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "accounts.tasks.purge_expired_tokens_task" in entries
    assert "accounts.tasks.purge_expired_tokens_task" in app.tasks
