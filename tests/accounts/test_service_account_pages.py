"""The firm's service accounts page (web/views/service_accounts.py): owners create, see and revoke
their integrations' scoped tokens; other members get 403, outsiders and reviewers 404, anonymous
goes to log in. In Ukrainian and English."""

import pytest
from django.test import Client
from knox.crypto import hash_token
from knox.models import AuthToken

from accounts.models import ServiceAccount

pytestmark = pytest.mark.django_db


def page(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(firm) -> str:
    return f"/firms/{firm.pk}/service-accounts/"


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("alice_editor", 403), ("alice_viewer", 403), ("bob", 404), ("rita", 404), ("adam", 404)],
)
def test_who_sees_the_page(request, firm_a, who, status):
    user = request.getfixturevalue(who)
    assert page(user).get(url(firm_a)).status_code == status
    assert page(user).post(url(firm_a), {"name": "ERP", "scopes": ["firms:read"]}).status_code == (
        200 if status == 200 else status
    )
    assert ServiceAccount.objects.count() == (1 if status == 200 else 0)


def test_anonymous_is_sent_to_log_in(firm_a):
    response = page().get(url(firm_a))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "uk",
            [
                "Службові облікові записи",
                "Створити службовий обліковий запис",
                "його показано лише один раз",
                "Читання сповіщень",
            ],
        ),
        ("en", ["Service accounts", "Create a service account", "shown only this once", "Read notifications"]),
    ],
)
def test_owner_creates_sees_the_secret_once_and_revokes(alice, firm_a, language, texts):
    client = page(alice)
    empty = client.get(url(firm_a), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert texts[0] in empty and texts[1] in empty and texts[3] in empty  # the scopes' labels too
    created = client.post(
        url(firm_a), {"name": "ERP", "scopes": ["proposals:read", "firms:read"]}, HTTP_ACCEPT_LANGUAGE=language
    )
    html = created.content.decode()
    assert created.status_code == 200 and texts[2] in html
    account = ServiceAccount.objects.get()
    token = AuthToken.objects.get(user=account.user)
    secret = html.split('id="service-account-token">', 1)[1].split("<", 1)[0]
    assert token.digest == hash_token(secret)
    again = client.get(url(firm_a), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert secret not in again and token.token_key in again and "firms:read, proposals:read" in again
    revoked = client.post(f"{url(firm_a)}{account.pk}/revoke/", HTTP_ACCEPT_LANGUAGE=language)
    assert revoked.status_code == 302
    account.refresh_from_db()
    assert account.revoked_at is not None and not AuthToken.objects.filter(user=account.user).exists()
    assert client.post(f"{url(firm_a)}{account.pk}/revoke/").status_code == 404


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_form_without_scopes_is_400_naming_the_field(alice, firm_a, language):
    response = page(alice).post(url(firm_a), {"name": "ERP"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert 'id="id_scopes_error"' in response.content.decode()
    assert ServiceAccount.objects.count() == 0


def test_other_members_and_outsiders_cannot_revoke(alice, alice_editor, bob, firm_a):
    page(alice).post(url(firm_a), {"name": "ERP", "scopes": ["firms:read"]})
    account = ServiceAccount.objects.get()
    assert page(alice_editor).post(f"{url(firm_a)}{account.pk}/revoke/").status_code == 403
    assert page(bob).post(f"{url(firm_a)}{account.pk}/revoke/").status_code == 404
    account.refresh_from_db()
    assert account.revoked_at is None


@pytest.mark.parametrize(("lang", "legend"), [("en", "What the token may do"), ("uk", None)])
def test_the_scope_checkboxes_are_a_fieldset_with_a_legend(alice, firm_a, lang, legend):
    body = Client(HTTP_ACCEPT_LANGUAGE=lang)
    body.force_login(alice)
    html = body.get(url(firm_a)).content.decode()
    assert 'for=""' not in html
    assert '<fieldset class="field" id="id_scopes">' in html and "<legend>" in html
    if legend:
        assert f"<legend>{legend}" in html
