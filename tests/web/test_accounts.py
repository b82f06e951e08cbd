"""Account pages of the security review (section 4): one sign-up rule set with the API, a password
change or reset ends the API tokens, the members page with invitations, the invitation link."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Invitation, Membership, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = "Vyshyvanka-2024!"
RIGHT = "correct-horse-battery"  # tests/factories.py UserFactory password
LANGUAGES = ["en", "uk"]


def _bearer(user) -> APIClient:
    _, secret = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _page(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- Sign-up: the API's rules, nothing told about who is registered ----------------------------


def _without_csrf(page: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def _sign_up(client, language="en", **changes):
    data = {"username": "olena", "email": "olena@example.org", "password1": GOOD, "password2": GOOD, **changes}
    return client.post(reverse("web:signup"), data, HTTP_ACCEPT_LANGUAGE=language, follow=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_known_address_gets_the_same_page_as_a_new_one_and_its_holder_an_email(
    language, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = _sign_up(Client(), language)
        known = _sign_up(Client(), language, username="someone_else", email=alice.email.upper())

    assert fresh.status_code == known.status_code == 200
    assert fresh.redirect_chain == known.redirect_chain == [(reverse("web:signup_done"), 302)]
    assert _without_csrf(fresh.content) == _without_csrf(known.content)
    page = known.content.decode()
    assert ("Перевірте пошту" if language == "uk" else "Check your email") in page
    assert "already exists" not in page and "вже існує" not in page
    assert not User.objects.filter(username="someone_else").exists()
    to_alice = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(to_alice) == 1 and "/accounts/password-reset/" in to_alice[0].body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_username_differing_only_in_case_is_refused_by_the_form_as_by_the_api(language, rita):
    response = _sign_up(Client(), language, username="RITA")
    assert response.status_code == 200 and response.redirect_chain == []
    assert "username" in response.context["form"].errors
    api = APIClient().post(
        "/api/v1/auth/signup/", {"username": "RITA", "email": "r2@example.org", "password": GOOD}, format="json"
    )
    assert api.status_code == 400 and "username" in api.json()["error"]["fields"]


def test_sign_up_from_an_invitation_link_comes_back_to_it(alice, firm_a):
    target = "/invitations/some-token/"
    page = Client().get(f"{reverse('web:signup')}?next={target}").content.decode()
    assert f'name="next" value="{target}"' in page
    response = _sign_up(Client(), next=target)
    assert response.redirect_chain[0][0] == f"{reverse('web:signup_done')}?next=%2Finvitations%2Fsome-token%2F"
    assert f"{reverse('web:login')}?next=%2Finvitations%2Fsome-token%2F" in response.content.decode()
    # Only our own pages: another site is dropped.
    response = _sign_up(Client(), username="olena2", email="o2@example.org", next="https://evil.example/")
    assert response.redirect_chain[0][0] == reverse("web:signup_done")


# --- A new password ends the API tokens ---------------------------------------------------------


def test_after_a_web_password_reset_an_old_bearer_token_is_refused(alice):
    stolen = _bearer(alice)
    assert stolen.get("/api/v1/me/").status_code == 200
    browser = Client()
    browser.post(reverse("web:password_reset"), {"email": alice.email})
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = browser.get(link)["Location"]
    assert browser.post(form_url, {"new_password1": GOOD, "new_password2": GOOD}).status_code == 302

    assert stolen.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(user=alice).exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_changing_the_password_keeps_this_session_and_ends_the_others_and_the_tokens(language, alice):
    stolen = _bearer(alice)
    other_session = _page(alice)
    browser = _page(alice)
    page = browser.get(reverse("web:password_change"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    assert ("Змініть пароль" if language == "uk" else "Change your password") in page.content.decode()

    response = browser.post(
        reverse("web:password_change"),
        {"current_password": RIGHT, "new_password": GOOD, "new_password2": GOOD},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(GOOD)
    assert browser.get(reverse("web:notifications")).status_code == 200  # still signed in here
    assert other_session.get(reverse("web:notifications")).status_code == 302  # signed out elsewhere
    assert stolen.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"current_password": "wrong-password"}, "current_password"),
        ({"new_password": "short", "new_password2": "short"}, "new_password"),
        ({"new_password2": GOOD + "x"}, "new_password2"),
    ],
)
def test_a_refused_password_change_names_the_field_and_changes_nothing(alice, data, field):
    token = _bearer(alice)
    payload = {"current_password": RIGHT, "new_password": GOOD, "new_password2": GOOD, **data}
    response = _page(alice).post(reverse("web:password_change"), payload)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(RIGHT)
    assert token.get("/api/v1/me/").status_code == 200


def test_the_password_page_is_for_signed_in_people():
    response = Client().get(reverse("web:password_change"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_an_administrator_setting_a_password_ends_the_persons_tokens(adam, alice):
    stolen = _bearer(alice)
    url = reverse("admin:auth_user_password_change", args=[alice.pk])  # Django names it so for any user model
    response = _page(adam).post(url, {"password1": GOOD, "password2": GOOD, "usable_password": "true"})
    assert response.status_code == 302, response.content[:500]
    alice.refresh_from_db()
    assert alice.check_password(GOOD)
    assert stolen.get("/api/v1/me/").status_code == 401


# --- The members page: owners invite and withdraw ------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("persona", "status", "manages"),
    [
        ("alice", 200, True),
        ("alice_editor", 200, False),
        ("alice_viewer", 200, False),
        ("bob", 404, False),
        ("rita", 404, False),
        ("adam", 404, False),
        (None, 302, False),
    ],
)
def test_the_members_page_by_persona(request, firm_a, alice, persona, status, manages, language):
    services.invitation_create(firm=firm_a, actor=alice, email="pending.person@example.org", role="editor")
    user = request.getfixturevalue(persona) if persona else None
    response = _page(user).get(reverse("web:firm_members", args=[firm_a.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == status
    if status != 200:
        assert b"pending.person" not in response.content
        return
    page = response.content.decode()
    assert ("Учасники" if language == "uk" else "Members") in page
    assert "alice" in page
    assert ("pending.person@example.org" in page) == manages  # open invitations: owners only
    assert (alice.email in page) == manages  # members' addresses: owners only
    assert ('name="email"' in page) == manages
    if manages:
        assert ("Надіслати запрошення" if language == "uk" else "Send the invitation") in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_alice_invites_someone_from_the_members_page(alice, firm_a, language, django_capture_on_commit_callbacks):
    browser = _page(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("web:firm_members", args=[firm_a.pk]),
            {"email": "new.person@example.org", "role": "viewer"},
            HTTP_ACCEPT_LANGUAGE=language,
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "new.person@example.org" in page
    assert ("Запрошення надіслано" if language == "uk" else "An invitation was sent") in page
    assert mail.outbox[0].to == ["new.person@example.org"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_invitation_names_the_field(alice, firm_a, language):
    response = _page(alice).post(
        reverse("web:firm_members", args=[firm_a.pk]),
        {"email": "not-an-email", "role": "chief"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "role"}
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("persona", ["alice_editor", "alice_viewer"])
def test_other_members_cannot_invite_or_withdraw(request, alice, firm_a, persona):
    invitation = services.invitation_create(firm=firm_a, actor=alice, email="x@example.org", role="viewer")
    browser = _page(request.getfixturevalue(persona))
    url = reverse("web:firm_members", args=[firm_a.pk])
    assert browser.post(url, {"email": "y@example.org", "role": "owner"}).status_code == 403
    revoke = reverse("web:firm_invitation_revoke", args=[firm_a.pk, invitation.pk])
    assert browser.post(revoke).status_code == 403
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_outsiders_get_404_on_the_members_page_and_its_forms(bob, alice, firm_a):
    invitation = services.invitation_create(firm=firm_a, actor=alice, email="x@example.org", role="viewer")
    browser = _page(bob)
    assert browser.post(reverse("web:firm_members", args=[firm_a.pk]), {"email": "y@example.org"}).status_code == 404
    assert browser.post(reverse("web:firm_invitation_revoke", args=[firm_a.pk, invitation.pk])).status_code == 404
    assert Client().post(reverse("web:firm_invitation_revoke", args=[firm_a.pk, invitation.pk])).status_code == 302


def test_alice_withdraws_an_invitation(alice, firm_a):
    invitation = services.invitation_create(firm=firm_a, actor=alice, email="x@example.org", role="viewer")
    response = _page(alice).post(reverse("web:firm_invitation_revoke", args=[firm_a.pk, invitation.pk]), follow=True)
    assert response.status_code == 200
    assert "x@example.org" not in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


# --- The invitation link ------------------------------------------------------------------------


@pytest.fixture
def link(alice, firm_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(firm=firm_a, actor=alice, email="dmytro@example.org", role="editor")
    return re.search(r"http://127\.0\.0\.1:8000(/invitations/[\w-]+/)", mail.outbox[-1].body).group(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_anonymous_visitors_are_asked_to_log_in_or_sign_up_and_come_back(link, firm_a, language):
    response = Client().get(link, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert firm_a.name in page
    next_query = "next=" + link.replace("/", "%2F")
    assert f"{reverse('web:login')}?{next_query}" in page
    assert f"{reverse('web:signup')}?{next_query}" in page
    assert ("Увійдіть, щоб його прийняти" if language == "uk" else "Log in to accept it") in page


def test_logging_in_from_the_invitation_comes_back_to_it(link, firm_a):
    dmytro = UserFactory(username="dmytro")
    browser = Client()
    response = browser.post(
        f"{reverse('web:login')}?next={link}", {"username": "dmytro", "password": RIGHT, "next": link}
    )
    assert response["Location"] == link
    assert browser.post(link)["Location"] == reverse("web:firm_dashboard", args=[firm_a.pk])
    assert Membership.objects.get(user=dmytro, firm=firm_a).role == "editor"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_signed_in_person_sees_the_firm_and_role_and_accepts_with_a_post(link, firm_a, language):
    dmytro = UserFactory(username="dmytro")  # the invited address
    browser = _page(dmytro)
    page = browser.get(link, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert firm_a.name in page
    assert ("Редактор" if language == "uk" else "Editor") in page
    assert ("Прийняти запрошення" if language == "uk" else "Accept the invitation") in page
    assert not Membership.objects.filter(user=dmytro, firm=firm_a).exists()  # a GET accepts nothing

    response = browser.post(link, HTTP_ACCEPT_LANGUAGE=language, follow=True)

    assert response.redirect_chain == [(reverse("web:firm_dashboard", args=[firm_a.pk]), 302)]
    assert Membership.objects.get(user=dmytro, firm=firm_a).role == "editor"
    assert browser.get(link).status_code == 404  # used: the link no longer works


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_made_up_or_withdrawn_link_says_it_is_not_valid(link, alice, language):
    Invitation.objects.update(revoked_at=Invitation.objects.get().created_at)
    for url in (link, "/invitations/made-up/"):
        response = _page(alice).get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 404
        assert ("недійсне" if language == "uk" else "not valid") in response.content.decode()


def test_a_member_accepting_again_is_told_so(alice, alice_editor, firm_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(firm=firm_a, actor=alice, email=alice_editor.email, role="owner")
    link = re.search(r"http://127\.0\.0\.1:8000(/invitations/[\w-]+/)", mail.outbox[-1].body).group(1)
    response = _page(alice_editor).post(link)
    assert response.status_code == 409
    assert "already a member" in response.content.decode()
    assert Membership.objects.get(user=alice_editor).role == "editor"


def test_an_anonymous_post_to_the_link_accepts_nothing(link):
    response = Client().post(link)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
    assert Invitation.objects.get().accepted_at is None
