# The outbox table moved from the registry app (label "alliance", migration 0003) to core:
# state only, the table alliance_outboxmessage stays as it is.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("alliance", "0007_revision_changes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("task", models.CharField(max_length=200)),
                        ("kwargs", models.JSONField(default=dict)),
                        ("countdown", models.PositiveIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True, default="")),
                    ],
                    options={
                        "db_table": "alliance_outboxmessage",
                        "ordering": ["id"],
                        "indexes": [models.Index(fields=["sent_at", "id"], name="outbox_unsent")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
