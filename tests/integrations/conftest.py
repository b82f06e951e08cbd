import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from integrations.models import WebhookEndpoint
from integrations.services import webhooks
from integrations.services.webhooks import secret_generate

ALL_TYPES = [
    "proposal.approved",
    "proposal.accepted",
    "proposal.connected",
    "proposal.declined",
    "proposal.expired",
    "proposal.outcome_recorded",
    "firm.verified",
    "firm.suspended",
    "notification.created",
]


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    """Receivers on 127.0.0.1 over http, and retries due at once (the tests run the sweep themselves)."""
    settings.WEBHOOKS = {
        **settings.WEBHOOKS,
        "ALLOW_PRIVATE_URLS": True,
        "RETRY_SCHEDULE": [0, 0, 0],
        "TIMEOUT_SECONDS": 5,
    }


def make_endpoint(firm, url, *, event_types=None, user=None) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        firm=firm, url=url, event_types=event_types or ALL_TYPES, secret=secret_generate(), created_by=user
    )


def token_client(user) -> APIClient:
    """A client with a real Bearer token (each call: a new token, so another caller)."""
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def session_client(user) -> APIClient:
    """A client signed in with a real session (what the middleware sees for browser sessions)."""
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def retry_due():
    return webhooks.webhooks_retry_due
