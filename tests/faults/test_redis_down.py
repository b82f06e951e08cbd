"""Redis down: the service keeps serving, writes save, and the Celery work they trigger waits in
PostgreSQL (the transactional outbox) until Redis is back and `outbox_relay` sends it.

Real processes: our own redis-server on a free port (killed with SIGKILL), gunicorn serving the
app against the test database, `manage.py outbox_relay`. The Celery messages are read back from
the restarted Redis queue. PostgreSQL only: the server processes must see committed rows.
"""

import json

import pytest
import requests
from django.db import connection
from knox.models import AuthToken

from core.models import OutboxMessage
from matching.models import Proposal
from registry.models import Firm
from tests.factories import FirmCapabilityFactory, FirmFactory, MembershipFactory, ProposalFactory, UserFactory
from tests.faults.processes import app_env, gunicorn, manage, redis_server

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="server processes need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUEUE = "faults-redis-down"


def _bearer(user) -> dict[str, str]:
    _, secret = AuthToken.objects.create(user)
    return {"Authorization": f"Bearer {secret}"}


def _queued_tasks(redis_client) -> list[str]:
    return [json.loads(raw)["headers"]["task"] for raw in redis_client.lrange(QUEUE, 0, -1)]


def test_with_redis_killed_the_service_serves_saves_and_keeps_the_work_until_redis_returns():
    firm = FirmFactory(ref="ua-skyforge", name="SkyForge Robotics LLC", edrpou="32855961")
    partner = FirmFactory(
        ref="fr-lumiere", name="Lumiere Optique SA", country="FR", edrpou="", contact_phone="+33140000000"
    )
    FirmCapabilityFactory(firm=firm, kind="seek")
    alice = UserFactory(username="alice")
    MembershipFactory(user=alice, firm=firm, role="owner")
    rita = UserFactory(username="rita", is_reviewer=True)
    proposal = ProposalFactory(ukrainian=firm, partner=partner)
    OutboxMessage.objects.all().delete()

    with redis_server() as redis_srv:
        env = app_env(
            CELERY_BROKER_URL=redis_srv.url,
            CELERY_RESULT_BACKEND="",
            CELERY_TASK_ALWAYS_EAGER="false",
            CELERY_TASK_DEFAULT_QUEUE=QUEUE,
            # The production setting (docs/production.md): throttle counters in Redis too. It
            # fails open (alliance/cache.py), so the outage below must not turn into 500s.
            CACHE_URL=redis_srv.url.rsplit("/", 1)[0] + "/1",
        )
        with gunicorn(env) as base:
            redis_srv.kill()

            # Pages and reads keep serving.
            assert requests.get(f"{base}/accounts/login/", timeout=20).status_code == 200
            assert requests.get(f"{base}/api/v1/me/", headers=_bearer(alice), timeout=20).status_code == 200
            firms = requests.get(f"{base}/api/v1/firms/?page_size=1", headers=_bearer(rita), timeout=20)
            assert firms.status_code == 200 and firms.json()["count"] == 2
            # A profile edit saves (and asks for a rematch)...
            new_description = "Builds thermal-imaging reconnaissance drones; now also repairs counter-battery radars."
            edit = requests.patch(
                f"{base}/api/v1/firms/{firm.pk}/",
                json={"description": new_description},
                headers=_bearer(alice),
                timeout=20,
            )
            assert edit.status_code == 200, edit.text
            # ...and a reviewer's approval saves (and asks for notifications to both firms).
            approve = requests.post(
                f"{base}/api/v1/proposals/{proposal.pk}/approve/", json={"note": ""}, headers=_bearer(rita), timeout=20
            )
            assert approve.status_code == 200, approve.text

        firm.refresh_from_db()
        proposal.refresh_from_db()
        assert firm.description == new_description
        assert proposal.status == Proposal.Status.APPROVED
        pending = list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("task", flat=True))
        assert "matching.tasks.rematch_firm_task" in pending
        assert any("notification" in task for task in pending), pending
        assert all(m.attempts >= 1 and m.last_error for m in OutboxMessage.objects.all())

        # Redis returns (same port, empty: everything it held died with it); the relay sends the backlog.
        redis_srv.start()
        relay = manage("outbox_relay", env=env)
        assert relay.returncode == 0, relay.stdout + relay.stderr

        assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
        assert sorted(_queued_tasks(redis_srv.client())) == sorted(pending)
    assert Firm.objects.filter(pk=firm.pk, description=new_description).exists()
