"""The one deliberate way to erase proposal history: for throwaway benchmark data, never the application.

Proposal events are append-only (see `matching.models.ProposalEvent` and migration 0005): the
model refuses, the proposal foreign key PROTECTs, and on PostgreSQL a row trigger refuses UPDATE
and DELETE. A benchmark that replaces its own synthetic proposals must get past all three, and
says so by calling `proposal_history_erase`.
"""

from django.db import connections, transaction
from django.db.models import Q, QuerySet

from matching.models import Notification, Proposal, ProposalEvent

APPEND_ONLY_TRIGGER = "proposalevent_append_only"  # installed by matching/migrations/0005


def proposal_history_erase(*, proposals: QuerySet[Proposal]) -> int:
    """Delete `proposals` with their events and notifications, past the append-only guard; returns proposals deleted.

    On PostgreSQL the trigger is disabled and re-enabled inside one transaction: ALTER TABLE holds
    an exclusive lock on the events table until the caller's transaction commits (other sessions'
    reads of events wait too), so no other session ever sees it disabled.
    """
    alias = proposals.db
    ids = proposals.values("pk")
    with transaction.atomic(using=alias):
        Notification.objects.using(alias).filter(Q(proposal__in=ids) | Q(event__proposal__in=ids))._raw_delete(alias)
        events = ProposalEvent.objects.using(alias).filter(proposal__in=ids)
        connection = connections[alias]
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(ProposalEvent._meta.db_table)
            with connection.cursor() as cursor:
                # ALTER TABLE refuses while deferred foreign-key checks are queued in the transaction:
                # run them now, and keep checks immediate until the trigger is back on.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {APPEND_ONLY_TRIGGER}")
                events._raw_delete(alias)
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {APPEND_ONLY_TRIGGER}")
                # Back to Django's INITIALLY DEFERRED foreign keys (the project declares no
                # DEFERRABLE INITIALLY IMMEDIATE constraint, which this would also defer).
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            events._raw_delete(alias)
        return Proposal.objects.using(alias).filter(pk__in=ids)._raw_delete(alias)
