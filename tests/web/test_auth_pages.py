"""Sign-up, log-in, log-out, password reset and the language switch."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

GOOD = "Vyshyvanka-2024!"


def test_sign_up_creates_the_account_and_says_to_check_the_email_then_log_in(page_anon):
    # Not signed in straight away: an address that already has an account must get the same page.
    response = page_anon.post(
        reverse("web:signup"),
        {"username": "olena", "email": "Olena@Example.org", "password1": GOOD, "password2": GOOD},
        HTTP_ACCEPT_LANGUAGE="uk",
    )
    assert response["Location"] == reverse("web:signup_done")
    user = User.objects.get(username="olena")
    assert user.email == "olena@example.org" and user.language == "uk"
    assert "_auth_user_id" not in page_anon.session
    page_anon.post(reverse("web:login"), {"username": "olena", "password": GOOD})
    assert page_anon.get(reverse("web:firm_create")).status_code == 200  # signed in


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password1": "short", "password2": "short"}, "password1"),  # the accounts service's password rules
        ({"password2": GOOD + "x"}, "password2"),
        ({"username": "alice"}, "username"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_sign_up_errors_name_the_field_and_keep_the_input(page_anon, alice, data, field):
    payload = {"username": "olena", "email": "olena@example.org", "password1": GOOD, "password2": GOOD, **data}
    response = page_anon.post(reverse("web:signup"), payload)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'value="olena@example.org"' in response.content.decode() or field == "email"


def test_log_in_with_the_form(page_anon, alice):
    response = page_anon.post(reverse("web:login"), {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert page_anon.get("/").status_code == 302 and "_auth_user_id" in page_anon.session


def test_a_wrong_password_says_so(page_anon, alice):
    response = page_anon.post(reverse("web:login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200 and "not correct" in response.content.decode()


def test_log_out_is_a_post(page_alice):
    assert page_alice.get(reverse("web:logout")).status_code == 405
    assert page_alice.post(reverse("web:logout")).status_code == 302
    assert "_auth_user_id" not in page_alice.session


def test_password_reset_by_email(page_anon, alice):
    page_anon.post(reverse("web:password_reset"), {"email": alice.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = page_anon.get(link)["Location"]  # Django swaps the token for a session marker
    response = page_anon.post(form_url, {"new_password1": GOOD, "new_password2": GOOD})
    assert response["Location"] == reverse("web:password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(GOOD)


def test_every_form_carries_a_csrf_token(page_anon, page_alice, firm_a):
    for client, url in (
        (page_anon, reverse("web:login")),
        (page_anon, reverse("web:signup")),
        (page_alice, reverse("web:firm_edit", args=[firm_a.pk])),
        (page_alice, reverse("web:notifications")),
    ):
        body = client.get(url).content.decode()
        assert body.count('method="post"') == body.count("csrfmiddlewaretoken"), url


def test_the_browser_language_is_the_default(page_anon):
    body = page_anon.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="uk-UA,uk;q=0.9").content.decode()
    assert 'lang="uk"' in body and "Увійти" in body


def test_switching_language_sets_the_cookie_and_remembers_it_for_the_user(page_alice, alice):
    response = page_alice.post(reverse("web:set_language"), {"language": "uk", "next": "/notifications/"})
    assert response["Location"] == "/notifications/"
    assert response.cookies["django_language"].value == "uk"
    alice.refresh_from_db()
    assert alice.language == "uk"


def test_the_saved_language_follows_the_user_to_a_new_device(alice):
    from django.test import Client

    alice.language = "uk"
    alice.save()
    client = Client()
    client.force_login(alice)
    assert "Сповіщення" in client.get(reverse("web:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_language_is_ignored(page_alice, alice):
    page_alice.post(reverse("web:set_language"), {"language": "xx"})
    alice.refresh_from_db()
    assert alice.language == ""
