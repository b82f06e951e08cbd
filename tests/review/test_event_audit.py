"""The proposal audit trail cannot be lost: PROTECT on the ORM paths, a PostgreSQL trigger below them.

Model-method refusals (`event.save()` / `event.delete()`) are in test_review.py.
"""

import pytest
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from bench.history import APPEND_ONLY_TRIGGER, proposal_history_erase
from matching.models import Notification, Proposal, ProposalEvent
from registry.models import Firm
from review.services import workflow as review
from tests.factories import FirmFactory, ProposalFactory

# The append-only trigger is PostgreSQL's (SQLite's flush empties tables with DELETE, so it has none).
needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@pytest.fixture
def approved(proposal_ab, alice, bob, rita):
    """proposal_ab approved by rita: one event, notifications to alice and bob."""
    review.proposal_approve(proposal=proposal_ab, reviewer=rita, note="Good fit")
    assert proposal_ab.events.count() == 1 and Notification.objects.count() == 2
    return proposal_ab


def _trail() -> tuple[list, list, list]:
    return (
        list(Proposal.objects.order_by("pk").values_list("pk", "status")),
        list(ProposalEvent.objects.order_by("pk").values_list("pk", "proposal_id", "to_status", "note")),
        list(Notification.objects.order_by("pk").values_list("pk", "event_id")),
    )


def test_deleting_a_proposal_with_history_is_refused_and_deletes_nothing(approved):
    before = _trail()
    with pytest.raises(ProtectedError) as excinfo:
        approved.delete()
    assert set(excinfo.value.protected_objects) == set(approved.events.all())
    assert _trail() == before


def test_a_bulk_delete_of_proposals_is_refused_as_a_whole_when_one_has_history(approved, firm_a):
    ProposalFactory(ukrainian=firm_a, partner=FirmFactory(ref="fr-delta", country="FR", edrpou=""))  # no history
    before = _trail()
    assert len(before[0]) == 2
    with pytest.raises(ProtectedError):
        Proposal.objects.all().delete()
    assert _trail() == before


@pytest.mark.parametrize("side", ["firm_a", "firm_b"])
def test_deleting_a_firm_whose_proposals_have_history_is_refused(approved, side, request):
    firm = request.getfixturevalue(side)
    # The reviewer's event names no firm: the refusal comes from the events' proposal, not their `firm`.
    assert approved.events.get().firm_id is None
    before = _trail()
    with pytest.raises(ProtectedError):
        firm.delete()
    assert Firm.objects.filter(pk=firm.pk).exists()
    assert _trail() == before


def test_a_proposal_without_history_can_still_be_deleted(proposal_ab):
    proposal_ab.delete()
    assert not Proposal.objects.exists()


def test_erasing_history_on_purpose_takes_only_the_proposals_asked_for(approved, firm_a, rita):
    other = ProposalFactory(ukrainian=firm_a, partner=FirmFactory(ref="fr-delta", country="FR", edrpou=""))
    review.proposal_approve(proposal=other, reviewer=rita)
    kept = list(ProposalEvent.objects.filter(proposal=other).values_list("pk", flat=True))
    kept_notifications = list(Notification.objects.filter(proposal=other).values_list("pk", flat=True))
    assert kept and len(kept_notifications) == 1  # only alice: firm fr-delta has no members

    assert proposal_history_erase(proposals=Proposal.objects.filter(pk=approved.pk)) == 1

    assert list(Proposal.objects.values_list("pk", flat=True)) == [other.pk]
    assert list(ProposalEvent.objects.values_list("pk", flat=True)) == kept
    assert list(Notification.objects.values_list("pk", flat=True)) == kept_notifications


def _sql(sql: str, params: list | None = None) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


ATTEMPTS = {
    "queryset-delete": lambda pk: ProposalEvent.objects.filter(pk=pk).delete(),
    "raw-delete": lambda pk: ProposalEvent.objects.filter(pk=pk)._raw_delete("default"),
    "queryset-update": lambda pk: ProposalEvent.objects.filter(pk=pk).update(note="rewritten"),
    "sql-delete": lambda pk: _sql("DELETE FROM matching_proposalevent WHERE id = %s", [pk]),
    "sql-update": lambda pk: _sql("UPDATE matching_proposalevent SET to_status = 'rejected' WHERE id = %s", [pk]),
}


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS.keys())
def test_the_database_refuses_to_change_or_delete_an_event(approved, attempt):
    event = approved.events.get()
    before = _trail()
    with pytest.raises(IntegrityError, match="proposal events are append-only"):
        with transaction.atomic():
            attempt(event.pk)
    assert _trail() == before
    assert ProposalEvent.objects.get(pk=event.pk).note == "Good fit"


@pytest.mark.postgres
@needs_postgres
def test_truncate_as_in_the_test_databases_flush_still_empties_the_events(approved):
    # Django's flush (between transactional tests) is exactly these statements: TRUNCATE fires no row trigger.
    # The real flush runs after commit; inside this test's transaction the fixture's deferred
    # foreign-key checks must run first, or PostgreSQL refuses to TRUNCATE.
    _sql("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in connection.ops.sql_flush(no_style(), ["matching_notification", "matching_proposalevent"]):
        _sql(statement)
    assert not ProposalEvent.objects.exists() and not Notification.objects.exists()


@pytest.mark.postgres
@needs_postgres
def test_erasing_history_on_purpose_leaves_the_trigger_on(approved, firm_a, rita):
    other = ProposalFactory(ukrainian=firm_a, partner=FirmFactory(ref="fr-delta", country="FR", edrpou=""))
    review.proposal_approve(proposal=other, reviewer=rita)
    proposal_history_erase(proposals=Proposal.objects.filter(pk=approved.pk))

    enabled = _sql("SELECT tgenabled FROM pg_trigger WHERE tgname = %s", [APPEND_ONLY_TRIGGER])
    assert enabled == [("O",)]  # "O": fires in ordinary sessions
    with pytest.raises(IntegrityError, match="append-only"):
        with transaction.atomic():
            ProposalEvent.objects.filter(proposal=other).delete()
    assert ProposalEvent.objects.filter(proposal=other).count() == 1
