"""Webhook deliveries to a real local HTTP receiver: signed per Standard Webhooks, retried, logged."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import webhooks
from matching.models import Proposal, ProposalEvent
from registry.services import firm_suspend, firm_verify
from review.services import workflow as review
from tests.factories import ProposalFactory
from tests.integrations.conftest import make_endpoint
from tests.integrations.receiver import webhook_receiver

S = Proposal.Status
REVIEWER_NOTE = "Reviewer-only: check the export licence first"


@pytest.fixture
def approved_ab(proposal_ab, rita, django_capture_on_commit_callbacks):
    return proposal_ab


def _approve(proposal, rita, capture):
    with capture(execute=True):
        review.proposal_approve(proposal=proposal, reviewer=rita, note=REVIEWER_NOTE)


def test_an_approval_reaches_both_firms_signed_and_verifiable_with_standardwebhooks(
    proposal_ab, alice, bob, rita, alice_client, django_capture_on_commit_callbacks
):
    with webhook_receiver() as receiver:
        endpoint_a = make_endpoint(proposal_ab.ukrainian, receiver.url + "/a", user=alice)
        endpoint_b = make_endpoint(proposal_ab.partner, receiver.url + "/b", user=bob)
        _approve(proposal_ab, rita, django_capture_on_commit_callbacks)

    by_path = {r.path: r for r in receiver.requests if json.loads(r.body)["type"] == "proposal.approved"}
    assert set(by_path) == {"/hooks/alliance/a", "/hooks/alliance/b"}
    got = by_path["/hooks/alliance/a"]
    payload = Webhook(endpoint_a.secret).verify(got.body, got.headers)
    assert payload["type"] == "proposal.approved"
    assert payload["data"]["change"] == {
        "from_status": "proposed",
        "to_status": "approved",
        "action": "approved",
        "by": "ministry",
        "at": payload["data"]["change"]["at"],
    }
    # Exactly what alice reads in the API, nothing more (no reviewer note, no contact yet).
    assert payload["data"]["proposal"] == alice_client.get(f"/api/v1/proposals/{proposal_ab.pk}/").json()
    assert REVIEWER_NOTE not in got.body.decode()
    assert payload["data"]["proposal"]["ukrainian"]["contact"] is None
    # Another endpoint's secret does not verify it.
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint_b.secret).verify(got.body, got.headers)
    assert got.headers["webhook-id"].startswith("msg_")
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 4  # approved + notification, both firms


def test_a_proposal_a_firm_may_not_see_sends_it_nothing(proposal_ab, alice, rita, django_capture_on_commit_callbacks):
    with webhook_receiver() as receiver:
        make_endpoint(proposal_ab.ukrainian, receiver.url, user=alice)
        with django_capture_on_commit_callbacks(execute=True):
            review.proposal_reject(proposal=proposal_ab, reviewer=rita, reason="Duplicate of an existing partnership")
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_contacts_appear_in_the_payload_once_connected_and_every_message_has_its_own_id(
    proposal_ab, alice, bob, rita, django_capture_on_commit_callbacks
):
    with webhook_receiver() as receiver:
        endpoint = make_endpoint(proposal_ab.ukrainian, receiver.url, user=alice)
        _approve(proposal_ab, rita, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            review.proposal_accept(proposal=proposal_ab, user=alice)
        with django_capture_on_commit_callbacks(execute=True):
            review.proposal_accept(proposal=proposal_ab, user=bob)

    types = [json.loads(r.body)["type"] for r in receiver.requests]
    assert types.count("proposal.accepted") == 2 and types.count("proposal.connected") == 1
    assert len(set(receiver.ids())) == len(receiver.ids())  # no duplicate ids
    connected = next(r for r in receiver.requests if json.loads(r.body)["type"] == "proposal.connected")
    data = Webhook(endpoint.secret).verify(connected.body, connected.headers)["data"]
    assert data["proposal"]["status"] == "connected"
    assert data["proposal"]["partner"]["contact"]["email"] == proposal_ab.partner.contact_email
    assert data["change"]["by"] == "partner"
    # The same event published again (a retried transaction, a second subscriber run) adds nothing.
    event = ProposalEvent.objects.filter(proposal=proposal_ab, to_status=S.CONNECTED).get()
    assert webhooks.on_proposal_transitioned(proposal_event=event) == 0


def test_a_receiver_answering_500_gets_retries_with_the_same_id_until_it_answers_200(
    proposal_ab, alice, rita, retry_due, django_capture_on_commit_callbacks
):
    with webhook_receiver(statuses=[500, 503]) as receiver:
        make_endpoint(proposal_ab.ukrainian, receiver.url, event_types=["proposal.approved"], user=alice)
        _approve(proposal_ab, rita, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_response_code == 500
        assert retry_due() == 1
        assert retry_due() == 1
        assert retry_due() == 0  # delivered: nothing due any more

    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 3
    assert len(receiver.requests) == 3 and set(receiver.ids()) == {delivery.msg_id}
    log = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.response_code, a.succeeded) for a in log] == [(1, 500, False), (2, 503, False), (3, 200, True)]
    assert all(a.duration_ms >= 0 for a in log)


def test_the_retry_schedule_backs_off_over_about_three_days(settings):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "RETRY_SCHEDULE": [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 72000]}
    schedule = webhooks.retry_schedule()
    assert schedule == sorted(schedule)
    assert dt.timedelta(days=2.9) < dt.timedelta(seconds=sum(schedule)) <= dt.timedelta(days=3)


def test_a_retry_is_not_sent_before_it_is_due(proposal_ab, alice, rita, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "RETRY_SCHEDULE": [300]}
    with webhook_receiver(default_status=500) as receiver:
        make_endpoint(proposal_ab.ukrainian, receiver.url, event_types=["proposal.approved"], user=alice)
        _approve(proposal_ab, rita, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert webhooks.webhooks_retry_due() == 0
        assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) is None  # not due: not claimed
        later = timezone.now() + dt.timedelta(seconds=400)
        assert webhooks.webhooks_retry_due(now=later) == 1
    assert len(receiver.requests) == 1  # the due one is claimed only once `now` really passes it


def test_an_endpoint_failing_every_retry_is_disabled_and_its_owner_emailed(
    proposal_ab, alice, rita, retry_due, django_capture_on_commit_callbacks
):
    with webhook_receiver(default_status=500) as receiver:
        endpoint = make_endpoint(proposal_ab.ukrainian, receiver.url, event_types=["proposal.approved"], user=alice)
        with django_capture_on_commit_callbacks(execute=True):
            review.proposal_approve(proposal=proposal_ab, reviewer=rita)
        with django_capture_on_commit_callbacks(execute=True):  # the email goes through the outbox
            for _ in range(3):
                assert retry_due() == 1
        assert retry_due() == 0

    assert len(receiver.requests) == 4  # the first attempt and 3 retries
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert WebhookDelivery.objects.get().status == "failed"
    disabled = [m for m in mail.outbox if m.subject.startswith("Webhook endpoint disabled")]
    assert [m.to for m in disabled] == [[alice.email]]
    assert endpoint.url in disabled[0].body
    # A disabled endpoint gets no new deliveries.
    other = ProposalFactory(ukrainian=proposal_ab.ukrainian, score=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        review.proposal_approve(proposal=other, reviewer=rita)
    assert WebhookDelivery.objects.count() == 1


def test_an_endpoint_that_delivered_meanwhile_is_not_disabled(
    proposal_ab, alice, rita, retry_due, django_capture_on_commit_callbacks
):
    with webhook_receiver(failing_types={"proposal.approved"}) as receiver:
        endpoint = make_endpoint(proposal_ab.ukrainian, receiver.url, user=alice)
        _approve(proposal_ab, rita, django_capture_on_commit_callbacks)  # approved fails; notification succeeds
        for _ in range(3):
            retry_due()
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed", "succeeded"]
    assert len(receiver.requests) == 5


def test_a_rotated_secret_signs_with_both_secrets_during_the_overlap_only(proposal_ab, alice):
    endpoint = make_endpoint(proposal_ab.ukrainian, "http://127.0.0.1:9/x", user=alice)
    old = endpoint.secret
    endpoint = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint, overlap_hours=24)
    assert endpoint.secret != old
    now = timezone.now()
    body = '{"type":"firm.verified"}'
    headers = webhooks.signature_headers(endpoint=endpoint, msg_id="msg_1", body=body, now=now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, endpoint.secret):
        Webhook(secret).verify(body, headers)
    after = now + dt.timedelta(hours=25)
    late = webhooks.signature_headers(endpoint=endpoint, msg_id="msg_1", body=body, now=after)
    assert len(late["webhook-signature"].split(" ")) == 1
    assert late["webhook-signature"] == Webhook(endpoint.secret).sign("msg_1", after.astimezone(dt.UTC), body)


def test_firm_verified_and_suspended_reach_the_firms_own_endpoints(
    firm_a, alice, rita, django_capture_on_commit_callbacks
):
    firm_a.status = "pending"
    firm_a.save(update_fields=["status"])
    with webhook_receiver() as receiver:
        endpoint = make_endpoint(firm_a, receiver.url, event_types=["firm.verified", "firm.suspended"], user=alice)
        with django_capture_on_commit_callbacks(execute=True):
            firm_verify(firm=firm_a, reviewer=rita)
        with django_capture_on_commit_callbacks(execute=True):
            firm_suspend(firm=firm_a, reviewer=rita, reason="Reviewer-only reason: licence revoked")
    payloads = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.requests]
    assert [p["type"] for p in payloads] == ["firm.verified", "firm.suspended"]
    assert payloads[0]["data"]["firm"]["id"] == firm_a.pk and payloads[0]["data"]["change"]["to_status"] == "verified"
    assert "screening_status" not in payloads[0]["data"]["firm"]  # reviewers only
    assert "licence revoked" not in receiver.requests[1].body.decode()


def test_a_delivery_can_be_resent_with_the_same_id(proposal_ab, alice, rita, django_capture_on_commit_callbacks):
    with webhook_receiver() as receiver:
        make_endpoint(proposal_ab.ukrainian, receiver.url, event_types=["proposal.approved"], user=alice)
        _approve(proposal_ab, rita, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.webhook_delivery_resend(delivery=delivery)
    assert receiver.ids() == [delivery.msg_id, delivery.msg_id]
    assert list(WebhookAttempt.objects.order_by("number").values_list("manual", flat=True)) == [False, True]


def test_a_private_address_is_refused_at_send_time_when_private_urls_are_not_allowed(
    proposal_ab, alice, rita, settings, django_capture_on_commit_callbacks
):
    with webhook_receiver() as receiver:
        make_endpoint(proposal_ab.ukrainian, receiver.url, event_types=["proposal.approved"], user=alice)
        settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOW_PRIVATE_URLS": False}
        _approve(proposal_ab, rita, django_capture_on_commit_callbacks)
    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.error.startswith("refused:") and attempt.response_code is None


def test_no_endpoints_cost_one_query_per_transition(proposal_ab, rita, django_assert_num_queries):
    from integrations.services.webhooks import on_proposal_transitioned

    event = ProposalEvent.objects.create(proposal=proposal_ab, from_status="proposed", to_status="approved")
    with django_assert_num_queries(1):
        assert on_proposal_transitioned(proposal_event=event) == 0


def test_endpoint_model_keeps_event_types(firm_a):
    assert not WebhookEndpoint.objects.exists()
