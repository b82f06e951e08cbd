"""The webhooks API: owners register, change, rotate, read the log and re-send; validation in words."""

import pytest
from standardwebhooks.webhooks import Webhook

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.integrations.conftest import make_endpoint
from tests.integrations.receiver import webhook_receiver

HOOK = "https://hooks.skyforge.example/alliance"


def _url(firm, *rest):
    return "/".join([f"/api/v1/firms/{firm.pk}/webhooks", *map(str, rest)]) + "/"


def test_an_owner_registers_an_endpoint_and_sees_its_secret_once(alice_client, firm_a):
    response = alice_client.post(
        _url(firm_a), {"url": HOOK, "event_types": ["proposal.accepted", "proposal.approved"]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and Webhook(body["secret"])  # a valid Standard Webhooks secret
    assert body["event_types"] == ["proposal.approved", "proposal.accepted"]  # canonical order
    listed = alice_client.get(_url(firm_a)).json()["results"]
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in alice_client.get(_url(firm_a, body["id"])).json()


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"url": "ftp://x.example/", "event_types": ["firm.verified"]}, "url", "https://"),
        ({"url": HOOK, "event_types": []}, "event_types", ""),
        ({"url": HOOK, "event_types": ["proposal.eaten"]}, "event_types", "proposal.eaten"),
        ({"url": HOOK, "event_types": ["firm.verified"], "secret": "mine"}, "secret", ""),
    ],
)
def test_a_bad_registration_names_the_field(alice_client, firm_a, payload, field, words):
    response = alice_client.post(_url(firm_a), payload, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    named = [key for key in fields if key.split(".")[0] == field]
    assert named and words in " ".join(" ".join(fields[key]) for key in named)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.skyforge.example/alliance",  # not https
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://user:pw@hooks.skyforge.example/",
    ],
)
def test_the_ssrf_guard_refuses_private_addresses_in_production(alice_client, firm_a, settings, url):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOW_PRIVATE_URLS": False}
    response = alice_client.post(_url(firm_a), {"url": url, "event_types": ["firm.verified"]}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["url"]
    assert not WebhookEndpoint.objects.exists()


def test_the_ssrf_guard_accepts_a_public_address(alice_client, firm_a, settings):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOW_PRIVATE_URLS": False}
    response = alice_client.post(
        _url(firm_a), {"url": "https://93.184.215.14/hook", "event_types": ["firm.verified"]}, format="json"
    )
    assert response.status_code == 201, response.content


def test_members_who_are_not_owners_get_403_and_outsiders_404(alice_editor_client, bob_client, firm_a):
    make_endpoint(firm_a, HOOK)
    assert alice_editor_client.get(_url(firm_a)).status_code == 403
    assert bob_client.get(_url(firm_a)).status_code == 404


def test_patch_disables_and_enables_and_rotation_keeps_the_old_secret_for_the_overlap(alice_client, firm_a, alice):
    endpoint = make_endpoint(firm_a, HOOK, user=alice)
    off = alice_client.patch(_url(firm_a, endpoint.pk), {"is_active": False}, format="json").json()
    assert off["is_active"] is False and off["disabled_at"]
    on = alice_client.patch(_url(firm_a, endpoint.pk), {"is_active": True}, format="json").json()
    assert on["is_active"] is True and on["disabled_at"] is None
    rotated = alice_client.post(_url(firm_a, endpoint.pk, "rotate-secret"), {"overlap_hours": 2}, format="json").json()
    endpoint.refresh_from_db()
    assert rotated["secret"] == endpoint.secret and endpoint.previous_secret and rotated["secret_rotating_until"]
    too_long = alice_client.post(_url(firm_a, endpoint.pk, "rotate-secret"), {"overlap_hours": 500}, format="json")
    assert too_long.status_code == 400 and "overlap_hours" in too_long.json()["error"]["fields"]


def test_the_delivery_log_lists_attempts_in_a_constant_number_of_queries(
    alice_client, firm_a, alice, django_assert_max_num_queries
):
    endpoint = make_endpoint(firm_a, HOOK, user=alice)
    for n in range(12):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, msg_id=f"msg_{n}", event_type="proposal.approved", dedupe_key=f"k{n}", payload={"n": n}
        )
        for number in (1, 2):
            WebhookAttempt.objects.create(
                delivery=delivery, number=number, started_at=delivery.created_at, response_code=500, duration_ms=12
            )
    with django_assert_max_num_queries(8):
        response = alice_client.get(_url(firm_a, endpoint.pk, "deliveries"))
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 12 and all(len(r["attempt_log"]) == 2 for r in results)
    assert results[0]["attempt_log"][0] == {
        "number": 2,
        "manual": False,
        "started_at": results[0]["attempt_log"][0]["started_at"],
        "duration_ms": 12,
        "response_code": 500,
        "error": "",
        "succeeded": False,
    }


def test_resend_through_the_api_reaches_the_receiver_with_the_same_id(
    alice_client, firm_a, alice, django_capture_on_commit_callbacks
):
    with webhook_receiver() as receiver:
        endpoint = make_endpoint(firm_a, receiver.url, user=alice)
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            msg_id="msg_again",
            event_type="firm.verified",
            dedupe_key="x",
            payload={},
            status="failed",
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_client.post(
                _url(firm_a, endpoint.pk, "deliveries", delivery.pk, "resend"), {}, format="json"
            )
        assert response.status_code == 200, response.content
        delivery.refresh_from_db()
        assert delivery.status == "succeeded"
        again = alice_client.post(_url(firm_a, endpoint.pk, "deliveries", delivery.pk, "resend"), {}, format="json")
    assert receiver.ids() == ["msg_again"]
    assert again.status_code == 200 and again.json()["status"] == "pending"  # its send runs after commit


def test_resend_while_still_pending_is_409(alice_client, firm_a, alice):
    endpoint = make_endpoint(firm_a, HOOK, user=alice)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, msg_id="msg_p", event_type="firm.verified", dedupe_key="p", payload={}
    )
    response = alice_client.post(_url(firm_a, endpoint.pk, "deliveries", delivery.pk, "resend"), {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "delivery_in_progress"


def test_an_owner_deletes_an_endpoint(alice_client, firm_a):
    endpoint = make_endpoint(firm_a, HOOK)
    assert alice_client.delete(_url(firm_a, endpoint.pk)).status_code == 204
    assert not WebhookEndpoint.objects.exists()
