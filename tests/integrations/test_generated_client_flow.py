"""A partner's integration engineer drives the live service through the generated Python client.

The client is generated from /api/schema/ with `openapi-python-client` (its own virtualenv, made by
`make test`; see tests/integrations/test_generated_client.py) and run by that virtualenv's Python
against pytest-django's live server. The partner system, through the generated client only: takes a
token from username and password; reads its firm and edits the profile with the `ETag` it read in
`If-Match` (a stale one is refused with a typed 412); registers a webhook endpoint on a real local
receiver; syncs its notifications with `updated_since`; lists its proposals without contacts and accepts
one with an idempotency key; then reads the contact once both firms accepted, the endpoint's delivery
log, the notifications created since its stamp, and a typed error for a proposal that is not there.
The receiver's deliveries verify with `standardwebhooks` and the secret the API returned.
"""

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from core.outbox import outbox_relay
from integrations.services.webhooks import secret_generate
from matching.models import Notification
from registry.models import Firm
from review.services import workflow as review
from tests.factories import FirmCapabilityFactory, ProposalFactory
from tests.integrations.receiver import webhook_receiver
from tests.integrations.test_generated_client import _generator

pytestmark = pytest.mark.django_db(transaction=True)

# Both drivers: follow a notification sync to its end, as docs/api.md says (`next` carries the cursor).
SYNC = """
from urllib.parse import parse_qs, urlsplit
from client.api.notifications import v1_notifications_list
from client.types import UNSET


def sync(api, since):
    rows, cursor, pages = [], UNSET, 0
    while True:
        page = v1_notifications_list.sync(client=api, updated_since=since, cursor=cursor, page_size=1)
        pages += 1
        rows += [[n.id, n.created_at.isoformat(), n.kind.value, n.proposal] for n in page.results]
        if page.next_ is None:
            return rows, pages
        cursor = parse_qs(urlsplit(page.next_).query)["cursor"][0]
"""

FIRST = (
    """
import datetime as dt, json, sys
sys.path.insert(0, sys.argv[1])
from client import AuthenticatedClient, Client
from client.api.auth import v1_auth_token_create
from client.api.firms import v1_firms_partial_update, v1_firms_retrieve
from client.api.proposals import v1_proposals_accept_create, v1_proposals_list
from client.api.webhooks import v1_firms_webhooks_create
from client.models import EventTypesEnum, PatchedFirmWriteRequest, TokenCreateRequest, WebhookEndpointCreateRequest
"""
    + SYNC
    + """
base, password, firm_id, receiver_url = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
token = v1_auth_token_create.sync(client=Client(base_url=base), body=TokenCreateRequest(username="bob", password=password))
api = AuthenticatedClient(base_url=base, token=token.token)

# The profile, edited only if nobody changed it since it was read.
read = v1_firms_retrieve.sync_detailed(firm_id, client=api)
etag = read.headers["ETag"]
edit = PatchedFirmWriteRequest(description="Thermal imaging cores and gimbals for UAV payloads, now with export support.")
edited = v1_firms_partial_update.sync_detailed(firm_id, client=api, body=edit, if_match=etag)
reread = v1_firms_retrieve.sync_detailed(firm_id, client=api)
unchanged = v1_firms_retrieve.sync_detailed(firm_id, client=api, if_none_match=reread.headers["ETag"])
stale = v1_firms_partial_update.sync_detailed(
    firm_id, client=api, body=PatchedFirmWriteRequest(description="An edit made from an old copy of the profile."),
    if_match=etag,
)

# A webhook endpoint on the partner's receiver; the secret is shown in this answer only.
endpoint = v1_firms_webhooks_create.sync(firm_id, client=api, body=WebhookEndpointCreateRequest(
    url=receiver_url, event_types=[EventTypesEnum("proposal.accepted"), EventTypesEnum("proposal.connected"),
                                   EventTypesEnum("notification.created")],
    description="ERP integration"))

# First sync of notifications: everything so far; keep the largest created_at as the next stamp.
synced, pages = sync(api, dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))

page = v1_proposals_list.sync(client=api)
pid = page.results[0].id
accepted = v1_proposals_accept_create.sync(pid, client=api, idempotency_key="accept-1")
again = v1_proposals_accept_create.sync(pid, client=api, idempotency_key="accept-1")
print(json.dumps({
    "token_type": type(token).__name__, "token": token.token,
    "read": [read.status_code.value, read.parsed.description, etag],
    "edited": [edited.status_code.value, edited.parsed.description, edited.headers.get("ETag")],
    "reread": [reread.parsed.description, reread.headers["ETag"]],
    "unchanged": [unchanged.status_code.value, unchanged.parsed, unchanged.headers.get("ETag")],
    "stale": [stale.status_code.value, type(stale.parsed).__name__, stale.parsed.error.code,
              stale.parsed.error.current_etag, stale.headers.get("ETag")],
    "endpoint": [endpoint.id, endpoint.url, sorted(t.value for t in endpoint.event_types), endpoint.secret],
    "synced": synced, "sync_pages": pages,
    "listed": [[p.id, p.status.value, p.ukrainian.contact is None] for p in page.results],
    "after_accept": accepted.status.value, "repeated": again.status.value,
}))
"""
)

SECOND = (
    """
import datetime as dt, json, sys
sys.path.insert(0, sys.argv[1])
from client import AuthenticatedClient
from client.api.proposals import v1_proposals_retrieve
from client.api.webhooks import v1_firms_webhooks_deliveries_list
"""
    + SYNC
    + """
api = AuthenticatedClient(base_url=sys.argv[2], token=sys.argv[3])
final = v1_proposals_retrieve.sync(int(sys.argv[4]), client=api)
missing = v1_proposals_retrieve.sync_detailed(999999, client=api)
deliveries = v1_firms_webhooks_deliveries_list.sync(int(sys.argv[5]), int(sys.argv[6]), client=api)
# Second sync: only what changed at or after the kept stamp.
synced, pages = sync(api, dt.datetime.fromisoformat(sys.argv[7]))
print(json.dumps({
    "final": final.status.value,
    "contact": final.ukrainian.contact.email if final.ukrainian.contact else None,
    "missing": [missing.status_code.value, type(missing.parsed).__name__, missing.parsed.error.code],
    "deliveries": sorted([d.event_type, d.status.value, d.msg_id] for d in deliveries.results),
    "synced": synced, "sync_pages": pages,
}))
"""
)


def _generate(executable: str, tmp_path: Path) -> Path:
    spec = tmp_path / "schema.yaml"
    spec.write_bytes(OpenApiYamlRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"post_hooks": []}))
    subprocess.run(
        [executable, "generate", "--path", str(spec), "--output-path", str(tmp_path / "gen" / "client"),
         "--meta", "none", "--config", str(config)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return tmp_path / "gen"


def _run(python: Path, tmp_path: Path, script: str, *args: str) -> dict:
    path = tmp_path / "driver.py"
    path.write_text(script)
    result = subprocess.run([str(python), str(path), *args], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_partner_system_runs_the_whole_integration_flow_through_the_generated_client(
    live_server, tmp_path, firm_a, firm_b, alice, bob, rita
):
    executable = _generator()
    if executable is None:
        pytest.skip("openapi-python-client is not installed (make test installs it in .venv-opc)")
    python = Path(executable).parent / "python"
    package = _generate(executable, tmp_path)
    proposal = review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=firm_b), reviewer=rita)
    FirmCapabilityFactory(firm=firm_b)  # a complete profile: an edit revalidates the whole document
    before = firm_b.description

    with webhook_receiver() as receiver:
        first = _run(
            python, tmp_path, FIRST, str(package), live_server.url, "correct-horse-battery", str(firm_b.pk),
            receiver.url,
        )  # fmt: skip
        stamp = max((row[1] for row in first["synced"]), key=dt.datetime.fromisoformat)  # the partner keeps it
        review.proposal_accept(proposal=proposal, user=alice)  # the Ukrainian firm accepts in the web
        assert outbox_relay() == 0  # every delivery was sent after its commit; nothing left for the relay
        endpoint_id = first["endpoint"][0]
        second = _run(
            python, tmp_path, SECOND, str(package), live_server.url, first["token"], str(proposal.pk),
            str(firm_b.pk), str(endpoint_id), stamp,
        )  # fmt: skip
        received = list(receiver.requests)

    assert first["token_type"] == "TokenCreated"

    # If-Match: the edit with the ETag just read succeeds and shows; the same (now stale) ETag is refused.
    new_description = "Thermal imaging cores and gimbals for UAV payloads, now with export support."
    read_status, read_description, etag = first["read"]
    assert (read_status, read_description) == (200, before)
    assert etag.startswith('"')
    assert first["edited"][:2] == [200, new_description]
    assert first["reread"][0] == new_description
    current_etag = first["reread"][1]
    assert current_etag != etag
    assert first["edited"][2] == current_etag  # the edit's answer carries the new ETag
    assert first["unchanged"] == [304, None, current_etag]  # If-None-Match with the current ETag: no body
    assert first["stale"] == [412, "Error", "precondition_failed", current_etag, current_etag]
    assert Firm.objects.get(pk=firm_b.pk).description == new_description  # the stale edit changed nothing

    # The endpoint as registered; its secret is the one the API showed once.
    assert first["endpoint"][1:3] == [receiver.url, ["notification.created", "proposal.accepted", "proposal.connected"]]
    secret = first["endpoint"][3]
    assert secret.startswith("whsec_")

    # Proposals: listed without contacts, accepted idempotently, connected once the Ukrainian firm accepts.
    assert first["listed"] == [[proposal.pk, "approved", True]]  # no contact before both accept
    assert first["after_accept"] == first["repeated"] == "approved"  # the Ukrainian firm has not yet
    assert second["final"] == "connected"
    assert second["contact"] == firm_a.contact_email
    assert second["missing"] == [404, "Error", "not_found"]

    # Webhooks: each delivery verifies with the endpoint's secret, and with no other.
    payloads = [Webhook(secret).verify(r.body, r.headers) for r in received]
    types = sorted(p["type"] for p in payloads)
    assert "proposal.connected" in types
    assert types.count("proposal.accepted") == 2  # bob's acceptance, then alice's
    assert {r.path for r in received} == {"/hooks/alliance"}
    connected = next(p for p in payloads if p["type"] == "proposal.connected")
    assert connected["data"]["firm"] == firm_b.pk
    assert connected["data"]["proposal"]["id"] == proposal.pk
    assert connected["data"]["proposal"]["ukrainian"]["contact"]["email"] == firm_a.contact_email
    with pytest.raises(WebhookVerificationError):
        Webhook(secret_generate()).verify(received[0].body, received[0].headers)
    # The delivery log the partner reads through the client: every message, delivered, same ids as received.
    assert sorted(d[0] for d in second["deliveries"]) == types
    assert {d[1] for d in second["deliveries"]} == {"succeeded"}
    assert {d[2] for d in second["deliveries"]} == {r.headers["webhook-id"] for r in received}

    # Notification sync: the first run took everything; the second only what came at or after the stamp.
    mine = dict(Notification.objects.filter(user=bob).values_list("id", "created_at"))
    first_ids = [row[0] for row in first["synced"]]
    second_ids = [row[0] for row in second["synced"]]
    assert first_ids and second_ids
    assert (first["sync_pages"], second["sync_pages"]) == (len(first_ids), len(second_ids))  # a page per row
    assert len(second_ids) >= 2  # so the second run followed `next` (its cursor) at least once
    assert len(set(first_ids)) == len(first_ids) and len(set(second_ids)) == len(second_ids)  # no repeat in a run
    kept = dt.datetime.fromisoformat(stamp)
    assert all(mine[pk] >= kept for pk in second_ids)  # nothing older than the stamp came again
    overlap = set(first_ids) & set(second_ids)
    assert all(mine[pk] == kept for pk in overlap)  # only the row at the stamp itself (the partner upserts)
    assert set(first_ids) | set(second_ids) == set(mine)  # none missed
    new = [row for row in second["synced"] if row[0] not in overlap]
    assert [row[2] for row in new] == ["connected"]  # created by the connection, after the first sync
    assert new[0][3] == proposal.pk
    announced = [p["data"]["notification"] for p in payloads if p["type"] == "notification.created"]
    assert [n["id"] for n in announced] == [new[0][0]]  # the same notification, announced by webhook too
