"""Indexes for the reviewers' dashboard aggregates and the filtered queue (bench/bench_pages.py).

Database-only (`SeparateDatabaseAndState` with no state operations): they serve hand-written
aggregate SQL in matching/selectors.py and web/selectors.py, and keeping them out of the model
state means `makemigrations` stays quiet until they are moved into `Meta.indexes` (then turn this
into a state-only migration). On SQLite `include` is ignored and they are plain indexes.
"""

from django.db import migrations, models
from django.db.models import Q

PROPOSAL_INDEX = models.Index(
    # Every dashboard aggregate over proposals (counts by status, score histogram, open
    # proposals by domain) and the queue's count and id page read only these columns: an
    # index-only scan of this index reads a few MB instead of the wide rows (JSON reasons,
    # components, flags: ~90 MB at 100,000 proposals).
    fields=["status", "score"],
    include=["id", "ukrainian", "partner", "created_at"],
    name="proposal_status_score_cover",
)
ENTERED_PROPOSED_INDEX = models.Index(
    # "The latest earlier event into `proposed`" (median hours to decision): one index probe.
    fields=["proposal", "id"],
    include=["created_at"],
    condition=Q(to_status="proposed"),
    name="event_into_proposed",
)
APPROVED_INDEX = models.Index(
    # "The latest earlier approval" (median hours to connection): one index probe.
    fields=["proposal", "id"],
    include=["created_at"],
    condition=Q(from_status="proposed", to_status="approved"),
    name="event_approved",
)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_match_chunks"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddIndex("proposal", PROPOSAL_INDEX),
                migrations.AddIndex("proposalevent", ENTERED_PROPOSED_INDEX),
                migrations.AddIndex("proposalevent", APPROVED_INDEX),
            ],
            state_operations=[],
        ),
    ]
