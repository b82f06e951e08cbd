"""Freshness (issue 14): confirmed_at required, certification expiry dates, reminders sent.

Apart from 0012 so that PostgreSQL alters the table in another transaction than the backfill's update."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("alliance", "0012_firm_confirmed_at")]

    operations = [
        migrations.AlterField(
            model_name="firm",
            name="confirmed_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="profile confirmed at"),
        ),
        migrations.AddField(
            model_name="firm",
            name="certification_expiry",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.CreateModel(
            name="FirmReminder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subject", models.CharField(max_length=64)),
                ("due_on", models.DateField()),
                ("days_before", models.PositiveSmallIntegerField()),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                (
                    "firm",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="reminders", to="alliance.firm"
                    ),
                ),
            ],
            options={"ordering": ["-sent_at", "-id"]},
        ),
        migrations.AddConstraint(
            model_name="firmreminder",
            constraint=models.UniqueConstraint(fields=("firm", "subject", "due_on", "days_before"), name="firmreminder_once"),
        ),
    ]
