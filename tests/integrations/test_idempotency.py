"""Idempotency-Key on POST and PATCH: replay, 422 for another body, 409 while running; repeated accept is 200."""

import datetime as dt
import uuid

from django.utils import timezone

from integrations.models import IdempotencyRecord
from integrations.services.idempotency import idempotency_purge_expired
from matching.models import Proposal, ProposalEvent
from tests.integrations.conftest import session_client, token_client

HOOKS = "/api/v1/firms/{}/webhooks/"


def _post(client, url, body, key):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_repeated_post_with_the_same_key_replays_the_first_answer(alice_token, firm_a):
    key = str(uuid.uuid4())
    body = {"url": "https://hooks.skyforge.example/a", "event_types": ["firm.verified"]}
    first = _post(alice_token, HOOKS.format(firm_a.pk), body, key)
    second = _post(alice_token, HOOKS.format(firm_a.pk), body, key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert firm_a.webhook_endpoints.count() == 1  # created once


def test_the_same_key_with_a_different_body_is_422(alice_token, firm_a):
    key = "order-42"
    _post(alice_token, HOOKS.format(firm_a.pk), {"url": "https://a.example/h", "event_types": ["firm.verified"]}, key)
    other = _post(
        alice_token, HOOKS.format(firm_a.pk), {"url": "https://b.example/h", "event_types": ["firm.verified"]}, key
    )
    assert other.status_code == 422
    assert (
        other.json()["error"]["code"] == "idempotency_key_reused"
        and "Idempotency-Key" in other.json()["error"]["fields"]
    )


def test_a_repeat_while_the_first_is_still_running_is_409(alice_token, firm_a):
    from integrations.middleware import _principal
    from integrations.services.idempotency import fingerprint

    body = b'{"url":"https://a.example/h","event_types":["firm.verified"]}'
    request = type("R", (), {"META": {"HTTP_AUTHORIZATION": alice_token._credentials["HTTP_AUTHORIZATION"]}})()
    IdempotencyRecord.objects.create(
        principal=_principal(request),
        key="in-flight",
        fingerprint=fingerprint(method="POST", path=HOOKS.format(firm_a.pk), body=body),
        expires_at=timezone.now() + dt.timedelta(hours=24),
    )
    response = alice_token.generic(
        "POST", HOOKS.format(firm_a.pk), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="in-flight"
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "idempotency_key_in_use"


def test_keys_are_per_caller(alice, firm_a):
    body = {"url": "https://a.example/h", "event_types": ["firm.verified"]}
    session = session_client(alice)
    assert _post(token_client(alice), HOOKS.format(firm_a.pk), body, "k1").status_code == 201
    assert _post(token_client(alice), HOOKS.format(firm_a.pk), body, "k1").status_code == 201  # another token
    assert _post(session, HOOKS.format(firm_a.pk), body, "k1").status_code == 201  # a session is another caller
    assert _post(session, HOOKS.format(firm_a.pk), body, "k1")["Idempotent-Replayed"] == "true"
    assert firm_a.webhook_endpoints.count() == 3


def test_a_patch_is_replayed_too_and_a_bad_key_is_a_400_naming_it(alice_token):
    alice_client = alice_token
    first = alice_client.patch("/api/v1/me/", {"language": "uk"}, format="json", HTTP_IDEMPOTENCY_KEY="lang-1")
    again = alice_client.patch("/api/v1/me/", {"language": "uk"}, format="json", HTTP_IDEMPOTENCY_KEY="lang-1")
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    bad = alice_client.patch("/api/v1/me/", {"language": "uk"}, format="json", HTTP_IDEMPOTENCY_KEY="has space")
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["error"]["fields"]


def test_a_4xx_answer_is_kept_and_replayed(alice_token, firm_a):
    alice_client = alice_token
    url = HOOKS.format(firm_a.pk)
    bad = _post(alice_client, url, {"url": "nope", "event_types": ["firm.verified"]}, "k-400")
    assert bad.status_code == 400
    replay = _post(alice_client, url, {"url": "nope", "event_types": ["firm.verified"]}, "k-400")
    assert replay.status_code == 400 and replay["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get(key="k-400").response_status == 400  # a 4xx is kept (and replayed)


def test_expired_records_are_purged_and_the_key_can_be_used_again(alice_token, firm_a):
    alice_client = alice_token
    body = {"url": "https://a.example/h", "event_types": ["firm.verified"]}
    _post(alice_client, HOOKS.format(firm_a.pk), body, "old")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _post(alice_client, HOOKS.format(firm_a.pk), body, "old").status_code == 201  # runs again
    IdempotencyRecord.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert idempotency_purge_expired() == 1


def test_a_repeated_accept_by_the_same_firm_answers_200_with_the_current_state(alice_client, bob_client, proposal_ab):
    Proposal.objects.filter(pk=proposal_ab.pk).update(status=Proposal.Status.APPROVED)
    url = f"/api/v1/proposals/{proposal_ab.pk}/accept/"
    assert alice_client.post(url, {}, format="json").status_code == 200
    again = alice_client.post(url, {}, format="json")  # a retry without a key
    assert again.status_code == 200 and again.json()["accepted"] == {"ukrainian": True, "partner": False}
    assert bob_client.post(url, {}, format="json").json()["status"] == "connected"
    after = alice_client.post(url, {}, format="json")
    assert after.status_code == 200 and after.json()["status"] == "connected"
    assert ProposalEvent.objects.filter(proposal=proposal_ab, data__action="accept").count() == 2


def test_a_declined_proposal_still_refuses_an_accept_with_409(alice_client, proposal_ab):
    Proposal.objects.filter(pk=proposal_ab.pk).update(status=Proposal.Status.DECLINED)
    response = alice_client.post(f"/api/v1/proposals/{proposal_ab.pk}/accept/", {}, format="json")
    assert response.status_code == 409
