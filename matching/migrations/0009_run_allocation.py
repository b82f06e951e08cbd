from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0008_weight_sets"),
    ]

    operations = [
        migrations.AddField(
            model_name="matchrun",
            name="allocation",
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
    ]
