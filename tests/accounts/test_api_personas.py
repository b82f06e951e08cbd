"""Every accounts endpoint tried by every persona, with the status each must get."""

import pytest
from knox.models import AuthToken

from accounts import services
from accounts.models import Invitation, Membership, User
from tests.conftest import PERSONAS
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password


def expect(table: dict, persona: str) -> int:
    return table[persona]


@pytest.fixture
def carol(firm_a):
    """A viewer of firm A that owners act on in the member tests."""
    return MembershipFactory(user=UserFactory(username="carol"), firm=firm_a, role="viewer")


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_anyone_may_log_in_with_a_password(persona, alice, request):
    response = persona.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_anyone_may_sign_up(persona, db, request):
    name = f"new_{request.node.callspec.id}"
    response = persona.post(
        "/api/v1/auth/signup/", {"username": name, "email": f"{name}@example.org", "password": "a-long-pass-phrase-9"}
    )
    assert response.status_code == 202, response.content
    assert User.objects.filter(username=name).exists()


LIST_TOKENS = dict.fromkeys(PERSONAS, 200) | {"anon": 401}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_list_tokens(persona, request):
    response = persona.get("/api/v1/auth/tokens/")
    assert response.status_code == LIST_TOKENS[request.node.callspec.params["persona"]]


REVOKE_ALICES_TOKEN = dict.fromkeys(PERSONAS, 404) | {"anon": 401, "alice_client": 204, "alice_token": 204}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_revoke_alices_token(persona, alice, request):
    token, _ = AuthToken.objects.create(user=alice)
    response = persona.delete(f"/api/v1/auth/tokens/{token.token_key}/")
    assert response.status_code == REVOKE_ALICES_TOKEN[request.node.callspec.params["persona"]]
    assert AuthToken.objects.filter(pk=token.pk).exists() == (response.status_code != 204)


LOGOUT = dict.fromkeys(PERSONAS, 204) | {"anon": 401}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_logout(persona, request):
    assert persona.post("/api/v1/auth/logout/").status_code == LOGOUT[request.node.callspec.params["persona"]]


ME = dict.fromkeys(PERSONAS, 200) | {"anon": 401}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_me(persona, request):
    expected = ME[request.node.callspec.params["persona"]]
    assert persona.get("/api/v1/me/").status_code == expected
    assert persona.patch("/api/v1/me/", {"language": "uk"}).status_code == expected


LIST_MEMBERS = dict.fromkeys(PERSONAS, 200) | {"anon": 401, "bob_client": 404}
# Owners and administrators manage members; other members and reviewers may only look.
MANAGE = {
    "anon": 401,
    "alice_client": "ok",
    "alice_token": "ok",
    "adam_client": "ok",
    "alice_editor_client": 403,
    "alice_viewer_client": 403,
    "rita_client": 403,
    "bob_client": 404,
}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_list_members_of_firm_a(persona, firm_a, request):
    response = persona.get(f"/api/v1/firms/{firm_a.id}/members/")
    assert response.status_code == LIST_MEMBERS[request.node.callspec.params["persona"]]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_nobody_adds_a_member_by_username_any_more(persona, firm_a, alice, request):
    UserFactory(username="dave")
    response = persona.post(f"/api/v1/firms/{firm_a.id}/members/", {"username": "dave", "role": "editor"})
    expected = {"anon": 401}.get(request.node.callspec.params["persona"], 405)
    assert response.status_code == expected, response.content
    assert not Membership.objects.filter(user__username="dave").exists()


INVITE = {k: (201 if v == "ok" else v) for k, v in MANAGE.items()}
INVITE["rita_client"] = 403  # reviewers may look at members, not invite


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_invite_to_firm_a(persona, firm_a, alice, request):
    response = persona.post(f"/api/v1/firms/{firm_a.id}/invitations/", {"email": "dave@example.org", "role": "editor"})
    expected = INVITE[request.node.callspec.params["persona"]]
    assert response.status_code == expected, response.content
    assert Invitation.objects.filter(firm=firm_a).exists() == (expected == 201)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_list_invitations_of_firm_a(persona, firm_a, alice, request):
    services.invitation_create(firm=firm_a, actor=alice, email="dave@example.org", role="editor")
    response = persona.get(f"/api/v1/firms/{firm_a.id}/invitations/")
    expected = {k: (200 if v == "ok" else v) for k, v in MANAGE.items()}[request.node.callspec.params["persona"]]
    assert response.status_code == expected, response.content
    if expected == 200:
        assert [i["email"] for i in response.json()["results"]] == ["dave@example.org"]
    else:
        assert "dave@example.org" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_revoke_an_invitation_of_firm_a(persona, firm_a, alice, request):
    invitation = services.invitation_create(firm=firm_a, actor=alice, email="dave@example.org", role="editor")
    response = persona.delete(f"/api/v1/firms/{firm_a.id}/invitations/{invitation.id}/")
    expected = {k: (204 if v == "ok" else v) for k, v in MANAGE.items()}[request.node.callspec.params["persona"]]
    assert response.status_code == expected, response.content
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) == (expected == 204)


# Only the account using the invited address (bob's, here) joins; every other account holding the
# link is refused without a change, and the invitation stays open for bob.
ACCEPT = dict.fromkeys(PERSONAS, 403) | {"anon": 401, "bob_client": 201}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_accept_an_invitation_to_firm_a(persona, firm_a, alice, bob, request, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(firm=firm_a, actor=alice, email="Bob@Example.org", role="owner")
    token = mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]
    response = persona.post("/api/v1/invitations/accept/", {"token": token})
    expected = ACCEPT[request.node.callspec.params["persona"]]
    assert response.status_code == expected, response.content
    invitation.refresh_from_db()
    assert (invitation.accepted_by_id is not None) == (expected == 201)
    if expected == 201:
        assert response.json()["firm_id"] == firm_a.id and response.json()["role"] == "owner"
    if expected == 403:
        error = response.json()["error"]
        assert error["code"] == "invitation_other_address" and "token" in error["fields"]
        assert "b***@example.org" in error["message"] and "bob@" not in error["message"].lower()
        assert not Membership.objects.filter(firm=firm_a, user__is_staff=True).exists()


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_change_a_members_role_in_firm_a(persona, firm_a, alice, carol, request):
    response = persona.patch(f"/api/v1/firms/{firm_a.id}/members/{carol.id}/", {"role": "editor"})
    expected = MANAGE[request.node.callspec.params["persona"]]
    assert response.status_code == (200 if expected == "ok" else expected), response.content
    carol.refresh_from_db()
    assert carol.role == ("editor" if expected == "ok" else "viewer")


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_remove_a_member_of_firm_a(persona, firm_a, alice, carol, request):
    response = persona.delete(f"/api/v1/firms/{firm_a.id}/members/{carol.id}/")
    expected = MANAGE[request.node.callspec.params["persona"]]
    assert response.status_code == (204 if expected == "ok" else expected), response.content


def test_an_unknown_firm_is_404_for_everyone(rita_client, adam_client):
    assert rita_client.get("/api/v1/firms/999999/members/").status_code == 404
    assert (
        adam_client.post("/api/v1/firms/999999/invitations/", {"email": "x@example.org", "role": "viewer"}).status_code
        == 404
    )
    assert adam_client.get("/api/v1/firms/999999/invitations/").status_code == 404


def test_anonymous_401_names_the_bearer_scheme(anon):
    response = anon.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"
