"""Login protection: django-axes locks the account and the address after 5 failures (API token
endpoint and web log-in page), and the partner API throttles per token with 429 + Retry-After."""

import pytest
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.throttling import TokenRateThrottle
from tests.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"
RIGHT = "correct-horse-battery"  # tests/factories.py UserFactory password


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _api(address: str) -> APIClient:
    return APIClient(REMOTE_ADDR=address)


def _fail_five_times(post):
    """Five wrong passwords: the first four are plain failures, the fifth may already answer 429."""
    for attempt in range(1, 6):
        response = post("wrong-password")
        allowed = (400, 200) if attempt < 5 else (400, 200, 429)
        assert response.status_code in allowed, f"attempt {attempt}: {response.status_code}"


def test_token_endpoint_locks_the_account_after_five_failures_even_with_the_right_password(db):
    UserFactory(username="olena")
    client = _api("203.0.113.7")
    _fail_five_times(lambda pw: client.post(TOKEN_URL, {"username": "olena", "password": pw}, format="json"))

    response = client.post(TOKEN_URL, {"username": "olena", "password": RIGHT}, format="json")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "locked_out"
    assert not AuthToken.objects.filter(user__username="olena").exists()


def test_locked_account_stays_locked_from_another_address(db):
    UserFactory(username="olena")
    attacker = _api("203.0.113.7")
    _fail_five_times(lambda pw: attacker.post(TOKEN_URL, {"username": "olena", "password": pw}, format="json"))

    response = _api("198.51.100.20").post(TOKEN_URL, {"username": "olena", "password": RIGHT}, format="json")

    assert response.status_code == 429


def test_locked_address_cannot_log_in_as_anyone_else(db):
    UserFactory(username="olena")
    UserFactory(username="taras")
    attacker = _api("203.0.113.7")
    _fail_five_times(lambda pw: attacker.post(TOKEN_URL, {"username": "olena", "password": pw}, format="json"))

    response = attacker.post(TOKEN_URL, {"username": "taras", "password": RIGHT}, format="json")

    assert response.status_code == 429
    assert "Retry-After" in response


def test_four_failures_then_the_right_password_still_logs_in(db):
    UserFactory(username="olena")
    client = _api("203.0.113.7")
    for _ in range(4):
        client.post(TOKEN_URL, {"username": "olena", "password": "wrong-password"}, format="json")

    response = client.post(TOKEN_URL, {"username": "olena", "password": RIGHT}, format="json")

    assert response.status_code == 201
    assert response.json()["token"]


def test_web_login_page_locks_the_account_after_five_failures(db):
    UserFactory(username="olena")
    browser = Client(REMOTE_ADDR="203.0.113.9")
    _fail_five_times(lambda pw: browser.post(LOGIN_URL, {"username": "olena", "password": pw}))

    response = browser.post(LOGIN_URL, {"username": "olena", "password": RIGHT})

    assert response.status_code == 429
    assert "Retry-After" in response
    assert "_auth_user_id" not in browser.session


def test_api_token_is_throttled_with_429_retry_after_and_the_error_shape(alice_token, bob, monkeypatch):
    # DRF reads the rates into the class when it is defined: patch the class, not the settings.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {**TokenRateThrottle.THROTTLE_RATES, "token": "3/min"})
    for _ in range(3):
        assert alice_token.get("/api/v1/me/").status_code == 200

    response = alice_token.get("/api/v1/me/")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert set(response.json()["error"]) >= {"code", "message", "fields"}
    # The limit is per token: another partner system's token is unaffected.
    _, bob_secret = AuthToken.objects.create(bob)
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {bob_secret}")
    assert other.get("/api/v1/me/").status_code == 200
