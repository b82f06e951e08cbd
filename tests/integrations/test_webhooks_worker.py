"""Deliveries through the outbox and a real `celery worker`: nothing is lost while Redis is down."""

import os
from contextlib import contextmanager

import pytest
from celery import current_app
from django.db import connection
from standardwebhooks.webhooks import Webhook

from core.models import OutboxMessage
from core.outbox import outbox_relay
from integrations.models import WebhookDelivery
from review.services import workflow as review
from tests.celery_worker import running_worker, wait_for
from tests.factories import FirmFactory, MembershipFactory, ProposalFactory, UserFactory
from tests.integrations.conftest import make_endpoint
from tests.integrations.receiver import webhook_receiver

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process needs PostgreSQL"),
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
REDIS_DB = 10
# The worker runs this process's settings module (a test may run with its own, e.g. --ds).
WORKER_ENV = {"DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "alliance.settings")}
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every send fails at once


@contextmanager
def broker(url: str, queue: str = "celery"):
    """Point this process's Celery app at `url` (not eager), as a web process with that broker."""
    conf = current_app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.task_default_queue)

    def reset_pools():
        current_app._pool = None
        current_app.amqp._producer_pool = None

    conf.broker_url, conf.task_always_eager, conf.task_default_queue = url, False, queue
    reset_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager, conf.task_default_queue = saved
        reset_pools()


def _deliver_tasks_done(worker) -> int:
    return sum("webhook_deliver_task" in line and "succeeded" in line for line in worker.log().splitlines())


def _world():
    ua = FirmFactory(ref="ua-skyforge", name="SkyForge Robotics LLC", edrpou="32855961")
    partner = FirmFactory(ref="fr-lumiere", name="Lumiere Optique SA", country="FR", edrpou="", partner=True)
    alice = UserFactory(username="alice")
    MembershipFactory(user=alice, firm=ua, role="owner")
    rita = UserFactory(username="rita", is_reviewer=True)
    return ProposalFactory(ukrainian=ua, partner=partner), alice, rita


def test_with_redis_down_the_delivery_waits_in_the_outbox_and_a_real_worker_sends_it_once_redis_is_back():
    proposal, alice, rita = _world()
    with webhook_receiver() as receiver:
        endpoint = make_endpoint(proposal.ukrainian, receiver.url, event_types=["proposal.approved"], user=alice)
        OutboxMessage.objects.all().delete()
        with broker(CLOSED_PORT_BROKER):
            review.proposal_approve(proposal=proposal, reviewer=rita)  # commits; the send after commit fails
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.attempts == 0
        kept = OutboxMessage.objects.filter(task="integrations.tasks.webhook_deliver_task", sent_at__isnull=True)
        assert kept.count() == 1 and "Error" in kept.get().last_error
        assert receiver.requests == []

        with running_worker(redis_db=REDIS_DB, env=WORKER_ENV) as worker, broker(worker.broker_url, queue=worker.queue):
            assert outbox_relay() >= 1
            wait_for(lambda: WebhookDelivery.objects.get().status == "succeeded", timeout=60)
            # Sending the same message again (the relay's at-least-once) is harmless: claimed once.
            from tests.celery_worker import send_task

            send_task(worker, "integrations.tasks.webhook_deliver_task", delivery_id=delivery.pk)
            wait_for(lambda: _deliver_tasks_done(worker) == 2, timeout=30)

    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    assert Webhook(endpoint.secret).verify(got.body, got.headers)["type"] == "proposal.approved"
    assert got.headers["webhook-id"] == delivery.msg_id
