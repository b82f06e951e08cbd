"""Rotating a service account's token (accounts.services.service_account_token_rotate): a new secret shown
once, the old token working for the overlap (SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS) and refused after; API
for every persona, and the firm's service accounts page in both languages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import ServiceAccount

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def accounts_url(firm) -> str:
    return f"/api/v1/firms/{firm.pk}/service-accounts/"


@pytest.fixture
def account_and_secret(alice_client, firm_a):
    response = alice_client.post(accounts_url(firm_a), {"name": "ERP", "scopes": ["firms:read"]})
    assert response.status_code == 201
    return ServiceAccount.objects.get(pk=response.json()["id"]), response.json()["token"]


def rotate_url(firm, account) -> str:
    return f"{accounts_url(firm)}{account.pk}/rotate-token/"


def at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("alice_client", 200),
        ("alice_token", 200),
        ("adam_client", 200),
        ("alice_editor_client", 403),
        ("alice_viewer_client", 403),
        ("rita_client", 403),
        ("bob_client", 404),
        ("anon", 401),
    ],
    indirect=["persona"],
)
def test_who_may_rotate_a_token(persona, status, firm_a, account_and_secret):
    account, _ = account_and_secret
    response = persona.post(rotate_url(firm_a, account), {})
    assert response.status_code == status, response.content
    assert AuthToken.objects.filter(user=account.user).count() == (2 if status == 200 else 1)


def test_a_service_account_cannot_rotate_itself(firm_a, account_and_secret):
    account, secret = account_and_secret
    response = bearer(secret).post(rotate_url(firm_a, account), {})
    assert response.status_code == 403 and response.json()["error"]["code"] == "insufficient_scope"


def test_the_old_token_works_through_the_overlap_and_is_refused_after(
    alice_client, firm_a, account_and_secret, monkeypatch, settings
):
    settings.SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS = 24
    account, old = account_and_secret
    response = alice_client.post(rotate_url(firm_a, account), {})
    assert response.status_code == 200
    body = response.json()
    new = body["token"]
    assert new != old and AuthToken.objects.get(token_key=body["token_id"]).digest == hash_token(new)
    assert old.startswith(body["previous_token_id"]) and body["previous_token_expiry"] is not None
    me = f"/api/v1/firms/{firm_a.pk}/"
    assert bearer(old).get(me).status_code == 200 and bearer(new).get(me).status_code == 200
    now = timezone.now()
    at(monkeypatch, now + timedelta(hours=23, minutes=50))
    assert bearer(old).get(me).status_code == 200
    at(monkeypatch, now + timedelta(hours=24, minutes=1))
    assert bearer(old).get(me).status_code == 401
    assert bearer(new).get(me).status_code == 200
    listed = alice_client.get(accounts_url(firm_a)).json()["results"][0]
    assert listed["token_id"] == body["token_id"] and listed["previous_token_id"] is None


def test_overlap_zero_refuses_the_old_token_at_once_and_the_overlap_is_bounded(
    alice_client, firm_a, account_and_secret
):
    account, old = account_and_secret
    for bad in (-1, 169, "soon"):
        refused = alice_client.post(rotate_url(firm_a, account), {"overlap_hours": bad})
        assert refused.status_code == 400 and "overlap_hours" in refused.json()["error"]["fields"]
    response = alice_client.post(rotate_url(firm_a, account), {"overlap_hours": 0})
    assert response.status_code == 200 and response.json()["previous_token_id"] is None
    assert bearer(old).get(f"/api/v1/firms/{firm_a.pk}/").status_code == 401
    assert bearer(response.json()["token"]).get(f"/api/v1/firms/{firm_a.pk}/").status_code == 200


def test_a_second_rotation_ends_the_token_the_first_left_running(alice_client, firm_a, account_and_secret):
    account, first = account_and_secret
    second = alice_client.post(rotate_url(firm_a, account), {}).json()["token"]
    third = alice_client.post(rotate_url(firm_a, account), {}).json()["token"]
    me = f"/api/v1/firms/{firm_a.pk}/"
    assert bearer(first).get(me).status_code == 401
    assert bearer(second).get(me).status_code == 200 and bearer(third).get(me).status_code == 200
    assert AuthToken.objects.filter(user=account.user).count() == 2


def test_a_revoked_or_unknown_account_is_404(alice_client, firm_a, account_and_secret):
    account, _ = account_and_secret
    assert alice_client.delete(f"{accounts_url(firm_a)}{account.pk}/").status_code == 204
    assert alice_client.post(rotate_url(firm_a, account), {}).status_code == 404
    assert alice_client.post(f"{accounts_url(firm_a)}999999/rotate-token/", {}).status_code == 404


# --- The page -------------------------------------------------------------------------------------


def page(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("uk", ["Замінити токен", "старий діє ще 24 години", "його показано лише один раз", "попередній токен"]),
        (
            "en",
            ["Rotate the token", "the old one keeps working for 24 hours", "shown only this once", "previous token"],
        ),
    ],
)
def test_the_owner_rotates_on_the_page_and_sees_the_new_secret_once(alice, firm_a, language, texts):
    client = page(alice)
    client.post(f"/firms/{firm_a.pk}/service-accounts/", {"name": "ERP", "scopes": ["firms:read"]})
    account = ServiceAccount.objects.get()
    listing = client.get(f"/firms/{firm_a.pk}/service-accounts/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert texts[0] in listing and texts[1] in listing
    response = client.post(f"/firms/{firm_a.pk}/service-accounts/{account.pk}/rotate/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200 and texts[2] in html and texts[3] in html
    secret = html.split('id="service-account-token">', 1)[1].split("<", 1)[0]
    newest = AuthToken.objects.filter(user=account.user).order_by("-created").first()
    assert newest.digest == hash_token(secret)
    again = client.get(f"/firms/{firm_a.pk}/service-accounts/").content.decode()
    assert secret not in again


@pytest.mark.parametrize(("who", "status"), [("alice_editor", 403), ("alice_viewer", 403), ("bob", 404), ("rita", 404)])
def test_others_cannot_rotate_on_the_page(request, alice, firm_a, who, status):
    page(alice).post(f"/firms/{firm_a.pk}/service-accounts/", {"name": "ERP", "scopes": ["firms:read"]})
    account = ServiceAccount.objects.get()
    user = request.getfixturevalue(who)
    assert page(user).post(f"/firms/{firm_a.pk}/service-accounts/{account.pk}/rotate/").status_code == status
    assert AuthToken.objects.filter(user=account.user).count() == 1


def test_rotating_needs_a_post(alice, firm_a):
    page(alice).post(f"/firms/{firm_a.pk}/service-accounts/", {"name": "ERP", "scopes": ["firms:read"]})
    account = ServiceAccount.objects.get()
    assert page(alice).get(f"/firms/{firm_a.pk}/service-accounts/{account.pk}/rotate/").status_code == 405
