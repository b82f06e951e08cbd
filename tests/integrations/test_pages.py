"""The webhooks pages: owners add endpoints, see the secret once, read the log, re-send; in both languages."""

import pytest
from django.test import Client

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.integrations.conftest import make_endpoint
from tests.integrations.receiver import webhook_receiver


def _client(user, language="en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def logged_endpoint(firm_a, alice):
    endpoint = make_endpoint(firm_a, "https://hooks.skyforge.example/alliance", user=alice)
    for n, status in enumerate(["succeeded", "failed", "pending"]):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            msg_id=f"msg_page_{n}",
            event_type="proposal.approved",
            dedupe_key=f"p{n}",
            payload={},
            status=status,
        )
        WebhookAttempt.objects.create(
            delivery=delivery, number=1, started_at=delivery.created_at, response_code=500 if n else 200, duration_ms=41
        )
    return endpoint


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Webhooks", "Add an endpoint", "Delivery log", "Re-send"]),
        ("uk", ["Вебхуки", "Додати адресу", "Журнал доставок", "Надіслати ще раз"]),
    ],
)
def test_the_pages_render_in_both_languages(
    alice, firm_a, logged_endpoint, language, words, django_assert_max_num_queries
):
    client = _client(alice, language)
    listing = client.get(f"/firms/{firm_a.pk}/webhooks/")
    with django_assert_max_num_queries(12):
        detail = client.get(f"/firms/{firm_a.pk}/webhooks/{logged_endpoint.pk}/")
    assert listing.status_code == detail.status_code == 200
    text = listing.content.decode() + detail.content.decode()
    for word in words:
        assert word in text
    assert "msg_page_0" in text and "HTTP 500" in text
    assert logged_endpoint.secret not in text  # shown only once, on creation or rotation
    dashboard = client.get(f"/firms/{firm_a.pk}/").content.decode()
    assert f"/firms/{firm_a.pk}/webhooks/" in dashboard


def test_an_owner_adds_an_endpoint_and_sees_the_secret_once(alice, firm_a):
    client = _client(alice)
    response = client.post(
        f"/firms/{firm_a.pk}/webhooks/",
        {"url": "https://hooks.skyforge.example/new", "event_types": ["proposal.approved", "firm.suspended"]},
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["proposal.approved", "firm.suspended"]
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(f"/firms/{firm_a.pk}/webhooks/{endpoint.pk}/").content.decode()


def test_a_bad_address_is_explained_beside_the_field_in_ukrainian(alice, firm_a, settings):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOW_PRIVATE_URLS": False}
    response = _client(alice, "uk").post(
        f"/firms/{firm_a.pk}/webhooks/", {"url": "https://127.0.0.1/x", "event_types": ["firm.verified"]}
    )
    assert response.status_code == 400
    assert "публічну" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_rotate_disable_enable_and_delete(alice, firm_a, logged_endpoint):
    client = _client(alice)
    old = logged_endpoint.secret
    rotated = client.post(f"/firms/{firm_a.pk}/webhooks/{logged_endpoint.pk}/rotate/")
    logged_endpoint.refresh_from_db()
    assert logged_endpoint.secret != old and logged_endpoint.secret in rotated.content.decode()
    client.post(f"/firms/{firm_a.pk}/webhooks/{logged_endpoint.pk}/disable/")
    logged_endpoint.refresh_from_db()
    assert not logged_endpoint.is_active
    client.post(f"/firms/{firm_a.pk}/webhooks/{logged_endpoint.pk}/enable/")
    logged_endpoint.refresh_from_db()
    assert logged_endpoint.is_active
    client.post(f"/firms/{firm_a.pk}/webhooks/{logged_endpoint.pk}/delete/")
    assert not WebhookEndpoint.objects.exists()


def test_resend_from_the_page_reaches_the_receiver(alice, firm_a, django_capture_on_commit_callbacks):
    with webhook_receiver() as receiver:
        endpoint = make_endpoint(firm_a, receiver.url, user=alice)
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, msg_id="msg_web", event_type="firm.verified", dedupe_key="w", payload={}, status="failed"
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = _client(alice).post(f"/firms/{firm_a.pk}/webhook-deliveries/{delivery.pk}/resend/")
    assert response.status_code == 302
    assert receiver.ids() == ["msg_web"]


def test_editors_get_403_and_outsiders_404(alice_editor, bob, firm_a, logged_endpoint):
    assert _client(alice_editor).get(f"/firms/{firm_a.pk}/webhooks/").status_code == 403
    assert _client(bob).get(f"/firms/{firm_a.pk}/webhooks/{logged_endpoint.pk}/").status_code == 404
    delivery = WebhookDelivery.objects.first()
    assert _client(bob).post(f"/firms/{firm_a.pk}/webhook-deliveries/{delivery.pk}/resend/").status_code == 404


def test_the_event_labels_follow_the_readers_language(alice, firm_a):
    """The form's choices are built once at import: the labels must stay lazy (format_lazy)."""
    english = _client(alice, "en").get(f"/firms/{firm_a.pk}/webhooks/").content.decode()
    assert "proposal.approved: A proposal was approved by the ministry" in english
    ukrainian = _client(alice, "uk").get(f"/firms/{firm_a.pk}/webhooks/").content.decode()
    assert "A proposal was approved by the ministry" not in ukrainian
    assert "Your firm was verified" not in ukrainian
    assert "proposal.approved: " in ukrainian


def test_the_checkbox_group_is_a_fieldset_with_a_legend_not_an_empty_label(alice, firm_a):
    page = _client(alice, "uk").get(f"/firms/{firm_a.pk}/webhooks/").content.decode()
    assert 'for=""' not in page
    assert "<fieldset" in page and "<legend" in page


@pytest.mark.parametrize(("language", "reason"), [("en", "Could not connect"), ("uk", "Не вдалося зʼєднатися")])
def test_a_failed_attempt_reads_as_a_short_reason_and_keeps_the_raw_error(alice, firm_a, language, reason):
    from integrations.services.webhooks import webhook_delivery_attempt

    endpoint = make_endpoint(firm_a, "http://127.0.0.1:9/closed-port", user=alice)  # nothing listens on 9
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, msg_id="msg_refused", event_type="firm.verified", dedupe_key="r", payload={}
    )
    attempt = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert attempt.error.startswith("ConnectionError: ")  # the raw detail stays stored
    page = _client(alice, language).get(f"/firms/{firm_a.pk}/webhooks/{endpoint.pk}/").content.decode()
    assert reason in page
    assert "ConnectionError" not in page and "HTTPConnectionPool" not in page


@pytest.mark.parametrize(
    ("error", "code", "reason"),
    [
        ("ReadTimeout: HTTPSConnectionPool(host='x'): Read timed out.", None, "Timed out"),
        ("SSLError: HTTPSConnectionPool(host='x'): certificate verify failed", None, "TLS error"),
        ("refused: Use a public address.", None, "Address refused"),
        ("", 500, "Answered HTTP 500"),
    ],
)
def test_each_kind_of_failure_has_its_own_reason(error, code, reason):
    assert WebhookAttempt(error=error, response_code=code).reason == reason
