"""The notes the system writes on a suspension are codes and values (registry.history words them in the
reader's language): the admin's bulk action (naming the reviewer) and a confirmed sanctions match (with
the reviewer's note as written); the English notes stored before become those codes too."""

import re

from django.db import migrations, models

IN_ADMIN = re.compile(r"Suspended in the admin by ([\w.@+-]+)")
SANCTIONS = re.compile(r"Confirmed sanctions match: (.+)", re.S)


def _code(note: str) -> tuple[str, dict] | None:
    if match := IN_ADMIN.fullmatch(note):
        return "suspended_in_admin", {"by": match.group(1)}
    if match := SANCTIONS.fullmatch(note):
        return "sanctions_confirmed", {"reason": match.group(1)}
    return None


def notes_to_codes(apps, schema_editor):
    FirmRevision = apps.get_model("alliance", "FirmRevision")
    rows = FirmRevision.objects.filter(source="status", note_code="").filter(
        models.Q(note__startswith="Suspended in the admin by ")
        | models.Q(note__startswith="Confirmed sanctions match: ")
    )
    for revision in rows.iterator():
        if coded := _code(revision.note):
            revision.note, (revision.note_code, revision.note_params) = "", coded
            revision.save(update_fields=["note", "note_code", "note_params"])


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0015_revision_note_code"),
    ]

    operations = [
        migrations.RunPython(notes_to_codes, migrations.RunPython.noop),
    ]
