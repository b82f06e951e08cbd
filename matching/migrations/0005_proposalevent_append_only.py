"""Proposal events are append-only, below the ORM too.

- `ProposalEvent.proposal` becomes PROTECT: deleting a proposal with history (or a firm whose
  proposals have history) raises ProtectedError instead of silently cascading to the events.
- On PostgreSQL a row trigger refuses every UPDATE and DELETE of `matching_proposalevent`, so bulk
  `QuerySet.update()/delete()`, `_raw_delete()` and hand-written SQL cannot rewrite the trail
  either. TRUNCATE fires no row trigger: the test database's flush still empties the table.
  Deliberately erasing throwaway (benchmark) history goes through
  `bench.history.proposal_history_erase`, which says so.
- SQLite gets no trigger: Django's flush empties tables there with DELETE, which a trigger would
  refuse; the model methods and the PROTECT foreign key still guard the ORM paths.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "matching_proposalevent"
FUNCTION = "matching_proposalevent_append_only"
TRIGGER = "proposalevent_append_only"  # bench.history disables it by this name

# No "%" anywhere: schema_editor.execute() passes parameters, so psycopg would read it as a placeholder.
CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'restrict_violation',
        MESSAGE = 'proposal events are append-only: ' || TG_OP || ' on {TABLE} refused',
        HINT = 'Record a new event instead of changing or deleting one.';
END;
$$
"""
CREATE_TRIGGER = f"""
CREATE TRIGGER {TRIGGER}
BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()
"""


def trigger_install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}")  # a re-run replaces it
    schema_editor.execute(CREATE_TRIGGER)


def trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0004_proposal_score_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="proposalevent",
            name="proposal",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="events", to="matching.proposal"
            ),
        ),
        migrations.RunPython(trigger_install, trigger_drop),
    ]
