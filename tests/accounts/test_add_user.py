"""`manage.py add_user`: provisions reviewers, administrators and firm members, idempotently."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, User


def add_user(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_reviewer(db):
    output = add_user("rev", "--password", "a-long-pass-phrase-9", "--email", "rev@mil.example", "--reviewer")
    assert output.strip() == "Created rev: reviewer"
    user = User.objects.get(username="rev")
    assert user.is_reviewer and user.is_staff and not user.is_superuser
    assert user.role == "reviewer"
    assert user.check_password("a-long-pass-phrase-9")
    assert user.email == "rev@mil.example"


def test_it_creates_an_administrator(db):
    add_user("root2", "--password", "a-long-pass-phrase-9", "--admin")
    assert User.objects.get(username="root2").role == "administrator"


def test_it_makes_a_firm_owner_by_default_and_any_role_on_request(firm_a):
    assert "owner of ua-skyforge" in add_user("olena", "--password", "a-long-pass-phrase-9", "--firm", "ua-skyforge")
    add_user("ivan", "--password", "a-long-pass-phrase-9", "--firm", "ua-skyforge", "--firm-role", "viewer")
    roles = dict(Membership.objects.filter(firm=firm_a).values_list("user__username", "role"))
    assert roles == {"olena": "owner", "ivan": "viewer"}


def test_running_it_again_updates_instead_of_duplicating(firm_a):
    add_user("ivan", "--password", "a-long-pass-phrase-9", "--firm", "ua-skyforge", "--firm-role", "viewer")
    add_user("olena", "--password", "a-long-pass-phrase-9", "--firm", "ua-skyforge")
    output = add_user(
        "ivan",
        "--password",
        "another-pass-phrase-7",
        "--email",
        "i@x.example",
        "--firm",
        "ua-skyforge",
        "--firm-role",
        "editor",
    )
    assert output.startswith("Updated ivan")
    assert User.objects.filter(username="ivan").count() == 1
    ivan = User.objects.get(username="ivan")
    assert ivan.check_password("another-pass-phrase-7") and ivan.email == "i@x.example"
    assert Membership.objects.get(user=ivan).role == "editor"
    before = list(User.objects.values_list("id", "username", "email", "is_reviewer").order_by("id"))
    add_user(
        "ivan",
        "--password",
        "another-pass-phrase-7",
        "--email",
        "i@x.example",
        "--firm",
        "ua-skyforge",
        "--firm-role",
        "editor",
    )
    assert list(User.objects.values_list("id", "username", "email", "is_reviewer").order_by("id")) == before


def test_an_unknown_firm_ref_is_a_clear_error_and_creates_nobody(db):
    with pytest.raises(CommandError, match="Unknown firm ref 'no-such-firm'"):
        add_user("ivan", "--password", "a-long-pass-phrase-9", "--firm", "no-such-firm")
    assert not User.objects.filter(username="ivan").exists()


def test_a_weak_password_names_the_rule(db):
    with pytest.raises(CommandError, match="password: .*too short"):
        add_user("ivan", "--password", "short", "--reviewer")


def test_demoting_the_last_owner_is_refused(alice, firm_a):
    with pytest.raises(CommandError, match="role: the last owner cannot be demoted or removed"):
        add_user("alice", "--password", "a-long-pass-phrase-9", "--firm", "ua-skyforge", "--firm-role", "viewer")
    assert Membership.objects.get(user=alice).role == "owner"


@pytest.mark.parametrize(
    "args",
    [
        ["ivan", "--password", "a-long-pass-phrase-9"],  # no role at all
        ["ivan", "--password", "a-long-pass-phrase-9", "--reviewer", "--firm", "ua-skyforge"],
        ["ivan", "--password", "a-long-pass-phrase-9", "--reviewer", "--admin"],
        ["ivan", "--reviewer"],  # no password
        ["ivan", "--password", "a-long-pass-phrase-9", "--firm", "ua-skyforge", "--firm-role", "boss"],
    ],
)
def test_flags_are_checked_by_argparse(db, args):
    with pytest.raises(CommandError):
        add_user(*args)


def test_firm_role_without_firm_is_refused(db):
    with pytest.raises(CommandError, match="--firm-role needs --firm"):
        add_user("ivan", "--password", "a-long-pass-phrase-9", "--admin", "--firm-role", "viewer")
