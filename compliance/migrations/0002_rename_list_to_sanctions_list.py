# The foreign keys were named `list`, which shadowed the builtin in the model bodies: `default=list`
# of the JSON fields declared after them pointed at the ForeignKey (fields.E010). Renamed, not re-created.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="sanctionsentry", name="sanctionsentry_unique_per_list"),
        migrations.RemoveIndex(model_name="sanctionskey", name="sanctionskey_list_key"),
        migrations.RenameField(model_name="sanctionsentry", old_name="list", new_name="sanctions_list"),
        migrations.RenameField(model_name="sanctionskey", old_name="list", new_name="sanctions_list"),
        migrations.RenameField(model_name="screening", old_name="list", new_name="sanctions_list"),
        migrations.AddConstraint(
            model_name="sanctionsentry",
            constraint=models.UniqueConstraint(fields=("sanctions_list", "entity_id"), name="sanctionsentry_unique_per_list"),
        ),
        migrations.AddIndex(
            model_name="sanctionskey",
            index=models.Index(fields=["sanctions_list", "key"], name="sanctionskey_list_key"),
        ),
        migrations.AlterField(model_name="sanctionsentry", name="aliases", field=models.JSONField(default=list)),
        migrations.AlterField(model_name="sanctionsentry", name="countries", field=models.JSONField(default=list)),
        migrations.AlterField(model_name="sanctionsentry", name="identifiers", field=models.JSONField(default=list)),
        migrations.AlterField(model_name="sanctionsentry", name="sanctions", field=models.JSONField(default=list)),
        migrations.AlterField(model_name="screening", name="screened_identifiers", field=models.JSONField(default=list)),
    ]
