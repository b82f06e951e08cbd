"""Sign-up and `me`: validation errors name the field; memberships come in one query."""

import pytest

from accounts.models import User
from tests.factories import FirmFactory, MembershipFactory

GOOD = {"username": "oksana", "email": "oksana@example.org", "password": "sunflower-field-42", "language": "uk"}


def signup(client, **changes):
    return client.post("/api/v1/auth/signup/", {**GOOD, **changes})


def test_signing_up_creates_a_plain_member_and_returns_a_working_token(anon, db):
    response = signup(anon)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"] == {
        "id": User.objects.get(username="oksana").id,
        "username": "oksana",
        "email": "oksana@example.org",
        "language": "uk",
        "role": "firm_member",
        "memberships": [],
    }
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert anon.get("/api/v1/me/").json()["username"] == "oksana"
    user = User.objects.get(username="oksana")
    assert user.check_password(GOOD["password"])
    assert not (user.is_reviewer or user.is_staff or user.is_superuser)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"password": "short"}, "password", "too short"),
        ({"password": "password123"}, "password", "too common"),
        ({"password": "4815162342108"}, "password", "entirely numeric"),
        ({"password": "oksana2026x"}, "password", "too similar"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"username": "has space!"}, "username", "Enter a valid username"),
        ({"username": ""}, "username", "may not be blank"),
        ({"language": "ru"}, "language", "not a valid choice"),
        ({"is_reviewer": True}, "is_reviewer", "Unknown field"),
    ],
)
def test_signup_errors_name_the_field_and_the_rule(anon, db, changes, field, rule):
    response = signup(anon, **changes)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert any(rule.lower() in message.lower() for message in error["fields"][field]), error
    assert not User.objects.filter(username="oksana").exists()


def test_a_taken_username_is_refused(anon, alice):
    response = signup(anon, username="alice")
    assert response.status_code == 400
    assert "already exists" in response.json()["error"]["fields"]["username"][0]


def test_missing_fields_are_all_named(anon, db):
    response = anon.post("/api/v1/auth/signup/", {})
    assert set(response.json()["error"]["fields"]) == {"username", "email", "password"}


def test_me_lists_alices_memberships(alice_client, alice, firm_a):
    other = FirmFactory(ref="ua-second", name="Another Works", status="pending")
    MembershipFactory(user=alice, firm=other, role="viewer")
    body = alice_client.get("/api/v1/me/").json()
    assert body["role"] == "firm_member"
    assert body["memberships"] == [
        {"firm_id": other.id, "ref": "ua-second", "name": "Another Works", "side": "ua", "status": "pending", "role": "viewer"},
        {"firm_id": firm_a.id, "ref": "ua-skyforge", "name": "SkyForge Robotics LLC", "side": "ua", "status": "verified", "role": "owner"},
    ]  # fmt: skip


def test_me_shows_the_role_of_reviewers_and_administrators(rita_client, adam_client):
    assert rita_client.get("/api/v1/me/").json()["role"] == "reviewer"
    assert adam_client.get("/api/v1/me/").json()["role"] == "administrator"


def test_me_query_count_does_not_grow_with_memberships(alice_client, alice, django_assert_max_num_queries):
    for n in range(8):
        MembershipFactory(user=alice, firm=FirmFactory(ref=f"ua-extra-{n}"), role="viewer")
    with django_assert_max_num_queries(1):
        body = alice_client.get("/api/v1/me/").json()
    assert len(body["memberships"]) == 9


def test_alice_changes_her_language_and_email(alice_client, alice):
    response = alice_client.patch("/api/v1/me/", {"language": "uk", "email": "alice@skyforge.example"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert (alice.language, alice.email) == ("uk", "alice@skyforge.example")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"language": "de"}, "language"), ({"email": "nope"}, "email"), ({"role": "reviewer"}, "role"), ({"is_superuser": True}, "is_superuser"), ({"username": "eve"}, "username")],
)  # fmt: skip
def test_me_cannot_be_changed_beyond_language_and_email(alice_client, alice, body, field):
    response = alice_client.patch("/api/v1/me/", body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    alice.refresh_from_db()
    assert not alice.is_superuser and alice.username == "alice"
