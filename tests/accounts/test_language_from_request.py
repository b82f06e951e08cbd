"""A person who never chose a language reads emails and notifications in the one they browse in: signing
up and logging in (web and API) save the request's language when none is saved; a saved one stays."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.selectors import user_language
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = "Vyshyvanka-2024!"
RIGHT = "correct-horse-battery"  # tests/factories.py UserFactory password


@pytest.mark.parametrize("language", ["uk", "en"])
def test_logging_in_on_the_web_saves_the_language_browsed_in(language):
    ua_owner = UserFactory(username="ua_owner")
    assert user_language(user=ua_owner) == "en"  # nothing saved yet
    response = Client().post(
        reverse("web:login"), {"username": "ua_owner", "password": RIGHT}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 302
    ua_owner.refresh_from_db()
    assert ua_owner.language == language and user_language(user=ua_owner) == language


def test_the_language_cookie_counts_as_the_language_browsed_in():
    ua_owner = UserFactory(username="ua_owner")
    browser = Client()
    browser.cookies["django_language"] = "uk"
    browser.post(reverse("web:login"), {"username": "ua_owner", "password": RIGHT}, HTTP_ACCEPT_LANGUAGE="en")
    ua_owner.refresh_from_db()
    assert ua_owner.language == "uk"


def test_a_saved_language_is_not_changed_by_logging_in():
    chosen = UserFactory(username="chosen", language="en")
    Client().post(reverse("web:login"), {"username": "chosen", "password": RIGHT}, HTTP_ACCEPT_LANGUAGE="uk")
    chosen.refresh_from_db()
    assert chosen.language == "en"


def test_a_failed_log_in_saves_nothing():
    ua_owner = UserFactory(username="ua_owner")
    Client().post(reverse("web:login"), {"username": "ua_owner", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="uk")
    ua_owner.refresh_from_db()
    assert ua_owner.language == ""


@pytest.mark.parametrize(("header", "saved"), [("uk", "uk"), ("uk-UA,uk;q=0.9", "uk"), ("en", "en"), ("de", "en")])
def test_logging_in_through_the_api_saves_the_request_language(header, saved):
    ua_owner = UserFactory(username="ua_owner")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "ua_owner", "password": RIGHT}, format="json", HTTP_ACCEPT_LANGUAGE=header
    )
    assert response.status_code == 201, response.content
    ua_owner.refresh_from_db()
    assert ua_owner.language == saved  # German is not spoken here: the site's default


@pytest.mark.parametrize("language", ["uk", "en"])
def test_signing_up_through_the_api_without_a_language_keeps_the_request_one(language):
    body = {"username": "olena", "email": "olena@example.org", "password": GOOD}
    response = APIClient().post("/api/v1/auth/signup/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 202
    assert User.objects.get(username="olena").language == language


def test_an_explicit_language_at_sign_up_wins_over_the_request():
    body = {"username": "olena", "email": "olena@example.org", "password": GOOD, "language": "en"}
    APIClient().post("/api/v1/auth/signup/", body, format="json", HTTP_ACCEPT_LANGUAGE="uk")
    assert User.objects.get(username="olena").language == "en"


@pytest.mark.parametrize("language", ["uk", "en"])
def test_signing_up_on_the_web_keeps_the_language_of_the_page(language):
    data = {"username": "olena", "email": "olena@example.org", "password1": GOOD, "password2": GOOD}
    Client().post(reverse("web:signup"), data, HTTP_ACCEPT_LANGUAGE=language)
    assert User.objects.get(username="olena").language == language


def test_a_log_in_that_states_no_language_saves_none():
    """No cookie and no Accept-Language: the site's default is not the person's choice, so nothing is
    saved and a later visit in Ukrainian is still served in Ukrainian."""
    ua_owner = UserFactory(username="ua_owner")
    browser = Client()
    browser.post(reverse("web:login"), {"username": "ua_owner", "password": RIGHT})
    APIClient().post("/api/v1/auth/token/", {"username": "ua_owner", "password": RIGHT}, format="json")
    ua_owner.refresh_from_db()
    assert ua_owner.language == ""
    assert 'lang="uk"' in browser.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="uk", follow=True).content.decode()
