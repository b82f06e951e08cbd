"""Invitations: owners invite by email; only the person with the emailed link learns anything.

Every persona on every endpoint is in test_api_personas.py and the security matrix; here the rules.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership
from tests.factories import UserFactory


def invitations_url(firm, invitation=None) -> str:
    base = f"/api/v1/firms/{firm.id}/invitations/"
    return f"{base}{invitation.id}/" if invitation else base


def _token(message) -> str:
    return re.search(r"/invitations/([\w-]+)/", message.body).group(1)


@pytest.fixture
def invite(alice_client, firm_a, django_capture_on_commit_callbacks):
    """POST an invitation as alice; the email is sent (on commit) before it returns."""

    def post(email: str, role: str = "editor"):
        with django_capture_on_commit_callbacks(execute=True):
            return alice_client.post(invitations_url(firm_a), {"email": email, "role": role})

    return post


def _without_ids_and_times(body: bytes) -> str:
    text = body.decode()
    text = re.sub(r'"id":\d+', '"id":0', text)
    return re.sub(r'"\d{4}-\d\d-\d\dT[^"]+"', '"T"', text)


def test_an_invitation_shows_what_the_owner_typed_and_when_it_expires(invite, firm_a):
    response = invite("Dave.Smith@Example.org")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "email", "role", "created_at", "expires_at"}
    assert (body["email"], body["role"]) == ("Dave.Smith@Example.org", "editor")
    invitation = Invitation.objects.get(pk=body["id"])
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=7)) < timedelta(minutes=1)
    assert not Membership.objects.filter(firm=firm_a, user__email__iexact="dave.smith@example.org").exists()


def test_a_known_an_unknown_and_a_member_address_get_the_same_answer(invite, alice_viewer):
    UserFactory(username="known", email="known@example.org")
    known = invite("known@example.org")
    unknown = invite("known@example.org".replace("known", "nobody"))
    member = invite(alice_viewer.email)
    assert {known.status_code, unknown.status_code, member.status_code} == {201}
    shapes = {
        _without_ids_and_times(r.content.replace(b"known", b"X").replace(b"nobody", b"X")) for r in (known, unknown)
    }
    assert len(shapes) == 1
    assert set(member.json()) == set(known.json())
    assert len(mail.outbox) == 3  # every address gets its link, account or not


def test_the_email_carries_the_link_in_the_recipients_language(invite, firm_a, settings):
    settings.SITE_URL = "https://alliance.example"
    UserFactory(username="mykola", email="mykola@example.org", language="uk")
    invite("Mykola@Example.org")
    invite("stranger@example.org")
    to_mykola, to_stranger = mail.outbox
    assert to_mykola.to == ["Mykola@Example.org"]
    assert f"https://alliance.example/invitations/{_token(to_mykola)}/" in to_mykola.body
    assert firm_a.name in to_mykola.subject
    assert "Запрошення" in to_mykola.subject  # Ukrainian: Mykola reads Ukrainian
    assert to_stranger.subject.startswith("Invitation")  # the site's default language
    assert "alice" in to_stranger.body and "Editor" in to_stranger.body


def test_the_invited_person_accepts_once_and_joins_with_the_role(invite, firm_a, bob_client, bob):
    invite("bob@example.org", role="viewer")
    token = _token(mail.outbox[0])
    response = bob_client.post("/api/v1/invitations/accept/", {"token": token})
    assert response.status_code == 201, response.content
    assert response.json() == {
        "firm_id": firm_a.id,
        "ref": firm_a.ref,
        "name": firm_a.name,
        "side": firm_a.side,
        "status": firm_a.status,
        "role": "viewer",
    }
    assert Membership.objects.get(firm=firm_a, user=bob).role == "viewer"
    again = bob_client.post("/api/v1/invitations/accept/", {"token": token})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invitation_invalid"
    assert "token" in again.json()["error"]["fields"]


def test_a_revoked_invitation_link_stops_working(invite, alice_client, firm_a, bob_client):
    created = invite("bob@example.org").json()
    assert [i["id"] for i in alice_client.get(invitations_url(firm_a)).json()["results"]] == [created["id"]]
    assert alice_client.delete(f"{invitations_url(firm_a)}{created['id']}/").status_code == 204
    assert alice_client.get(invitations_url(firm_a)).json()["results"] == []
    assert alice_client.delete(f"{invitations_url(firm_a)}{created['id']}/").status_code == 404  # already revoked
    response = bob_client.post("/api/v1/invitations/accept/", {"token": _token(mail.outbox[0])})
    assert response.status_code == 400


def test_inviting_an_address_again_replaces_the_old_link(invite, bob_client, firm_a):
    invite("bob@example.org")
    invite("BOB@Example.org", role="viewer")
    old, new = (_token(m) for m in mail.outbox)
    assert bob_client.post("/api/v1/invitations/accept/", {"token": old}).status_code == 400
    assert bob_client.post("/api/v1/invitations/accept/", {"token": new}).status_code == 201
    assert Invitation.objects.filter(firm=firm_a, accepted_at__isnull=True, revoked_at__isnull=True).count() == 0


def test_an_expired_invitation_link_is_refused(invite, bob_client):
    invite("bob@example.org")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bob_client.post("/api/v1/invitations/accept/", {"token": _token(mail.outbox[0])})
    assert response.status_code == 400
    assert "expired" in response.json()["error"]["message"]


@pytest.mark.parametrize("token", ["", "x" * 201, "not-a-real-token", "../../etc"])
def test_a_made_up_token_is_refused_naming_the_field(bob_client, firm_a, token):
    response = bob_client.post("/api/v1/invitations/accept/", {"token": token})
    assert response.status_code == 400
    assert "token" in response.json()["error"]["fields"]


def test_a_member_accepting_again_is_a_conflict_and_keeps_their_role(invite, alice_viewer_client, alice_viewer):
    invite(alice_viewer.email, role="owner")
    response = alice_viewer_client.post("/api/v1/invitations/accept/", {"token": _token(mail.outbox[0])})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_member"
    assert Membership.objects.get(user=alice_viewer).role == "viewer"


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"email": "not-an-email", "role": "viewer"}, "email", "valid email"),
        ({"email": "a@example.org", "role": "boss"}, "role", "not a valid choice"),
        ({"role": "viewer"}, "email", "required"),
        ({"email": "a@example.org", "role": "viewer", "username": "dave"}, "username", "unknown field"),
    ],
)
def test_invitation_errors_name_the_field_and_the_rule(alice_client, firm_a, body, field, rule):
    response = alice_client.post(invitations_url(firm_a), body)
    assert response.status_code == 400
    messages = response.json()["error"]["fields"][field]
    assert any(rule in m.lower() for m in messages), messages
    assert not Invitation.objects.exists()


def test_the_invitation_list_query_count_does_not_grow(alice_client, alice, firm_a, django_assert_max_num_queries):
    services.invitation_create(firm=firm_a, actor=alice, email="one@example.org", role="viewer")
    with django_assert_max_num_queries(20) as few:
        alice_client.get(invitations_url(firm_a))
    for n in range(10):
        services.invitation_create(firm=firm_a, actor=alice, email=f"p{n}@example.org", role="viewer")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert alice_client.get(invitations_url(firm_a)).json()["count"] == 11
