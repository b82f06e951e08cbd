"""An invitation is bound to the address it was sent to: the link alone joins no one (a forwarded or
leaked link, someone else's session). Web page, API and the sign-up from the link, in both languages."""

import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Invitation, Membership, User
from tests.factories import FirmFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "uk"]
GOOD = "Vyshyvanka-2024!"
OTHER = {
    "en": "This invitation was sent to s***@example.org. Log in with that address, or ask the firm's owner to invite you.",
    "uk": "Це запрошення надіслано на s***@example.org. Увійдіть з цією адресою або попросіть власника компанії "
    "запросити вас.",
}


@pytest.fixture
def link(alice, firm_a, django_capture_on_commit_callbacks):
    """ua_owner (alice) invites someone.else@example.org as an owner of firm A; the emailed path."""
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(firm=firm_a, actor=alice, email="Someone.Else@example.org", role="owner")
    return re.search(r"(/invitations/[\w-]+/)", mail.outbox[-1].body).group(1)


def _token(link: str) -> str:
    return link.strip("/").split("/")[-1]


@pytest.fixture
def partner_owner(db):
    """The owner of a German firm, with an address of their own: the QA report's intruder."""
    user = UserFactory(username="partner_owner", email="owner@optik.example")
    MembershipFactory(user=user, firm=FirmFactory(ref="de-optik", name="Optik GmbH", partner=True), role="owner")
    return user


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _still_open(firm) -> None:
    invitation = Invitation.objects.get(firm=firm)
    assert invitation.accepted_at is None and invitation.revoked_at is None
    assert not Membership.objects.filter(
        firm=firm, user__username__in=["partner_owner", "bob", "rita", "adam"]
    ).exists()


# --- The web page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", ["partner_owner", "bob", "alice_viewer", "rita", "adam"])
def test_another_account_is_told_who_the_invitation_is_for_and_gets_no_accept_button(
    link, firm_a, language, who, request
):
    user = request.getfixturevalue(who)
    browser = _page(user)
    page = browser.get(link, HTTP_ACCEPT_LANGUAGE=language)
    body = html.unescape(page.content.decode())
    assert page.status_code == 200
    assert OTHER[language] in body
    assert "Someone.Else" not in body and "someone.else" not in body  # the address is not given away
    assert ("Прийняти запрошення" if language == "uk" else "Accept the invitation") not in body
    assert f'action="{reverse("web:logout")}"' in body  # a way to switch accounts

    refused = browser.post(link, HTTP_ACCEPT_LANGUAGE=language)
    assert refused.status_code == 403
    assert "s***@example.org" in refused.content.decode()
    _still_open(firm_a)
    if who == "alice_viewer":
        assert Membership.objects.get(user=user, firm=firm_a).role == "viewer"


def test_the_qa_report_partner_owner_cannot_take_over_firm_a_and_the_right_person_still_can(
    link, firm_a, partner_owner
):
    assert _page(partner_owner).post(link).status_code == 403
    _still_open(firm_a)
    invited = UserFactory(username="someone", email="someone.else@EXAMPLE.org")  # any letter case
    response = _page(invited).post(link)
    assert response["Location"] == reverse("web:firm_dashboard", args=[firm_a.pk])
    assert Membership.objects.get(user=invited, firm=firm_a).role == "owner"
    assert Invitation.objects.get(firm=firm_a).accepted_by == invited


# --- The API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_api_refuses_another_account_naming_the_token_in_its_language(link, firm_a, partner_owner, language):
    client = APIClient()
    client.force_authenticate(partner_owner)
    response = client.post(
        "/api/v1/invitations/accept/", {"token": _token(link)}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "invitation_other_address"
    assert error["message"].replace("ʼ", "'") == OTHER[language].replace("ʼ", "'")
    assert error["fields"]["token"] == [error["message"]]
    _still_open(firm_a)


def test_an_account_without_an_address_cannot_accept(link, firm_a):
    nobody = UserFactory(username="no_mail", email="")
    client = APIClient()
    client.force_authenticate(nobody)
    assert client.post("/api/v1/invitations/accept/", {"token": _token(link)}, format="json").status_code == 403
    assert Invitation.objects.get(firm=firm_a).accepted_at is None


# --- Sign-up from the invitation --------------------------------------------------------------------


def _web_sign_up(language: str, email: str, link: str):
    data = {"username": "newcomer", "email": email, "password1": GOOD, "password2": GOOD, "next": link}
    return Client().post(f"{reverse('web:signup')}?next={link}", data, HTTP_ACCEPT_LANGUAGE=language, follow=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_up_from_the_invitation_needs_the_invited_address(link, language):
    response = _web_sign_up(language, "someone.different@example.org", link)
    assert response.redirect_chain == []
    errors = response.context["form"].errors["email"]
    assert any("s***@example.org" in e for e in errors), errors
    assert ("зареєструйтеся з цією адресою" if language == "uk" else "sign up with that address") in errors[0]
    assert not User.objects.filter(username="newcomer").exists()


def test_signing_up_from_the_invitation_with_its_address_then_accepting(link, firm_a):
    response = _web_sign_up("uk", "SOMEONE.ELSE@example.org", link)
    assert response.redirect_chain[0][0].startswith(reverse("web:signup_done"))
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.language == "uk"  # signed up in Ukrainian
    assert _page(newcomer).post(link)["Location"] == reverse("web:firm_dashboard", args=[firm_a.pk])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_api_sign_up_with_an_invitation_token_needs_the_invited_address(link, language):
    body = {"username": "newcomer", "email": "x@example.org", "password": GOOD, "invitation_token": _token(link)}
    response = APIClient().post("/api/v1/auth/signup/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert "s***@example.org" in response.json()["error"]["fields"]["email"][0]
    body["email"] = "someone.else@example.org"
    assert APIClient().post("/api/v1/auth/signup/", body, format="json").status_code == 202
    assert User.objects.filter(username="newcomer", email="someone.else@example.org").exists()


def test_a_sign_up_from_some_other_page_is_not_bound_to_anything(link):
    response = _web_sign_up("en", "free@example.org", "/directory/")
    assert response.redirect_chain[0][0].startswith(reverse("web:signup_done"))
