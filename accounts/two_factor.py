"""Two-factor log-in (TOTP, django-otp) for ministry staff: who needs it, enrolment, checking a code.

Reviewers and administrators need a second factor when REQUIRE_STAFF_2FA is on (the default in
production). Enrolment shows a QR code (inline SVG) for an authenticator app, confirms it with a
first code, and gives ten one-time recovery codes (django-otp's static device), shown once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from django_otp.models import Device

    from accounts.models import User

RECOVERY_CODES = 10


def two_factor_required(*, user: User) -> bool:
    """The one rule: ministry staff (reviewers, administrators) need a second factor when the setting is on."""
    return bool(settings.REQUIRE_STAFF_2FA and user.is_authenticated and user.can_review)


def two_factor_enrolled(*, user: User) -> bool:
    return user_has_device(user, confirmed=True)


def totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The person's unconfirmed authenticator (a new secret the first time), to show as a QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_qr_svg(*, device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG (paths only: no image library, nothing fetched)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@transaction.atomic
def totp_enrol_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with its first code. Returns the new recovery codes (shown once), or
    None for a wrong code. Earlier authenticators and recovery codes of the person are replaced."""
    if not device.verify_token((code or "").strip()):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> Device | None:
    """The confirmed device that accepts `code` (a 6-digit authenticator code, or a recovery code, used up
    once used), or None. django-otp throttles each device after failures."""
    code = (code or "").strip().replace(" ", "")
    if not code or len(code) > 32:
        return None
    is_totp = code.isdigit() and len(code) == 6
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if isinstance(device, TOTPDevice) != is_totp:
            continue
        if device.verify_token(code):
            return device
    return None


def two_factor_check_token_login(*, user: User, code: str) -> None:
    """An API log-in (`POST /auth/token/`) by staff who need a second factor must carry a valid `otp` code."""
    from django.utils.translation import gettext

    from core.errors import ApplicationError

    if not two_factor_required(user=user):
        return
    if not two_factor_enrolled(user=user):
        raise ApplicationError(
            gettext("Set up two-factor log-in on the web first (%(url)s).") % {"url": "/accounts/2fa/setup/"},
            code="otp_required",
            fields={"otp": [gettext("two-factor log-in is not set up for this account")]},
        )
    if not code or two_factor_verify(user=user, code=code) is None:
        raise ApplicationError(
            gettext("A valid two-factor code is required."),
            code="otp_required",
            fields={"otp": [gettext("give the code from your authenticator app, or a recovery code")]},
        )
