"""Email confirmation: `User.email_confirmed_at`, `pending_email`, `pending_email_requested_at`.

An address now counts as a person's only once they followed a link sent to it (accepting an
invitation needs a confirmed address). Accounts that exist when this runs and have a non-empty
email are marked confirmed now: they were invited, signed up or provisioned by an operator before
the rule existed, and locking them out of their invitations would punish no one but them. Accounts
without an email stay unconfirmed. Reversing drops the columns (nothing to restore).
"""

from django.db import migrations, models
from django.utils import timezone


def confirm_existing_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.exclude(email="").update(email_confirmed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_service_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="email confirmed at"),
        ),
        migrations.AddField(
            model_name="user",
            name="pending_email",
            field=models.EmailField(
                blank=True, default="", max_length=254, verbose_name="new email address, not yet confirmed"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="pending_email_requested_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(confirm_existing_addresses, migrations.RunPython.noop, elidable=True),
    ]
