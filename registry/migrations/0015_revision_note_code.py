"""A note the system writes in a firm's history is a code and its values (registry.history.revision_note
words it in the reader's language); the English sentences stored before become codes too."""

import re

from django.db import migrations, models

IDENTITY = re.compile(r"Identity changed \(([a-z_, ]*)\): back to pending for re-verification\.")
EXPIRED = re.compile(r"([A-Z0-9-]+) \(valid until ([0-9]{4}-[0-9]{2}-[0-9]{2})\)")


def notes_to_codes(apps, schema_editor):
    FirmRevision = apps.get_model("alliance", "FirmRevision")
    for revision in FirmRevision.objects.filter(note__startswith="Identity changed (").iterator():
        if match := IDENTITY.fullmatch(revision.note):
            fields = [name.strip() for name in match.group(1).split(",") if name.strip()]
            revision.note, revision.note_code, revision.note_params = "", "identity_changed", {"fields": fields}
            revision.save(update_fields=["note", "note_code", "note_params"])
    for revision in FirmRevision.objects.filter(source="expiry", note__startswith="Expired: ").iterator():
        expired = dict(EXPIRED.findall(revision.note))
        if expired:
            revision.note, revision.note_code = "", "certifications_expired"
            revision.note_params = {"expired": expired}
            revision.save(update_fields=["note", "note_code", "note_params"])


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0014_firm_identity_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="firmrevision",
            name="note_code",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.AddField(
            model_name="firmrevision",
            name="note_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(notes_to_codes, migrations.RunPython.noop),
    ]
