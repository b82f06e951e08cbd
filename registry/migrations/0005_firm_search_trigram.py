"""Indexes for the firm search (`?search=`: `name` or `description` ILIKE '%term%').

A substring search cannot use a b-tree, so at 20,000 firms every search read the whole table.
pg_trgm GIN indexes on UPPER(column) match the SQL Django writes for `icontains` on PostgreSQL
(`UPPER("name"::text) LIKE UPPER('%term%')`), so the planner answers from the index.
A b-tree on (name, id), the list's order, serves the broad terms instead ("GmbH" matches 17,000
partner firms): the first page is read in name order and filtered, with no sort of every match
(37 ms -> a few ms).

PostgreSQL only, and database-only: SQLite (local default) has no pg_trgm and needs nothing, and
the model state is unchanged so `makemigrations` stays quiet. `IF NOT EXISTS` keeps a re-run safe.
"""

from django.db import migrations

NAME_INDEX = "firm_name_id"
TRIGRAM_INDEXES = {
    "firm_name_trgm": "name",
    "firm_description_trgm": "description",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON alliance_firm USING gin (UPPER({column}) gin_trgm_ops)"
        )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME_INDEX} ON alliance_firm (name, id)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*TRIGRAM_INDEXES, NAME_INDEX]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0004_revision_note"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
