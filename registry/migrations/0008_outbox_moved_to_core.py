# The outbox model now lives in core (core.0001 takes over the same table): state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("alliance", "0007_revision_changes"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="OutboxMessage")], database_operations=[]),
    ]
