"""Service accounts: a firm owner's scoped API tokens (accounts/services.py, core/permissions.py).

Owners (and administrators) create, list and revoke them; editors, viewers and reviewers get 403,
outsiders 404, anonymous 401. A scoped token reaches only its scopes (403 naming the missing one);
a revoked token is 401; the secret is shown once and stored hashed.
"""

import pytest
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import Membership, ServiceAccount
from core.permissions import SCOPES_BY_URL_NAME, TokenScope
from review.services import workflow as review

pytestmark = pytest.mark.django_db


def url(firm) -> str:
    return f"/api/v1/firms/{firm.pk}/service-accounts/"


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def create(client, firm, scopes, name="ERP integration"):
    return client.post(url(firm), {"name": name, "scopes": scopes})


@pytest.fixture
def approved(proposal_ab, rita):
    return review.proposal_approve(proposal=proposal_ab, reviewer=rita)


# --- Who may manage them ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("alice_client", 201),
        ("adam_client", 201),
        ("alice_token", 201),
        ("alice_editor_client", 403),
        ("alice_viewer_client", 403),
        ("rita_client", 403),
        ("bob_client", 404),
        ("anon", 401),
    ],
    indirect=["persona"],
)
def test_only_owners_and_administrators_create_service_accounts(persona, status, firm_a):
    response = create(persona, firm_a, ["proposals:read"])
    assert response.status_code == status, response.content
    assert ServiceAccount.objects.filter(firm=firm_a).count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("alice_client", 200),
        ("adam_client", 200),
        ("alice_editor_client", 403),
        ("alice_viewer_client", 403),
        ("rita_client", 403),
        ("bob_client", 404),
        ("anon", 401),
    ],
    indirect=["persona"],
)
def test_only_owners_and_administrators_list_service_accounts(persona, status, firm_a, alice_client):
    create(alice_client, firm_a, ["proposals:read"])
    response = persona.get(url(firm_a))
    assert response.status_code == status
    if status == 200:
        assert [a["name"] for a in response.json()["results"]] == ["ERP integration"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("alice_editor_client", 403),
        ("alice_viewer_client", 403),
        ("rita_client", 403),
        ("bob_client", 404),
        ("anon", 401),
        ("adam_client", 204),
        ("alice_client", 204),
    ],
    indirect=["persona"],
)
def test_only_owners_and_administrators_revoke_service_accounts(persona, status, firm_a, alice_client):
    account_id = create(alice_client, firm_a, ["proposals:read"]).json()["id"]
    response = persona.delete(f"{url(firm_a)}{account_id}/")
    assert response.status_code == status
    assert ServiceAccount.objects.get(pk=account_id).revoked_at is not None if status == 204 else True


def test_the_secret_is_shown_once_and_stored_hashed(alice_client, firm_a):
    body = create(alice_client, firm_a, ["proposals:read", "firms:read"]).json()
    secret = body["token"]
    assert body["scopes"] == ["firms:read", "proposals:read"]
    assert secret.startswith(body["token_id"])
    account = ServiceAccount.objects.get(pk=body["id"])
    token = AuthToken.objects.get(user=account.user)
    assert token.digest == hash_token(secret)
    assert secret not in {token.digest, token.token_key}
    assert not account.user.has_usable_password()
    listed = alice_client.get(url(firm_a)).json()["results"][0]
    assert "token" not in listed and secret not in str(listed)
    assert listed["token_id"] == body["token_id"] and listed["expiry"] and listed["last_used_at"] is None
    # The account is not one of the firm's people: not in the members list, never the last owner.
    members = alice_client.get(f"/api/v1/firms/{firm_a.pk}/members/").json()["results"]
    assert [m["username"] for m in members] == ["alice"]


def test_unknown_scope_and_empty_name_are_400_naming_the_field(alice_client, firm_a):
    response = create(alice_client, firm_a, ["proposals:delete"])
    assert response.status_code == 400
    assert "scopes" in str(response.json()["error"]["fields"])
    response = create(alice_client, firm_a, [])
    assert response.status_code == 400 and "scopes" in str(response.json()["error"]["fields"])
    response = create(alice_client, firm_a, ["firms:read"], name="")
    assert response.status_code == 400 and "name" in response.json()["error"]["fields"]
    create(alice_client, firm_a, ["firms:read"], name="ERP")
    response = create(alice_client, firm_a, ["firms:read"], name="erp")
    assert response.status_code == 400 and "name" in response.json()["error"]["fields"]


# --- What a scoped token may do --------------------------------------------------------------


def test_a_read_token_reads_proposals_and_is_refused_accept_naming_the_scope(alice_client, firm_a, approved):
    secret = create(alice_client, firm_a, ["proposals:read"]).json()["token"]
    client = bearer(secret)
    listed = client.get("/api/v1/proposals/")
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["results"]] == [approved.pk]
    refused = client.post(f"/api/v1/proposals/{approved.pk}/accept/", {"firm": firm_a.pk})
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "insufficient_scope"
    assert error["required_scope"] == "proposals:write"
    assert "proposals:write" in error["message"]
    # Outside every scope it holds: the firm profile needs firms:read.
    firm = client.get(f"/api/v1/firms/{firm_a.pk}/")
    assert firm.status_code == 403 and firm.json()["error"]["required_scope"] == "firms:read"


def test_a_write_token_accepts_a_proposal(alice_client, firm_a, approved):
    secret = create(alice_client, firm_a, ["proposals:read", "proposals:write"]).json()["token"]
    response = bearer(secret).post(f"/api/v1/proposals/{approved.pk}/accept/", {"firm": firm_a.pk})
    assert response.status_code == 200, response.content


def test_a_scoped_token_cannot_manage_tokens_members_or_service_accounts(alice_client, firm_a):
    every_scope = list(TokenScope.values)
    client = bearer(create(alice_client, firm_a, every_scope).json()["token"])
    for method, path in [
        ("get", "/api/v1/auth/tokens/"),
        ("get", f"/api/v1/firms/{firm_a.pk}/members/"),
        ("post", f"/api/v1/firms/{firm_a.pk}/invitations/"),
        ("get", url(firm_a)),
        ("post", url(firm_a)),
        ("post", "/api/v1/firms/"),
    ]:
        response = getattr(client, method)(path, {})
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "insufficient_scope"
    assert client.get("/api/v1/me/").status_code == 200
    assert client.patch("/api/v1/me/", {"language": "uk"}).status_code == 403


def test_reviewer_endpoints_stay_closed_to_scoped_tokens(alice_client, firm_a):
    client = bearer(create(alice_client, firm_a, list(TokenScope.values)).json()["token"])
    assert client.get("/api/v1/screening/").status_code == 403
    assert client.get("/api/v1/match-runs/").status_code == 403


def test_webhooks_manage_scope_reaches_the_webhooks_api(alice_client, firm_a):
    client = bearer(create(alice_client, firm_a, ["webhooks:manage"]).json()["token"])
    assert client.get(f"/api/v1/firms/{firm_a.pk}/webhooks/").status_code == 200
    other = bearer(create(alice_client, firm_a, ["firms:read"], name="other").json()["token"])
    response = other.get(f"/api/v1/firms/{firm_a.pk}/webhooks/")
    assert response.status_code == 403 and response.json()["error"]["required_scope"] == "webhooks:manage"


def test_a_scoped_token_sees_only_its_own_firm(alice_client, firm_a, firm_b):
    client = bearer(create(alice_client, firm_a, ["firms:read", "firms:write"]).json()["token"])
    assert client.get(f"/api/v1/firms/{firm_a.pk}/").status_code == 200
    assert client.patch(f"/api/v1/firms/{firm_b.pk}/", {"website": "https://x.example"}).status_code in (403, 404)


def test_people_keep_full_access_with_their_own_token(alice_token, firm_a):
    assert alice_token.get(f"/api/v1/firms/{firm_a.pk}/members/").status_code == 200
    assert alice_token.get("/api/v1/auth/tokens/").status_code == 200


def test_revoked_token_is_401_and_last_use_is_recorded(alice_client, firm_a):
    body = create(alice_client, firm_a, ["firms:read"]).json()
    client = bearer(body["token"])
    assert client.get(f"/api/v1/firms/{firm_a.pk}/").status_code == 200
    assert ServiceAccount.objects.get(pk=body["id"]).last_used_at is not None
    assert alice_client.delete(f"{url(firm_a)}{body['id']}/").status_code == 204
    assert client.get(f"/api/v1/firms/{firm_a.pk}/").status_code == 401
    assert alice_client.get(url(firm_a)).json()["results"] == []
    assert not Membership.objects.filter(user__service_account__pk=body["id"]).exists()
    assert alice_client.delete(f"{url(firm_a)}{body['id']}/").status_code == 404


def test_the_scope_map_names_only_known_scopes_and_endpoints():
    from django.urls import get_resolver

    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    for url_name, pair in SCOPES_BY_URL_NAME.items():
        assert url_name in names, url_name
        for scope in pair:
            assert scope is None or scope == "" or scope in TokenScope.values


def test_the_list_costs_the_same_queries_for_one_account_or_many(alice_client, firm_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    create(alice_client, firm_a, ["firms:read"], name="one")
    with CaptureQueriesContext(connection) as one:
        alice_client.get(url(firm_a))
    for i in range(5):
        create(alice_client, firm_a, ["firms:read"], name=f"more {i}")
    with CaptureQueriesContext(connection) as six:
        assert len(alice_client.get(url(firm_a)).json()["results"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries) <= 12


def test_a_scoped_token_costs_one_query_more_than_a_persons(alice_client, firm_a, django_assert_max_num_queries):
    client = bearer(create(alice_client, firm_a, ["firms:read"]).json()["token"])
    client.get("/api/v1/me/")  # records last use; the next calls within the minute write nothing
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/me/").status_code == 200
