"""Two-factor log-in (TOTP, django-otp) for ministry staff: accounts/two_factor.py, accounts/middleware.py,
web/views/two_factor.py. Required when REQUIRE_STAFF_2FA is on (production's default); off, staff log in
with a password only. Codes are computed from the device's key with django-otp's own TOTP."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
ROOT = Path(__file__).resolve().parents[2]


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"


def logged_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def required(settings):
    settings.REQUIRE_STAFF_2FA = True


@pytest.fixture(autouse=True)
def _no_throttle(settings, request):
    # django-otp waits 1, 2, 4... s after each wrong code; the tests type a right one just after a wrong one.
    if "throttle" not in request.node.name:
        settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def reviewer(db):
    user = UserFactory(username="rita2fa", is_reviewer=True)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def enrolled(reviewer):
    return TOTPDevice.objects.create(user=reviewer, name="authenticator", confirmed=True)


def test_without_the_code_a_reviewer_does_not_reach_reviewer_pages_when_required(required, enrolled):
    client = logged_in("rita2fa")
    response = client.get("/review/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/verify/?next=%2Freview%2F"
    assert client.get("/review/firms/").status_code == 302
    assert client.get("/admin/").status_code == 302
    api = client.get("/api/v1/proposals/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "otp_required"


def test_with_a_valid_code_the_reviewer_reaches_reviewer_pages(required, enrolled):
    client = logged_in("rita2fa")
    wrong = client.post("/accounts/2fa/verify/", {"code": "000000", "next": "/review/"})
    assert wrong.status_code == 400
    assert client.get("/review/").status_code == 302
    response = client.post("/accounts/2fa/verify/", {"code": code_for(enrolled), "next": "/review/"})
    assert response.status_code == 302 and response["Location"] == "/review/"
    assert client.get("/review/").status_code == 200
    assert client.get("/api/v1/proposals/").status_code == 200


def test_wrong_codes_throttle_the_device_so_a_right_code_just_after_is_refused(required, enrolled):
    client = logged_in("rita2fa")
    assert client.post("/accounts/2fa/verify/", {"code": "000000"}).status_code == 400
    assert client.post("/accounts/2fa/verify/", {"code": code_for(enrolled)}).status_code == 400
    assert client.get("/review/").status_code == 302


def test_a_code_is_not_accepted_twice(required, enrolled):
    code = code_for(enrolled)
    assert logged_in("rita2fa").post("/accounts/2fa/verify/", {"code": code}).status_code == 302
    again = logged_in("rita2fa")
    assert again.post("/accounts/2fa/verify/", {"code": code}).status_code == 400
    assert again.get("/review/").status_code == 302


def test_when_not_required_the_reviewer_logs_in_with_the_password_only(settings, enrolled):
    settings.REQUIRE_STAFF_2FA = False
    assert logged_in("rita2fa").get("/review/").status_code == 200


def test_an_administrator_is_held_too_and_firm_members_are_not(required):
    admin = UserFactory(username="adam2fa", is_superuser=True, is_staff=True)
    admin.set_password(PASSWORD)
    admin.save()
    member = UserFactory(username="member2fa")
    member.set_password(PASSWORD)
    member.save()
    assert logged_in("adam2fa").get("/admin/").status_code == 302
    assert logged_in("member2fa").get("/").status_code in (200, 302)
    assert logged_in("member2fa").get("/notifications/").status_code == 200


@pytest.mark.parametrize("language", ["uk", "en"])
def test_enrolment_shows_a_qr_code_confirms_with_a_code_and_gives_recovery_codes(required, reviewer, language):
    client = logged_in("rita2fa")
    response = client.get("/review/")
    assert response["Location"].startswith("/accounts/2fa/verify/")
    response = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert ("Двофакторний вхід" if language == "uk" else "Two-factor log-in") in html
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    assert client.post("/accounts/2fa/setup/", {"code": "123"}, HTTP_ACCEPT_LANGUAGE=language).status_code == 400
    done = client.post(
        "/accounts/2fa/setup/", {"code": code_for(device), "next": "/review/"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert done.status_code == 200
    assert ("Коди відновлення" if language == "uk" else "Recovery codes") in done.content.decode()
    recovery = StaticDevice.objects.get(user=reviewer)
    codes = list(recovery.token_set.values_list("token", flat=True))
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert client.get("/review/").status_code == 200
    # Next log-in: a recovery code works once.
    later = logged_in("rita2fa")
    assert later.post("/accounts/2fa/verify/", {"code": codes[0]}).status_code == 302
    assert later.get("/review/").status_code == 200
    assert logged_in("rita2fa").post("/accounts/2fa/verify/", {"code": codes[0]}).status_code == 400


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_code_page_in_both_languages(required, enrolled, language):
    client = logged_in("rita2fa")
    html = client.get("/accounts/2fa/verify/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    expected = "Введіть код" if language == "uk" else "Type the code from your authenticator app"
    assert expected in html


def test_anonymous_is_sent_to_log_in_from_the_two_factor_pages():
    for path in ("/accounts/2fa/setup/", "/accounts/2fa/verify/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_verified_reviewer_cannot_replace_the_authenticator_without_the_current_code(required, enrolled):
    client = logged_in("rita2fa")
    response = client.get("/accounts/2fa/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")


def test_api_token_log_in_needs_the_code_from_staff_when_required(required, enrolled):
    anon = APIClient()
    response = anon.post("/api/v1/auth/token/", {"username": "rita2fa", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "otp_required" and "otp" in response.json()["error"]["fields"]
    response = anon.post(
        "/api/v1/auth/token/", {"username": "rita2fa", "password": PASSWORD, "otp": code_for(enrolled)}
    )
    assert response.status_code == 201


def test_api_token_log_in_without_the_code_when_not_required(settings, enrolled):
    settings.REQUIRE_STAFF_2FA = False
    response = APIClient().post("/api/v1/auth/token/", {"username": "rita2fa", "password": PASSWORD})
    assert response.status_code == 201


def _setting_in(debug: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REQUIRE_STAFF_2FA", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DEBUG=debug, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="alliance.example")
    code = "from django.conf import settings; print(settings.REQUIRE_STAFF_2FA)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_two_factor_is_required_by_default_in_production_and_not_in_the_demo():
    assert _setting_in("false") == "True"
    assert _setting_in("true") == "False"
