"""403, 404, 400, 500 and CSRF-failure pages in the site's layout and the reader's language (DEBUG=False);
under /api/ the JSON error shape stays."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TEXTS = {
    "en": {
        "403": "Access denied",
        "404": "Page not found",
        "500": "Something went wrong",
        "home": "Go to the home page",
    },
    "uk": {
        "403": "Доступ заборонено",
        "404": "Сторінку не знайдено",
        "500": "Щось пішло не так",
        "home": "На головну сторінку",
    },
}
DJANGO_DEFAULTS = (
    "<h1>403 Forbidden</h1>",
    "<h1>Not Found</h1>",
    "The requested resource",
    "<h1>Server Error (500)</h1>",
)


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _client(user, lang: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang, raise_request_exception=False)
    if user is not None:
        user.language = lang
        user.save(update_fields=["language"])
        client.force_login(user)
    return client


def _assert_site_page(response, status: int, lang: str, heading: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{lang}">' in body
    assert f"<h1>{heading}</h1>" in body and TEXTS[lang]["home"] in body
    for default in DJANGO_DEFAULTS:
        assert default not in body
    return body


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_firm_member_at_the_review_pages_gets_the_403_page_in_their_language(alice, lang):
    body = _assert_site_page(_client(alice, lang).get("/review/"), 403, lang, TEXTS[lang]["403"])
    assert 'class="site-header"' in body and "alice" in body  # the site's header, signed in


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("persona", ["anonymous", "alice"])
def test_an_unknown_address_gets_the_404_page_in_the_readers_language(persona, lang, request):
    user = None if persona == "anonymous" else request.getfixturevalue("alice")
    body = _assert_site_page(_client(user, lang).get("/no-such-page/"), 404, lang, TEXTS[lang]["404"])
    assert 'class="site-header"' in body
    assert ("/accounts/logout/" in body) == (user is not None)


def test_the_directory_refusal_says_why_on_the_403_page(alice, firm_a):
    firm_a.status = "pending"
    firm_a.save(update_fields=["status"])
    body = _assert_site_page(_client(alice, "uk").get("/directory/"), 403, "uk", TEXTS["uk"]["403"])
    assert "Довідник" in body or "довідник" in body


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("persona", ["anonymous", "alice"])
def test_a_server_error_gets_the_self_contained_500_page(persona, lang, request, settings):
    settings.ROOT_URLCONF = "tests.web.error_urls"
    user = None if persona == "anonymous" else request.getfixturevalue("alice")
    body = _assert_site_page(_client(user, lang).get("/boom/"), 500, lang, TEXTS[lang]["500"])
    assert "a bug" not in body and "RuntimeError" not in body


def test_a_server_error_under_the_api_answers_json(alice, settings):
    settings.ROOT_URLCONF = "tests.web.error_urls"
    response = _client(alice, "uk").get("/api/v1/boom/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_an_unknown_api_address_stays_json(lang):
    response = _client(None, lang).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("lang", "heading"), [("en", "The form has expired"), ("uk", "Форма застаріла")])
def test_a_form_without_its_csrf_token_gets_the_sites_page(alice, lang, heading):
    client = _client(alice, lang)
    client.handler.enforce_csrf_checks = True
    body = _assert_site_page(client.post("/notifications/read-all/", {}), 403, lang, heading)
    assert "CSRF verification failed" not in body


@pytest.mark.parametrize(("lang", "heading"), [("en", "Bad request"), ("uk", "Неправильний запит")])
def test_a_bad_request_gets_the_400_page(lang, heading, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = Client(HTTP_ACCEPT_LANGUAGE=lang, HTTP_HOST="evil.example").get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 400
    assert f"<h1>{heading}</h1>" in body
