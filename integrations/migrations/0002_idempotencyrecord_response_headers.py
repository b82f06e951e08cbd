"""An idempotent replay repeats the first answer's ETag (and Location) with its body."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="response_headers",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
