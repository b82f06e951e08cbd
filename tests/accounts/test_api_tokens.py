"""API token lifecycle: log in, use with Bearer, list, revoke, expire; hashed at rest."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


def log_in(client: APIClient, username: str = "alice", password: str = PASSWORD, **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password, **extra})


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_alice_logs_in_and_uses_her_token_with_the_bearer_header(anon, alice):
    response = log_in(anon, name="ERP integration")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "token", "expiry", "name"}
    assert body["token"].startswith(body["id"])
    assert body["name"] == "ERP integration"
    expiry = timezone.datetime.fromisoformat(body["expiry"])
    assert timedelta(days=89) < expiry - timezone.now() <= timedelta(days=90)

    me = bearer(body["token"]).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_the_token_list_shows_keys_and_labels_but_never_secrets(anon, alice):
    first = log_in(anon, name="ERP").json()
    second = log_in(anon).json()
    response = bearer(first["token"]).get("/api/v1/auth/tokens/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [t["id"] for t in results] == [second["id"], first["id"]]  # newest first
    assert {t["id"]: t["current"] for t in results} == {first["id"]: True, second["id"]: False}
    assert {t["id"]: t["name"] for t in results} == {first["id"]: "ERP", second["id"]: ""}
    assert set(results[0]) == {"id", "name", "created", "expiry", "current"}
    assert first["token"] not in response.content.decode()
    assert second["token"] not in response.content.decode()


def test_bob_sees_only_his_own_tokens(anon, alice, bob):
    log_in(anon)
    bobs = log_in(anon, username="bob").json()
    results = bearer(bobs["token"]).get("/api/v1/auth/tokens/").json()["results"]
    assert [t["id"] for t in results] == [bobs["id"]]


def test_a_revoked_token_is_refused(anon, alice):
    keep = log_in(anon).json()
    drop = log_in(anon).json()
    assert bearer(keep["token"]).delete(f"/api/v1/auth/tokens/{drop['id']}/").status_code == 204
    assert bearer(drop["token"]).get("/api/v1/me/").status_code == 401
    assert bearer(keep["token"]).get("/api/v1/me/").status_code == 200


def test_bob_cannot_revoke_alices_token(anon, alice, bob):
    alices = log_in(anon).json()
    bobs = log_in(anon, username="bob").json()
    response = bearer(bobs["token"]).delete(f"/api/v1/auth/tokens/{alices['id']}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert bearer(alices["token"]).get("/api/v1/me/").status_code == 200


def test_logout_revokes_only_the_current_token(anon, alice):
    one = log_in(anon).json()
    two = log_in(anon).json()
    assert bearer(one["token"]).post("/api/v1/auth/logout/").status_code == 204
    assert bearer(one["token"]).get("/api/v1/me/").status_code == 401
    assert bearer(two["token"]).get("/api/v1/me/").status_code == 200


def test_an_expired_token_is_refused(anon, alice):
    body = log_in(anon).json()
    AuthToken.objects.filter(token_key=body["id"]).update(expiry=timezone.now() - timedelta(seconds=1))
    response = bearer(body["token"]).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_expired_tokens_are_not_listed(anon, alice):
    old = log_in(anon).json()
    new = log_in(anon).json()
    AuthToken.objects.filter(token_key=old["id"]).update(expiry=timezone.now() - timedelta(seconds=1))
    results = bearer(new["token"]).get("/api/v1/auth/tokens/").json()["results"]
    assert [t["id"] for t in results] == [new["id"]]


def test_tokens_are_hashed_at_rest(anon, alice):
    secret = log_in(anon).json()["token"]
    row = AuthToken.objects.get(user=alice)
    assert row.digest == hash_token(secret)
    # Nothing stored in the token table contains the secret (only its first characters, the key).
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        stored = " ".join(str(value) for record in cursor.fetchall() for value in record)
    assert secret not in stored
    assert secret[len(row.token_key) :] not in stored


def test_wrong_password_and_unknown_user_get_the_same_answer(anon, alice):
    wrong = log_in(anon, password="not-her-password")
    unknown = log_in(anon, username="nobody-here")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


def test_an_inactive_user_cannot_log_in(anon, alice):
    alice.is_active = False
    alice.save()
    assert log_in(anon).json()["error"]["code"] == "invalid_credentials"


def test_a_stale_bearer_header_does_not_block_logging_in_again(alice):
    client = bearer("not-a-real-token")
    assert log_in(client).status_code == 201


def test_missing_and_unknown_fields_are_named(anon, alice):
    response = log_in(anon, password="", remember_me=True)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"password", "remember_me"}
    assert "Unknown field" in fields["remember_me"][0]


def test_repeated_failures_lock_the_account_out(anon, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(anon, password="guess")
    response = log_in(anon)  # even the right password
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


def test_the_number_of_tokens_per_user_is_limited(anon, alice, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    assert log_in(anon).status_code == 201
    assert log_in(anon).status_code == 201
    response = log_in(anon)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_limit_reached"


@pytest.mark.django_db
def test_token_list_query_count_does_not_grow_with_tokens(django_assert_max_num_queries):
    user = UserFactory(username="erin")
    for _ in range(12):
        AuthToken.objects.create(user=user)
    client = APIClient()
    client.force_authenticate(user)
    with django_assert_max_num_queries(3):  # count, page (with labels)
        response = client.get("/api/v1/auth/tokens/")
    assert response.json()["count"] == 12


def test_the_browser_session_works_too_and_is_csrf_protected(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)  # a real session cookie (client.login lacks the request django-axes needs)
    assert client.get("/api/v1/me/").json()["username"] == "alice"
    refused = client.post("/api/v1/auth/logout/")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    token = client.get("/admin/login/").cookies["csrftoken"].value
    assert client.post("/api/v1/auth/logout/", HTTP_X_CSRFTOKEN=token).status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
