"""A note the system writes on a proposal's event (a firm's change withdrew it: a changed identity, a
suspension, a confirmed sanctions match) is a code and its values,
worded in the reader's language when shown (registry.history.revision_note); the English sentences
stored before become codes too. Events are append-only (migration 0005): the conversion turns the
trigger off and on again inside this migration's transaction, so no other session sees it off."""

import re

from django.db import migrations, models

TRIGGER = "proposalevent_append_only"
IDENTITY = re.compile(r"withdrawn: identity changed \(([a-z_, ]*)\)")
IN_ADMIN = re.compile(r"withdrawn: firm suspended: Suspended in the admin by ([\w.@+-]+)")
SUSPENDED = re.compile(r"withdrawn: firm suspended: (.+)", re.S)
SANCTIONS = "withdrawn: confirmed sanctions match"


def _code(note: str) -> tuple[str, dict] | None:
    if match := IDENTITY.fullmatch(note):
        return "identity_changed", {"fields": [name.strip() for name in match.group(1).split(",") if name.strip()]}
    if match := IN_ADMIN.fullmatch(note):
        return "suspended_in_admin", {"by": match.group(1)}
    if match := SUSPENDED.fullmatch(note):
        return "firm_suspended", {"reason": match.group(1)}
    if note == SANCTIONS:
        return "sanctions_confirmed", {}
    return None


def notes_to_codes(apps, schema_editor):
    ProposalEvent = apps.get_model("matching", "ProposalEvent")
    rows = ProposalEvent.objects.filter(to_status="withdrawn", note__startswith="withdrawn: ", note_code="")
    found = [(pk, coded) for pk, note in rows.values_list("pk", "note").iterator() if (coded := _code(note))]
    if not found:
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    table = schema_editor.quote_name(ProposalEvent._meta.db_table)
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")
    for pk, (code, params) in found:
        # The English sentence stays in `note` (shown only where no code is read, and kept if this is
        # rolled back); pages and the API word the code in the reader's language.
        ProposalEvent.objects.filter(pk=pk).update(note_code=code, note_params=params)
    if postgres:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0010_proposal_created_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposalevent",
            name="note_code",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.AddField(
            model_name="proposalevent",
            name="note_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(notes_to_codes, migrations.RunPython.noop),
    ]
