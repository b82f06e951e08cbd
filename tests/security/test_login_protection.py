"""Login protection: django-axes locks a username from one client address after 5 failures (API
token endpoint and web log-in page), never the address for everyone behind it; the client address
is read behind exactly TRUSTED_PROXY_COUNT proxies; the API throttles per token, and anonymous
clients per address, with 429 + Retry-After."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from knox.models import AuthToken
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from accounts.throttling import TokenRateThrottle
from alliance.settings import client_address_settings
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
    assert int(response["Retry-After"]) == response.json()["error"]["retry_after"] == 900  # AXES_COOLOFF_TIME
    assert response.json()["error"]["code"] == "locked_out"
    assert not AuthToken.objects.filter(user__username="olena").exists()


def test_a_lock_is_per_username_and_address_so_the_owner_still_logs_in_elsewhere(db):
    # Locking the username everywhere would let anyone lock anyone out; the pair is what is locked.
    UserFactory(username="olena")
    attacker = _api("203.0.113.7")
    _fail_five_times(lambda pw: attacker.post(TOKEN_URL, {"username": "olena", "password": pw}, format="json"))

    assert attacker.post(TOKEN_URL, {"username": "olena", "password": RIGHT}, format="json").status_code == 429
    response = _api("198.51.100.20").post(TOKEN_URL, {"username": "olena", "password": RIGHT}, format="json")

    assert response.status_code == 201


def test_another_user_behind_the_same_address_still_logs_in(db):
    # One partner's NAT, or the reverse proxy: five failures of one person lock nobody else.
    UserFactory(username="olena")
    UserFactory(username="taras")
    office = _api("203.0.113.7")
    _fail_five_times(lambda pw: office.post(TOKEN_URL, {"username": "olena", "password": pw}, format="json"))
    assert office.post(TOKEN_URL, {"username": "olena", "password": RIGHT}, format="json").status_code == 429

    response = office.post(TOKEN_URL, {"username": "taras", "password": RIGHT}, format="json")

    assert response.status_code == 201


def test_logging_in_to_ones_own_account_does_not_reset_anyone_elses_failures(db):
    UserFactory(username="olena")
    UserFactory(username="mallory")
    attacker = _api("203.0.113.7")
    for _ in range(4):
        attacker.post(TOKEN_URL, {"username": "olena", "password": "wrong-password"}, format="json")
    assert attacker.post(TOKEN_URL, {"username": "mallory", "password": RIGHT}, format="json").status_code == 201

    attacker.post(TOKEN_URL, {"username": "olena", "password": "wrong-password"}, format="json")  # the fifth
    response = attacker.post(TOKEN_URL, {"username": "olena", "password": RIGHT}, format="json")

    assert response.status_code == 429
    assert AccessAttempt.objects.get(username="olena").failures_since_start >= 5  # not reset by mallory's log-in


def test_web_log_in_of_ones_own_account_does_not_reset_anyone_elses_failures(db):
    UserFactory(username="olena")
    UserFactory(username="mallory")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(4):
        attacker.post(LOGIN_URL, {"username": "olena", "password": "wrong-password"})
    assert attacker.post(LOGIN_URL, {"username": "mallory", "password": RIGHT}).status_code == 302
    attacker.post("/accounts/logout/")

    attacker.post(LOGIN_URL, {"username": "olena", "password": "wrong-password"})
    response = attacker.post(LOGIN_URL, {"username": "olena", "password": RIGHT})

    assert response.status_code == 429


def test_web_log_in_locks_one_person_not_the_address(db):
    UserFactory(username="olena")
    UserFactory(username="taras")
    office = Client(REMOTE_ADDR="203.0.113.9")
    _fail_five_times(lambda pw: office.post(LOGIN_URL, {"username": "olena", "password": pw}))
    assert office.post(LOGIN_URL, {"username": "olena", "password": RIGHT}).status_code == 429

    response = office.post(LOGIN_URL, {"username": "taras", "password": RIGHT})

    assert response.status_code == 302
    assert "_auth_user_id" in office.session


# --- The client's address behind the reverse proxy ---------------------------------------------


def _behind_proxies(settings, proxies: int) -> None:
    """What alliance/settings.py sets for TRUSTED_PROXY_COUNT=proxies (django-axes/ipware and DRF
    read these on each request, so overriding them here is what production reads at start-up)."""
    values = client_address_settings(proxies)
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = values["AXES_IPWARE_META_PRECEDENCE_ORDER"]
    settings.AXES_IPWARE_PROXY_COUNT = values["AXES_IPWARE_PROXY_COUNT"]
    settings.IPWARE_STRICT = values["IPWARE_STRICT"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": values["NUM_PROXIES"]}


PROXY = "10.0.0.2"  # REMOTE_ADDR of every request: the reverse proxy


def _via_proxy(client_address: str, spoofed: str = "") -> dict:
    """The headers a request has once our proxy appended the address it saw to X-Forwarded-For."""
    chain = f"{spoofed}, {client_address}" if spoofed else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def test_the_defaults_trust_no_proxy():
    # TRUSTED_PROXY_COUNT defaults to 0: X-Forwarded-For is read by nothing.
    assert client_address_settings(0)["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ("REMOTE_ADDR",)
    assert api_settings.NUM_PROXIES == 0


@pytest.mark.parametrize("endpoint", ["api", "web"])
def test_behind_one_proxy_two_clients_are_counted_apart(db, settings, endpoint):
    _behind_proxies(settings, 1)
    UserFactory(username="olena")

    def attempt(address, password, spoofed=""):
        if endpoint == "api":
            client = APIClient(**_via_proxy(address, spoofed))
            return client.post(TOKEN_URL, {"username": "olena", "password": password}, format="json")
        return Client(**_via_proxy(address, spoofed)).post(LOGIN_URL, {"username": "olena", "password": password})

    # Five failures from one client, each with a made-up address in front of the real one.
    _fail_five_times(lambda pw: attempt("203.0.113.7", pw, spoofed="192.0.2.99"))
    assert attempt("203.0.113.7", RIGHT, spoofed="192.0.2.1").status_code == 429
    # Another client behind the same proxy is not affected.
    assert attempt("198.51.100.20", RIGHT).status_code in (201, 302)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.parametrize("endpoint", ["api", "web"])
def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(db, settings, endpoint):
    _behind_proxies(settings, 0)
    UserFactory(username="olena")

    def attempt(forwarded, password):
        meta = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": forwarded}
        if endpoint == "api":
            return APIClient(**meta).post(TOKEN_URL, {"username": "olena", "password": password}, format="json")
        return Client(**meta).post(LOGIN_URL, {"username": "olena", "password": password})

    # A fresh X-Forwarded-For on every try changes nothing: the five failures add up.
    for n in range(5):
        attempt(f"192.0.2.{n}", "wrong-password")
    assert attempt("192.0.2.200", RIGHT).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.fixture
def low_anon_rate(monkeypatch):
    # DRF reads the rates into the class when it is defined: patch the class, not the settings.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**AnonRateThrottle.THROTTLE_RATES, "anon": "3/min"})


def test_anonymous_clients_cannot_dodge_the_throttle_with_x_forwarded_for(db, low_anon_rate):
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    body = {"username": "nobody", "password": "wrong-password"}
    answers = [
        client.post(TOKEN_URL, body, format="json", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(4)
    ]

    assert answers == [400, 400, 400, 429]


def test_behind_one_proxy_anonymous_clients_are_throttled_by_their_own_address(db, settings, low_anon_rate):
    _behind_proxies(settings, 1)
    body = {"username": "nobody", "password": "wrong-password"}
    one = [
        APIClient(**_via_proxy("203.0.113.7", spoofed=f"192.0.2.{n}")).post(TOKEN_URL, body, format="json")
        for n in range(4)
    ]
    assert [r.status_code for r in one] == [400, 400, 400, 429]
    assert int(one[-1]["Retry-After"]) > 0
    other = APIClient(**_via_proxy("198.51.100.20")).post(TOKEN_URL, body, format="json")
    assert other.status_code == 400  # another client behind the same proxy has its own count


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
    page = response.content.decode()
    assert "<h1>Log-in paused</h1>" in page and "You can try again in 15 minutes." in page  # the site's layout
    ukrainian = browser.post(LOGIN_URL, {"username": "olena", "password": RIGHT}, HTTP_ACCEPT_LANGUAGE="uk")
    assert ukrainian.status_code == 429
    assert "Спробуйте знову через 15 хвилин." in ukrainian.content.decode()


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
