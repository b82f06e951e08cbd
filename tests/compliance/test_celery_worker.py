"""Screening tasks through a REAL celery worker process (prefork) on Redis db 5 and PostgreSQL."""

import pytest

from compliance.models import Screening
from compliance.services import sanctions_list_import
from registry.models import Firm
from tests.celery_worker import running_worker, send_task, wait_for
from tests.compliance.conftest import SMALL_LIST
from tests.factories import FirmFactory

REDIS_DB = 5  # the compliance engineer's Redis database

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _status(firm: Firm) -> str:
    return Firm.objects.get(pk=firm.pk).screening_status


def test_a_real_worker_screens_one_firm_and_then_everyone_idempotently():
    sanctions_list_import(path=SMALL_LIST)  # committed (transactional test); its re-screen runs eagerly here
    suspect = FirmFactory(ref="de-ural", name="Uraltekhpribor GmbH", partner=True)
    innocent = FirmFactory(ref="de-dsg", name="Defence Systems Group Ltd", partner=True)
    person = FirmFactory(ref="de-sid", name="Sidorov Ivan", partner=True)

    with running_worker(redis_db=REDIS_DB, concurrency=2) as worker:
        send_task(worker, "compliance.tasks.screen_firm_task", firm_id=suspect.pk)
        wait_for(lambda: _status(suspect) == "potential_match", timeout=60)
        # Redelivered and bulk messages: the same results add no screening rows.
        send_task(worker, "compliance.tasks.screen_firm_task", firm_id=suspect.pk)
        send_task(worker, "compliance.tasks.screen_firms_task", firm_ids=[suspect.pk, innocent.pk, person.pk])
        send_task(worker, "compliance.tasks.screen_all_task")
        send_task(worker, "compliance.tasks.screen_firm_task", firm_id=999_999)  # deleted firm: no error
        wait_for(lambda: worker.log().count("succeeded in") >= 5, timeout=90)
        log = worker.log()

    assert "Traceback" not in log, log[-3000:]
    assert (_status(suspect), _status(innocent), _status(person)) == ("potential_match", "clear", "potential_match")
    assert Screening.objects.filter(firm=suspect).count() == 1
    assert Screening.objects.get(firm=person).matches.get().entry.entity_id == "NK-sidorov"
