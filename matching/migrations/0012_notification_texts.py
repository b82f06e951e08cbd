from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("matching", "0011_proposalevent_note_code")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="texts",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
