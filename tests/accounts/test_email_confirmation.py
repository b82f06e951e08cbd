"""An address is a person's only once they followed a link sent to it: sign-up, a change of address
(pending until confirmed), the emailed link (API and page, signed in or not), sending it again
(throttled), and accepting an invitation, which needs the invited address confirmed. The attack it
closes: changing one's address to an invited one, or signing up with it, and accepting a leaked link."""

import html
import importlib
import json
import re
import time

import pytest
from django.apps import apps as django_apps
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Invitation, Membership, User
from tests.factories import FirmFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "uk"]
GOOD = "Vyshyvanka-2024!"
PASSWORD = "correct-horse-battery"  # UserFactory's
INVITED = "someone.else@example.org"
CONFIRM_PATH = re.compile(r"(/accounts/email/confirm/[^/\s]+/)")


@pytest.fixture
def invitation_link(alice, firm_a, django_capture_on_commit_callbacks):
    """alice (owner of firm A) invites someone.else@example.org as an owner; the emailed path."""
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(firm=firm_a, actor=alice, email=INVITED, role="owner")
    path = re.search(r"(/invitations/[\w-]+/)", mail.outbox[-1].body).group(1)
    mail.outbox.clear()
    return path


def _token(path: str) -> str:
    return path.strip("/").split("/")[-1]


@pytest.fixture
def intruder(db):
    """Owner of another firm with an address of his own, who got hold of firm A's invitation link."""
    user = UserFactory(username="intruder", email="intruder@optik.example")
    MembershipFactory(user=user, firm=FirmFactory(ref="de-optik", name="Optik GmbH", partner=True), role="owner")
    return user


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _page(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _mail_to(address: str):
    found = [m for m in mail.outbox if m.to == [address]]
    assert found, [m.to for m in mail.outbox]
    return found[-1]


def _confirm_path(address: str) -> str:
    return CONFIRM_PATH.search(_mail_to(address).body).group(1)


def _accept(user, path: str, language: str = "en"):
    return _api(user).post(
        "/api/v1/invitations/accept/", {"token": _token(path)}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )


def _change_email(user, address: str, capture, language: str = "en"):
    with capture(execute=True):
        return _api(user).patch(
            "/api/v1/me/",
            {"email": address, "current_password": PASSWORD},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )


def _confirm_api(path: str, language: str = "en", capture=None):
    client = APIClient()
    body = {"token": _token(path)}
    if capture is None:
        return client.post("/api/v1/me/email-confirmation/confirm/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
    with capture(execute=True):
        return client.post("/api/v1/me/email-confirmation/confirm/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)


# --- The attack: an address typed into one's account ---------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_changing_ones_address_to_the_invited_one_does_not_let_one_accept(
    invitation_link, firm_a, intruder, language, django_capture_on_commit_callbacks
):
    response = _change_email(intruder, INVITED.upper(), django_capture_on_commit_callbacks, language)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["email"], body["pending_email"], body["email_confirmed"]) == ("intruder@optik.example", INVITED, True)
    assert INVITED in body["message"] and "intruder@optik.example" in body["message"]
    assert ("Ми надіслали посилання" if language == "uk" else "We have sent a link") in body["message"]
    # The link goes to the invited address, which the intruder does not read; his own address is told.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([INVITED, "intruder@optik.example"])
    assert "/accounts/email/confirm/" not in _mail_to("intruder@optik.example").body

    refused = _accept(intruder, invitation_link, language)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "email_not_confirmed"
    assert error["fields"]["email"] == [error["message"]]
    assert INVITED in error["message"]
    assert ("ще не підтверджено" if language == "uk" else "not confirmed yet") in error["message"]
    assert not Membership.objects.filter(firm=firm_a, user=intruder).exists()
    assert Invitation.objects.get(firm=firm_a).accepted_at is None


def test_only_the_link_sent_to_the_invited_address_makes_it_the_accounts_and_then_accepting_works(
    invitation_link, firm_a, intruder, django_capture_on_commit_callbacks
):
    """The legitimate version of the same steps: whoever reads the invited mailbox follows the link."""
    _change_email(intruder, INVITED, django_capture_on_commit_callbacks)
    path = _confirm_path(INVITED)
    mail.outbox.clear()
    confirmed = _confirm_api(path, capture=django_capture_on_commit_callbacks)
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json() == {"email": INVITED, "message": f"Your email address {INVITED} is confirmed."}
    intruder.refresh_from_db()
    assert (intruder.email, intruder.pending_email, intruder.email_confirmed) == (INVITED, "", True)
    # The previous address is told the change was made.
    assert [m.to for m in mail.outbox] == [["intruder@optik.example"]]
    assert INVITED in mail.outbox[0].body
    assert _accept(intruder, invitation_link).status_code == 201
    assert Membership.objects.get(firm=firm_a, user=intruder).role == "owner"


# --- The attack: signing up with the invited address, without the invitation ---------------------------


def _api_sign_up(capture, language="en", **extra):
    body = {"username": "newcomer", "email": INVITED, "password": GOOD, "language": language, **extra}
    with capture(execute=True):
        response = APIClient().post("/api/v1/auth/signup/", body, format="json")
    assert response.status_code == 202, response.content
    return User.objects.get(username="newcomer")


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_up_with_the_invited_address_without_its_token_cannot_accept(
    invitation_link, firm_a, language, django_capture_on_commit_callbacks
):
    newcomer = _api_sign_up(django_capture_on_commit_callbacks, language)
    assert not newcomer.email_confirmed
    refused = _accept(newcomer, invitation_link, language)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "email_not_confirmed"
    assert list(error["fields"]) == ["email"]
    assert ("Спершу підтвердьте свою адресу" if language == "uk" else "Confirm your email address") in error["message"]

    page = _page(newcomer).get(invitation_link, HTTP_ACCEPT_LANGUAGE=language)
    text = html.unescape(page.content.decode())
    assert page.status_code == 200
    assert error["message"].replace("ʼ", "'") in text.replace("ʼ", "'")
    assert (
        "Надіслати посилання для підтвердження ще раз" if language == "uk" else "Send the confirmation again"
    ) in text
    assert f'action="{reverse("web:email_confirmation_resend")}"' in text
    assert ("Прийняти запрошення" if language == "uk" else "Accept the invitation") not in text
    assert _page(newcomer).post(invitation_link, HTTP_ACCEPT_LANGUAGE=language).status_code == 403
    assert Invitation.objects.get(firm=firm_a).accepted_at is None


def test_after_confirming_from_the_welcome_email_the_newcomer_can_accept(
    invitation_link, firm_a, django_capture_on_commit_callbacks
):
    newcomer = _api_sign_up(django_capture_on_commit_callbacks)
    assert _confirm_api(_confirm_path(INVITED)).status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.email_confirmed
    assert _accept(newcomer, invitation_link).status_code == 201


def test_signing_up_from_the_invitation_confirms_the_address(
    invitation_link, firm_a, django_capture_on_commit_callbacks
):
    newcomer = _api_sign_up(django_capture_on_commit_callbacks, invitation_token=_token(invitation_link))
    assert newcomer.email_confirmed
    assert "/accounts/email/confirm/" not in _mail_to(INVITED).body  # nothing left to confirm
    assert _accept(newcomer, invitation_link).status_code == 201


def test_signing_up_on_the_page_from_the_invitation_confirms_the_address_and_lets_one_accept(invitation_link, firm_a):
    data = {"username": "newcomer", "email": INVITED, "password1": GOOD, "password2": GOOD, "next": invitation_link}
    Client().post(f"{reverse('web:signup')}?next={invitation_link}", data)
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.email_confirmed
    response = _page(newcomer).post(invitation_link)
    assert response["Location"] == reverse("web:firm_dashboard", args=[firm_a.pk])


# --- Sign-up and the welcome email -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Confirm that this email address is yours", "works for 3 days", "cannot accept invitations"]),
        ("uk", ["Підтвердьте, що ця адреса електронної пошти Ваша", "діє 3 дні", "не зможете приймати запрошення"]),
    ],
)
def test_the_welcome_email_carries_the_confirmation_link_in_the_persons_language(
    db, language, words, django_capture_on_commit_callbacks
):
    body = {"username": "oksana", "email": "oksana@example.org", "password": GOOD, "language": language}
    with django_capture_on_commit_callbacks(execute=True):
        APIClient().post("/api/v1/auth/signup/", body, format="json")
    welcome = _mail_to("oksana@example.org")
    for word in words:
        assert word in welcome.body
    assert CONFIRM_PATH.search(welcome.body)


@pytest.mark.parametrize(
    ("language", "question", "button", "done"),
    [
        ("en", "as the email address of the Alliance Match account", "Confirm the address", "is now the confirmed address"),
        ("uk", "як адресу електронної пошти облікового запису Alliance Match", "Підтвердити адресу", "тепер підтверджена адреса"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("signed_in_as", [None, "oksana", "bob"])
def test_the_emailed_link_opens_a_page_that_confirms_signed_in_or_not(
    db, language, question, button, done, signed_in_as, request, django_capture_on_commit_callbacks
):
    body = {"username": "oksana", "email": "oksana@example.org", "password": GOOD, "language": language}
    with django_capture_on_commit_callbacks(execute=True):
        APIClient().post("/api/v1/auth/signup/", body, format="json")
    oksana = User.objects.get(username="oksana")
    viewer = {None: None, "oksana": oksana, "bob": request.getfixturevalue("bob") if signed_in_as == "bob" else None}
    browser = _page(viewer[signed_in_as])
    path = _confirm_path("oksana@example.org")

    page = browser.get(path, HTTP_ACCEPT_LANGUAGE=language)
    text = html.unescape(page.content.decode())
    assert page.status_code == 200
    assert question in text and "oksana@example.org" in text and ">oksana<" in text and button in text
    oksana.refresh_from_db()
    assert not oksana.email_confirmed  # a GET (a mail scanner's, say) confirms nothing

    confirmed = browser.post(path, HTTP_ACCEPT_LANGUAGE=language)
    assert confirmed.status_code == 200
    assert done in html.unescape(confirmed.content.decode())
    oksana.refresh_from_db()
    assert oksana.email_confirmed
    if signed_in_as == "bob":
        bob = User.objects.get(username="bob")
        assert bob.email == "bob@example.org"  # the token named oksana: nothing of bob's changed
    # The same link again: no harm, still confirmed.
    assert browser.post(path).status_code == 200


# --- Expired, tampered, replaced ------------------------------------------------------------------


def _old_token(user, address, monkeypatch, days=4):
    """A token made `days` ago (the signer's clock, set back while it signs)."""
    past = time.time() - days * 86400
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: past)
        return services.email_confirmation_token(user=user, address=address)


EXPIRED = {
    "en": "This confirmation link has expired: links work for 3 days.",
    "uk": "Строк дії цього посилання для підтвердження минув: посилання діють 3 дні.",
}
TAMPERED = {"en": "This confirmation link is not valid", "uk": "Це посилання для підтвердження недійсне"}
NEW_LINK = {"en": "have a new link sent", "uk": "замовте нове посилання"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_expired_link_is_refused_naming_the_problem_and_how_to_get_another(monkeypatch, language):
    user = UserFactory(username="late", email_confirmed_at=None)
    token = _old_token(user, user.email, monkeypatch)
    response = _confirm_api(f"/x/{token}/", language)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "confirmation_expired"
    assert error["fields"]["token"] == [error["message"]]
    assert EXPIRED[language] in error["message"] and NEW_LINK[language] in error["message"]

    for browser, action in ((_page(), "Log in to get a new link"), (_page(user), "Get a new link")):
        page = browser.get(reverse("web:email_confirm", args=[token]), HTTP_ACCEPT_LANGUAGE=language)
        text = html.unescape(page.content.decode())
        assert page.status_code == 400
        assert EXPIRED[language] in text
        if language == "en":
            assert action in text
        assert reverse("web:email_settings") in text
    user.refresh_from_db()
    assert not user.email_confirmed


def test_a_link_within_its_three_days_still_works(monkeypatch):
    user = UserFactory(username="in_time", email_confirmed_at=None)
    assert _confirm_api(f"/x/{_old_token(user, user.email, monkeypatch, days=2)}/").status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("how", ["changed_address", "cut_short", "garbage", "other_salt", "unknown_user"])
def test_a_tampered_link_is_refused(language, how):
    user = UserFactory(username="target", email_confirmed_at=None)
    good = services.email_confirmation_token(user=user, address=user.email)
    payload = {"u": user.pk, "h": services._address_digest("thief@evil.example"), "s": ""}
    token = {
        "changed_address": signing.dumps(payload, key="not-the-secret-key", salt="accounts.email-confirmation"),
        "cut_short": good[:-4],
        "garbage": "nonsense",
        "other_salt": signing.dumps(
            {"u": user.pk, "h": services._address_digest(user.email), "s": ""}, salt="something-else"
        ),
        "unknown_user": signing.dumps(
            {"u": 99_999_999, "h": services._address_digest("x@example.org"), "s": ""},
            salt="accounts.email-confirmation",
        ),
    }[how]
    response = _confirm_api(f"/x/{token}/", language)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "confirmation_invalid"
    assert TAMPERED[language] in error["fields"]["token"][0]
    page = _page().post(reverse("web:email_confirm", args=[token]), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 400 and TAMPERED[language] in html.unescape(page.content.decode())
    user.refresh_from_db()
    assert not user.email_confirmed and user.email == "target@example.org"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_second_change_replaces_the_pending_address_and_the_first_link_stops_working(
    alice, language, django_capture_on_commit_callbacks
):
    _change_email(alice, "first@new.example", django_capture_on_commit_callbacks)
    first = _confirm_path("first@new.example")
    _change_email(alice, "second@new.example", django_capture_on_commit_callbacks)
    second = _confirm_path("second@new.example")
    alice.refresh_from_db()
    assert alice.pending_email == "second@new.example"

    stale = _confirm_api(first, language)
    assert stale.status_code == 400
    assert stale.json()["error"]["code"] == "confirmation_replaced"
    assert ("змінили ще раз" if language == "uk" else "changed again") in stale.json()["error"]["fields"]["token"][0]
    page = _page().get(first, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 400

    assert _confirm_api(second).status_code == 200
    alice.refresh_from_db()
    assert alice.email == "second@new.example"


def test_changing_back_and_forth_still_voids_the_first_link(alice, django_capture_on_commit_callbacks):
    _change_email(alice, "first@new.example", django_capture_on_commit_callbacks)
    first = _confirm_path("first@new.example")
    _change_email(alice, "second@new.example", django_capture_on_commit_callbacks)
    _change_email(alice, "first@new.example", django_capture_on_commit_callbacks)
    newest = _confirm_path("first@new.example")
    assert newest != first
    assert _confirm_api(first).json()["error"]["code"] == "confirmation_replaced"
    assert _confirm_api(newest).status_code == 200


def test_giving_the_current_address_again_cancels_the_pending_change(alice, django_capture_on_commit_callbacks):
    _change_email(alice, "first@new.example", django_capture_on_commit_callbacks)
    link = _confirm_path("first@new.example")
    response = _api(alice).patch("/api/v1/me/", {"email": alice.email}, format="json")  # no password to cancel
    assert response.status_code == 200
    assert (response.json()["pending_email"], response.json()["message"]) == (None, None)
    assert _confirm_api(link).json()["error"]["code"] == "confirmation_replaced"
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"


def test_an_address_another_account_took_meanwhile_is_refused_when_confirming(
    alice, django_capture_on_commit_callbacks
):
    _change_email(alice, "shared@new.example", django_capture_on_commit_callbacks)
    link = _confirm_path("shared@new.example")
    UserFactory(username="quicker", email="Shared@New.example")
    response = _confirm_api(link)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "email_taken" and "shared@new.example" in error["fields"]["email"][0]
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == ("alice@example.org", "shared@new.example")
    # The page offers to choose another address, not a new link that would meet the same refusal.
    token = link.rstrip("/").rsplit("/", 1)[-1]
    for language, action in (("en", "Choose another address"), ("uk", "Вказати іншу адресу")):
        page = _page(alice).post(reverse("web:email_confirm", args=[token]), HTTP_ACCEPT_LANGUAGE=language)
        text = html.unescape(page.content.decode())
        assert page.status_code == 409 and action in text and "new link" not in text


def test_a_language_only_change_says_nothing_next(alice_client):
    response = alice_client.patch("/api/v1/me/", {"language": "uk"}, format="json")
    assert response.status_code == 200 and response.json()["message"] is None


# --- The emails of a change, in the person's language ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "to_new", "to_old"),
    [
        ("en", "Confirm your email address for Alliance Match", "A change of your Alliance Match email address was requested"),
        ("uk", "Підтвердьте свою адресу електронної пошти в Alliance Match", "Надійшов запит на зміну адреси електронної пошти"),
    ],
)  # fmt: skip
def test_a_change_of_address_emails_both_addresses_in_the_persons_language(
    alice, language, to_new, to_old, django_capture_on_commit_callbacks
):
    alice.language = language
    alice.save(update_fields=["language"])
    _change_email(alice, "new@skyforge.example", django_capture_on_commit_callbacks)
    new, old = _mail_to("new@skyforge.example"), _mail_to("alice@example.org")
    assert new.subject == to_new and CONFIRM_PATH.search(new.body) and "alice" in new.body
    assert old.subject.startswith(to_old)
    assert "new@skyforge.example" in old.body and not CONFIRM_PATH.search(old.body)


# --- Sending the link again -----------------------------------------------------------------------------


def test_sending_the_link_again_goes_to_the_pending_address(alice, django_capture_on_commit_callbacks):
    _change_email(alice, "new@skyforge.example", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(alice).post("/api/v1/me/email-confirmation/")
    assert response.status_code == 202
    assert response.json() == {
        "email": "new@skyforge.example",
        "message": "We have sent a new confirmation link to new@skyforge.example.",
    }
    assert [m.to for m in mail.outbox] == [["new@skyforge.example"]]
    assert _confirm_api(_confirm_path("new@skyforge.example")).status_code == 200


def test_sending_the_link_again_to_an_unconfirmed_address_then_confirming(django_capture_on_commit_callbacks):
    user = UserFactory(username="unsure", email_confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert _api(user).post("/api/v1/me/email-confirmation/").status_code == 202
    assert _confirm_api(_confirm_path("unsure@example.org")).status_code == 200
    user.refresh_from_db()
    assert _api(user).get("/api/v1/me/").json()["email_confirmed"] is True


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_to_confirm_is_said_naming_email(alice, language):
    response = _api(alice).post("/api/v1/me/email-confirmation/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "email_already_confirmed"
    assert ("уже підтверджено" if language == "uk" else "already confirmed") in error["fields"]["email"][0]
    nobody = UserFactory(username="no_mail", email="")
    response = _api(nobody).post("/api/v1/me/email-confirmation/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and response.json()["error"]["code"] == "no_email"
    assert "email" in response.json()["error"]["fields"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_sending_again_is_throttled_in_the_api_and_on_the_page_as_one_limit(language):
    user = UserFactory(username="eager", email_confirmed_at=None)
    client = _api(user)
    for _ in range(5):
        assert client.post("/api/v1/me/email-confirmation/").status_code == 202
    refused = client.post("/api/v1/me/email-confirmation/", HTTP_ACCEPT_LANGUAGE=language)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    sent = len(mail.outbox)
    page = _page(user).post(reverse("web:email_confirmation_resend"), HTTP_ACCEPT_LANGUAGE=language, follow=True)
    text = html.unescape(page.content.decode())
    assert ("надто часто" if language == "uk" else "too often") in text
    assert len(mail.outbox) == sent
    patient = UserFactory(username="patient", email_confirmed_at=None)  # the limit is per person
    assert _api(patient).post("/api/v1/me/email-confirmation/").status_code == 202


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "We have sent a new confirmation link to"), ("uk", "Ми надіслали нове посилання для підтвердження на")],
)
def test_the_invitation_pages_button_sends_the_link_again_and_comes_back(
    invitation_link, language, said, django_capture_on_commit_callbacks
):
    newcomer = _api_sign_up(django_capture_on_commit_callbacks, language)
    mail.outbox.clear()
    browser = _page(newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("web:email_confirmation_resend"), {"next": invitation_link}, HTTP_ACCEPT_LANGUAGE=language
        )
    assert response.status_code == 302 and response["Location"] == invitation_link
    assert [m.to for m in mail.outbox] == [[INVITED]]
    page = browser.get(invitation_link, HTTP_ACCEPT_LANGUAGE=language)
    assert said in html.unescape(page.content.decode())


@pytest.mark.parametrize("persona", ["anon"], indirect=True)
def test_anonymous_callers_cannot_ask_for_links(persona):
    assert persona.post("/api/v1/me/email-confirmation/").status_code == 401
    assert _page().post(reverse("web:email_confirmation_resend"))["Location"].startswith(reverse("web:login"))


def test_a_service_account_token_cannot_ask_for_links(alice, firm_a):
    _, secret = services.service_account_create(firm=firm_a, actor=alice, name="ERP", scopes=["firms:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post("/api/v1/me/email-confirmation/")
    assert response.status_code == 403 and response.json()["error"]["code"] == "insufficient_scope"


def test_a_bearer_token_user_asks_for_links_like_a_session_user(django_capture_on_commit_callbacks):
    user = UserFactory(username="by_token", email_confirmed_at=None)
    _, secret = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/me/email-confirmation/").status_code == 202
    assert _mail_to("by_token@example.org")


# --- `me`, personas --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["alice_client", "alice_viewer_client", "bob_client", "rita_client", "adam_client", "alice_token"],
    indirect=True,
)  # fmt: skip
def test_me_shows_a_confirmed_address_and_no_pending_one_for_every_signed_in_persona(persona):
    body = persona.get("/api/v1/me/").json()
    assert (body["email_confirmed"], body["pending_email"]) == (True, None)


# --- The web page for the address ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title", "status"),
    [("en", "Your email address", "Confirmed: you can accept invitations"), ("uk", "Ваша адреса електронної пошти", "Підтверджено: Ви можете приймати запрошення")],
)  # fmt: skip
def test_the_email_page_shows_the_address_and_whether_it_is_confirmed(alice, language, title, status):
    page = _page(alice).get(reverse("web:email_settings"), HTTP_ACCEPT_LANGUAGE=language)
    text = html.unescape(page.content.decode())
    assert page.status_code == 200
    assert title in text and status in text and "alice@example.org" in text


@pytest.mark.parametrize(
    ("language", "pending", "told"),
    [
        ("en", "Waiting for confirmation", "Your address stays alice@example.org until you follow it"),
        ("uk", "Очікує підтвердження", "Вашою адресою залишається alice@example.org"),
    ],
)
def test_changing_the_address_on_the_page_keeps_it_pending_and_says_what_happens_next(
    alice, language, pending, told, django_capture_on_commit_callbacks
):
    browser = _page(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("web:email_settings"),
            {"email": "New@SkyForge.example", "current_password": PASSWORD},
            HTTP_ACCEPT_LANGUAGE=language,
            follow=True,
        )
    text = html.unescape(response.content.decode())
    assert pending in text and told in text and "new@skyforge.example" in text
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == ("alice@example.org", "new@skyforge.example")
    assert _mail_to("new@skyforge.example") and _mail_to("alice@example.org")


@pytest.mark.parametrize(
    ("language", "wrong"), [("en", "The current password is not correct."), ("uk", "Поточний пароль")]
)
def test_the_page_refuses_a_wrong_password_beside_the_field(alice, language, wrong):
    response = _page(alice).post(
        reverse("web:email_settings"),
        {"email": "new@skyforge.example", "current_password": "guess-12345"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert any(wrong in e for e in response.context["form"].errors["current_password"])
    alice.refresh_from_db()
    assert alice.pending_email == ""


def test_the_email_page_needs_a_log_in():
    assert _page().get(reverse("web:email_settings"))["Location"].startswith(reverse("web:login"))


def test_an_unconfirmed_account_sees_a_button_to_send_the_link_again():
    user = UserFactory(username="unsure", email_confirmed_at=None)
    text = html.unescape(_page(user).get(reverse("web:email_settings"), HTTP_ACCEPT_LANGUAGE="uk").content.decode())
    assert "Ще не підтверджено" in text and "Надіслати посилання для підтвердження ще раз" in text


# --- Operators and existing accounts --------------------------------------------------------------------


def test_operator_provisioned_people_are_confirmed():
    created, _ = services.user_provision(username="ops_made", password=GOOD, email="ops@example.org")
    assert created.email_confirmed
    existing = UserFactory(username="was_unsure", email_confirmed_at=None)
    updated, _ = services.user_provision(username="was_unsure", password=GOOD, email="was_unsure@example.org")
    assert updated.email_confirmed and updated.pk == existing.pk


def test_the_migration_confirms_existing_accounts_that_have_an_address():
    migration = importlib.import_module("accounts.migrations.0006_user_email_confirmation")
    with_address = UserFactory(username="old_timer", email_confirmed_at=None)
    without = UserFactory(username="no_address", email="", email_confirmed_at=None)
    migration.confirm_existing_addresses(django_apps, None)
    with_address.refresh_from_db()
    without.refresh_from_db()
    assert with_address.email_confirmed_at is not None and with_address.email_confirmed_at <= timezone.now()
    assert without.email_confirmed_at is None


# --- Schema ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _component(schema, operation, status):
    ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_the_schema_documents_the_confirmation_endpoints_with_required_answer_fields(schema):
    send = schema["paths"]["/api/v1/me/email-confirmation/"]["post"]
    assert {"202", "400", "401", "409", "429"} <= set(send["responses"])
    assert set(_component(schema, send, "202")["required"]) == {"email", "message"}
    confirm = schema["paths"]["/api/v1/me/email-confirmation/confirm/"]["post"]
    assert {"200", "400", "409"} <= set(confirm["responses"])
    assert set(_component(schema, confirm, "200")["required"]) == {"email", "message"}
    me = _component(schema, schema["paths"]["/api/v1/me/"]["get"], "200")
    assert {"email_confirmed", "pending_email"} <= set(me["required"])
    assert me["properties"]["pending_email"].get("nullable") is True
    updated = _component(schema, schema["paths"]["/api/v1/me/"]["patch"], "200")
    assert "message" in updated["required"]


@pytest.mark.parametrize(
    ("days", "language", "expected"),
    [
        (3, "uk", "(протягом 3 днів)"),
        (1, "uk", "(протягом 1 дня)"),
        (5, "uk", "(протягом 5 днів)"),
        (1, "en", "(within 1 day)"),
        (3, "en", "(within 3 days)"),
    ],
)
def test_the_next_step_after_a_change_of_address_counts_days_in_real_plurals(settings, days, language, expected):
    from django.utils import translation

    from accounts.selectors import email_change_next_step

    settings.EMAIL_CONFIRMATION_TTL_DAYS = days
    user = User(username="plural", email="old@example.com", pending_email="new@example.com")
    with translation.override(language):
        message = email_change_next_step(user=user)
    assert expected in message and "дн." not in message


@pytest.mark.parametrize("language", LANGUAGES)
def test_changing_the_address_over_and_over_is_held_by_the_same_limit_on_the_api_and_the_page(
    language, django_capture_on_commit_callbacks
):
    """Each change of address emails a link to the new address: without a limit, anyone signed in
    could mail any address as often as they liked."""
    user = UserFactory(username="mailer")
    for n in range(5):
        assert _change_email(user, f"target{n}@example.net", django_capture_on_commit_callbacks).status_code == 200
    sent = len(mail.outbox)
    refused = _change_email(user, "target9@example.net", django_capture_on_commit_callbacks, language)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    page = _page(user).post(
        reverse("web:email_settings"),
        {"email": "target10@example.net", "current_password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert page.status_code == 400
    assert ("надто часто" if language == "uk" else "too often") in html.unescape(page.content.decode())
    assert len(mail.outbox) == sent
    user.refresh_from_db()
    assert user.pending_email == "target4@example.net"
    # Asking again for the address already pending sends nothing and counts nothing.
    again = _change_email(user, "target4@example.net", django_capture_on_commit_callbacks, language)
    assert again.status_code == 200 and len(mail.outbox) == sent


def test_the_link_does_not_show_the_address_it_was_sent_to():
    """Links end up in access logs, browser history and Referer headers: the token carries a keyed hash."""
    user = UserFactory(username="private", email="private.person@example.org", email_confirmed_at=None)
    token = services.email_confirmation_token(user=user, address=user.email)
    payload = signing.loads(token, salt="accounts.email-confirmation")
    assert "private.person" not in json.dumps(payload) and "private.person" not in token
    assert services.email_confirmation_read(token=token) == (user, "private.person@example.org")


STOP_PATH = re.compile(r"(/accounts/email/stop/[^/\s]+/)")


@pytest.mark.parametrize(
    ("language", "asked", "stopped"),
    [
        ("en", "Stop this change?", "The change was stopped"),
        ("uk", "Зупинити цю зміну?", "Зміну зупинено"),
    ],
)
def test_the_current_address_can_stop_a_change_it_did_not_ask_for(
    alice, language, asked, stopped, django_capture_on_commit_callbacks
):
    """Someone who learnt the password asks for their own address: the owner of the current one stops it
    from the email, signed in or not, and the link sent to the new address no longer works."""
    _change_email(alice, "thief@evil.example", django_capture_on_commit_callbacks)
    stop = STOP_PATH.search(_mail_to("alice@example.org").body).group(1)
    confirm = _confirm_path("thief@evil.example")
    page = _page().get(stop, HTTP_ACCEPT_LANGUAGE=language)  # opening the link changes nothing
    assert page.status_code == 200 and asked in html.unescape(page.content.decode())
    alice.refresh_from_db()
    assert alice.pending_email == "thief@evil.example"
    page = _page().post(stop, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200 and stopped in html.unescape(page.content.decode())
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == ("alice@example.org", "")
    assert _confirm_api(confirm).json()["error"]["code"] == "confirmation_replaced"
    again = _page().post(stop, HTTP_ACCEPT_LANGUAGE=language)  # stopped once: nothing left to stop
    assert again.status_code == 400


def test_a_stop_link_does_not_stop_a_later_change_or_undo_a_confirmed_one(alice, django_capture_on_commit_callbacks):
    _change_email(alice, "first@new.example", django_capture_on_commit_callbacks)
    old_stop = STOP_PATH.search(_mail_to("alice@example.org").body).group(1)
    _change_email(alice, "second@new.example", django_capture_on_commit_callbacks)
    assert _page().post(old_stop).status_code == 400  # that change was replaced
    alice.refresh_from_db()
    assert alice.pending_email == "second@new.example"
    new_stop = STOP_PATH.search(_mail_to("alice@example.org").body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        assert _confirm_api(_confirm_path("second@new.example")).status_code == 200
    assert _page().post(new_stop).status_code == 400  # confirmed: the stop link is spent
    alice.refresh_from_db()
    assert alice.email == "second@new.example"
    assert _page().post("/accounts/email/stop/nonsense/").status_code == 400
