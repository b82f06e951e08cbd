"""Sign-up and `me`: validation errors name the field; memberships come in one query."""

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import FirmFactory, MembershipFactory

GOOD = {"username": "oksana", "email": "oksana@example.org", "password": "sunflower-field-42", "language": "uk"}


def signup(client, **changes):
    return client.post("/api/v1/auth/signup/", {**GOOD, **changes})


def test_signing_up_creates_a_plain_member_who_then_logs_in_for_a_token(anon, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(anon)
    assert response.status_code == 202, response.content
    assert set(response.json()) == {"message"}  # no token: the same answer as for a known address
    user = User.objects.get(username="oksana")
    assert (user.email, user.language) == ("oksana@example.org", "uk")
    assert user.check_password(GOOD["password"])
    assert not (user.is_reviewer or user.is_staff or user.is_superuser)
    assert [m.to for m in mail.outbox] == [["oksana@example.org"]]
    assert "/accounts/login/" in mail.outbox[0].body
    assert "oksana" in mail.outbox[0].body
    assert "/accounts/email/confirm/" in mail.outbox[0].body  # the link confirming the address

    token = anon.post("/api/v1/auth/token/", {"username": "oksana", "password": GOOD["password"]}).json()["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon.get("/api/v1/me/").json() == {
        "id": user.id,
        "username": "oksana",
        "email": "oksana@example.org",
        "email_confirmed": False,
        "pending_email": None,
        "language": "uk",
        "role": "firm_member",
        "memberships": [],
    }


@pytest.mark.parametrize("known", ["oksana@example.org", "OKSANA@Example.org"])
def test_signing_up_with_a_known_address_answers_as_a_new_one_and_emails_its_holder(
    anon, db, known, django_capture_on_commit_callbacks
):
    holder = User.objects.create_user("oksana_old", "oksana@example.org", "x-long-pass-phrase-1", language="uk")
    with django_capture_on_commit_callbacks(execute=True):
        fresh = signup(anon, username="fresh_person", email="fresh@example.org")
        known_answer = signup(anon, username="someone_else", email=known)

    assert (fresh.status_code, known_answer.status_code) == (202, 202)
    assert fresh.content == known_answer.content  # byte for byte: nothing tells the two apart
    assert not User.objects.filter(username="someone_else").exists()  # no second account
    to_holder = [m for m in mail.outbox if m.to == ["oksana@example.org"]]
    assert len(to_holder) == 1
    assert "oksana_old" in to_holder[0].body and "/accounts/password-reset/" in to_holder[0].body
    holder.refresh_from_db()
    assert holder.check_password("x-long-pass-phrase-1")  # nothing about the account changed


def test_a_username_differing_only_in_case_is_refused_naming_the_field(anon, rita):
    response = signup(anon, username="Rita")
    assert response.status_code == 400
    assert "already exists" in response.json()["error"]["fields"]["username"][0]
    assert not User.objects.filter(username="Rita").exists()


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


def test_alice_changes_her_language_without_a_password(alice_client, alice):
    response = alice_client.patch("/api/v1/me/", {"language": "uk"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.language == "uk"


def test_changing_the_email_without_the_current_password_is_refused_naming_it(alice_token, alice):
    old = alice.email
    response = alice_token.patch("/api/v1/me/", {"email": "thief@evil.example"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "password_required"
    assert "current_password" in error["fields"]
    alice.refresh_from_db()
    assert alice.email == old


def test_changing_the_email_with_a_wrong_password_is_refused(alice_token, alice):
    old = alice.email
    response = alice_token.patch("/api/v1/me/", {"email": "thief@evil.example", "current_password": "guess-1234"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "wrong_password"
    assert "not correct" in response.json()["error"]["fields"]["current_password"][0]
    alice.refresh_from_db()
    assert alice.email == old


def test_changing_the_email_with_the_password_tells_the_old_address(
    alice_token, alice, django_capture_on_commit_callbacks
):
    old = alice.email
    assert old
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_token.patch(
            "/api/v1/me/", {"email": "Alice@SkyForge.example", "current_password": "correct-horse-battery"}
        )
    assert response.status_code == 200, response.content
    # Pending until the link sent to the new address is followed (tests/accounts/test_email_confirmation.py).
    assert (response.json()["email"], response.json()["pending_email"]) == (old, "alice@skyforge.example")
    assert "current_password" not in response.json()  # write-only
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == (old, "alice@skyforge.example")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([old, "alice@skyforge.example"])
    to_old = next(m for m in mail.outbox if m.to == [old])
    assert old in to_old.body and "alice@skyforge.example" in to_old.body


def test_the_same_email_in_other_letters_needs_no_password(alice_client, alice):
    response = alice_client.patch("/api/v1/me/", {"email": alice.email.upper()})
    assert response.status_code == 200


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
