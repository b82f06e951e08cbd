"""Full-text search in firm descriptions (`?search=`, see `registry.api.filters`).

Descriptions run to 5,000 characters. A substring match over them (`UPPER(description) LIKE
'%term%'`) was rechecked row by row whenever the planner did not use the trigram index, which it
chose not to for selective terms: "Systems 42" read all 20,000 profiles (65-90 ms). Words in
descriptions are now matched by prefix with PostgreSQL full-text search on a stored, generated
`description_words` column (`simple` configuration: no stemming, so Ukrainian and English alike)
and its GIN index; a stored column because computing `to_tsvector` while filtering costs ~20 µs
a row, which the planner does not foresee. Firm names keep the substring match on their trigram
index.

PostgreSQL only and database-only, like 0005: the model does not know the column (the database
fills it), SQLite (the local default) searches descriptions by substring.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE alliance_firm ADD COLUMN IF NOT EXISTS description_words tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(description, ''))) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS firm_description_words ON alliance_firm USING gin (description_words)"
    )
    # The substring index on descriptions has no user left.
    schema_editor.execute("DROP INDEX IF EXISTS firm_description_trgm")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE alliance_firm DROP COLUMN IF EXISTS description_words")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS firm_description_trgm ON alliance_firm USING gin (UPPER(description) gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0005_firm_search_trigram"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
