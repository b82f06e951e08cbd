"""registry/services.py beyond the API: screening requests, status races, mass-assignment safety."""

import threading

import pytest
from django.db import connection

from alliance.celery import app
from core.errors import ApplicationError, ConflictError
from core.models import OutboxMessage
from registry.models import Firm
from registry.services import SCREEN_MANY_TASK, firm_create, firm_screening_request, firm_suspend, firm_verify
from tests.factories import FirmFactory, UserFactory


def test_screening_is_one_bulk_message_per_thousand_firms_when_the_bulk_task_exists(db, monkeypatch):
    monkeypatch.setitem(app.tasks, SCREEN_MANY_TASK, app.tasks["compliance.tasks.screen_firm_task"])
    firm_screening_request(firm_ids=list(range(1, 2501)))
    messages = list(OutboxMessage.objects.values_list("task", "kwargs"))
    assert [task for task, _ in messages] == [SCREEN_MANY_TASK] * 3
    assert [len(kwargs["firm_ids"]) for _, kwargs in messages] == [1000, 1000, 500]


def test_screening_falls_back_to_one_message_per_firm_without_the_bulk_task(db, monkeypatch):
    monkeypatch.delitem(app.tasks, SCREEN_MANY_TASK, raising=False)
    firm_screening_request(firm_ids=[7, 8])
    assert list(OutboxMessage.objects.values_list("task", "kwargs")) == [
        ("compliance.tasks.screen_firm_task", {"firm_id": 7}),
        ("compliance.tasks.screen_firm_task", {"firm_id": 8}),
    ]


def test_firm_create_ignores_nothing_it_is_given(db):
    user = UserFactory(username="dana")
    with pytest.raises(ApplicationError) as excinfo:
        firm_create(user=user, data={"ref": "x", "status_changed_by": 1})
    assert "status_changed_by" in excinfo.value.fields
    assert not Firm.objects.exists()


def test_only_reviewers_change_status(db, firm_a, alice):
    with pytest.raises(ApplicationError) as excinfo:
        firm_suspend(firm=firm_a, reviewer=alice, reason="no")
    assert excinfo.value.status == 403


def test_suspending_twice_is_a_conflict(db, firm_a, rita):
    firm_suspend(firm=firm_a, reviewer=rita, reason="Sanctions hit")
    with pytest.raises(ConflictError) as excinfo:
        firm_suspend(firm=firm_a, reviewer=rita, reason="Again")
    assert excinfo.value.extra == {"current_state": "suspended"}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_verifying_at_once_one_wins_the_other_gets_a_conflict():
    firm = FirmFactory(ref="ua-race", status="pending")
    reviewers = [UserFactory(username=f"rev{i}", is_reviewer=True) for i in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def verify(reviewer):
        try:
            barrier.wait()
            firm_verify(firm=Firm.objects.get(pk=firm.pk), reviewer=reviewer)
            outcomes.append("verified")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()  # this thread's own connection; else it outlives the test database

    threads = [threading.Thread(target=verify, args=(r,)) for r in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "verified"]
    assert Firm.objects.get(pk=firm.pk).revisions.filter(source="status").count() == 1
