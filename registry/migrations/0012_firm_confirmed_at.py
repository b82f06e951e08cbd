"""Freshness (issue 14): when a member last confirmed a firm's profile. Existing firms count as
confirmed when they were last changed, but no earlier than eleven months before this migration:
a firm untouched for a year gets its 30- and 7-day reminders before going stale, not a stale notice
on the day this ships."""

import datetime as dt

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone


def backfill(apps, schema_editor):
    Firm = apps.get_model("alliance", "Firm")
    grace = timezone.now() - dt.timedelta(days=335)
    Firm.objects.filter(confirmed_at__isnull=True).update(confirmed_at=Greatest(F("updated_at"), grace))


class Migration(migrations.Migration):
    dependencies = [("alliance", "0011_firm_intro_capacity")]

    operations = [
        migrations.AddField(
            model_name="firm",
            name="confirmed_at",
            field=models.DateTimeField(null=True, verbose_name="profile confirmed at"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
