"""The emails accounts sends itself: an invitation, a sign-up (new or known address), a link confirming an
address, a change of address asked for and made.

Each is written in the recipient's language and sent after the transaction commits. They carry
secrets (an invitation token, a password-reset or confirmation link) that are never stored, so they are sent
from the committing process rather than through the outbox, as Django's password reset does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, ngettext

from accounts.models import Invitation, Membership, User

log = logging.getLogger(__name__)


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_after_commit(*, to: str, language: str, compose: Callable[[], tuple[str, str]]) -> None:
    """Compose (subject, body) in `language` now, send it once the transaction commits.

    A failing mail server is logged, not raised: the change it reports has already been made.
    """
    with translation.override(language):
        subject, body = compose()

    def send() -> None:
        try:
            send_mail(subject, body, None, [to])
        except Exception:
            log.exception("accounts: could not send %r", subject)

    transaction.on_commit(send)


def invitation_message(*, invitation: Invitation, token: str) -> tuple[str, str]:
    firm = invitation.firm.name
    inviter = invitation.invited_by
    inviter_name = (inviter.get_full_name() or inviter.get_username()) if inviter else ""
    role = Membership.Role(invitation.role).label
    expires = formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
    subject = gettext("Invitation to join %(firm)s") % {"firm": firm}
    lines = [
        gettext("%(inviter)s invites you to join %(firm)s on Alliance Match as %(role)s.")
        % {"inviter": inviter_name, "firm": firm, "role": role},
        "",
        gettext("Accept the invitation here (the link works until %(date)s):") % {"date": expires},
        _link(reverse("web:invitation_accept", kwargs={"token": token})),
        "",
        gettext("Without an account yet, the page lets you create one first."),
        gettext("If you were not expecting this invitation, ignore this email."),
    ]
    return subject, "\n".join(lines)


def signup_known_address_message(*, user: User) -> tuple[str, str]:
    """To an address someone tried to sign up with again: its account, and a password-reset link."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset = reverse(
        "web:password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
    )
    lines = [
        gettext(
            "Someone, perhaps you, tried to create an Alliance Match account with this email address. "
            "It already has one: %(username)s."
        )
        % {"username": user.get_username()},
        "",
        gettext("Log in here:"),
        _link(reverse("web:login")),
        "",
        gettext("Choose a new password here:"),
        _link(reset),
        "",
        gettext("If it was not you, ignore this email: nothing has changed."),
    ]
    return gettext("Your Alliance Match account"), "\n".join(lines)


def email_confirmation_link(token: str) -> str:
    return _link(reverse("web:email_confirm", kwargs={"token": token}))


def _confirmation_lines(token: str) -> list[str]:
    return [
        ngettext(
            "Confirm that this email address is yours by following this link (it works for %(days)s day):",
            "Confirm that this email address is yours by following this link (it works for %(days)s days):",
            settings.EMAIL_CONFIRMATION_TTL_DAYS,
        )
        % {"days": settings.EMAIL_CONFIRMATION_TTL_DAYS},
        email_confirmation_link(token),
        gettext("Until you do, you cannot accept invitations to join a firm."),
    ]


def signup_welcome_message(*, user: User, token: str = "") -> tuple[str, str]:
    """To the address of a new account: it is ready, where to log in, and (with `token`) the link confirming the address."""
    lines = [
        gettext("Welcome to Alliance Match. Your account %(username)s is ready.") % {"username": user.get_username()},
        "",
        *([*_confirmation_lines(token), ""] if token else []),
        gettext("Log in with the password you chose, then register your firm:"),
        _link(reverse("web:login")),
        "",
        gettext("If it was not you who signed up, ignore this email or ask the administrators to remove the account."),
    ]
    return gettext("Your Alliance Match account"), "\n".join(lines)


def email_confirmation_message(*, user: User, address: str, token: str) -> tuple[str, str]:
    """To an address someone gave for their account (a change, or the link sent again): the confirming link."""
    lines = [
        gettext("%(email)s was given as the email address of the Alliance Match account %(username)s.")
        % {"email": address, "username": user.get_username()},
        "",
        *_confirmation_lines(token),
        "",
        gettext("If it was not you, ignore this email: without the link, nothing changes."),
    ]
    return gettext("Confirm your email address for Alliance Match"), "\n".join(lines)


def email_change_cancel_link(token: str) -> str:
    return _link(reverse("web:email_change_cancel", kwargs={"token": token}))


def email_change_requested_message(*, user: User, old: str, new: str, cancel_token: str) -> tuple[str, str]:
    """To the current address when a new one is asked for: nothing changes until the new one is
    confirmed, and this address can stop it."""
    lines = [
        gettext(
            "Someone signed in to the Alliance Match account %(username)s asked to change its email address "
            "from %(old)s to %(new)s. The change takes effect only when the link sent to %(new)s is followed."
        )
        % {"username": user.get_username(), "old": old, "new": new},
        "",
        gettext("If you did not ask for this, stop the change here:"),
        email_change_cancel_link(cancel_token),
        "",
        gettext(
            "If it was not you, someone else knows your password: ask the Alliance Match administrators "
            "to lock the account at once."
        ),
    ]
    return gettext("A change of your Alliance Match email address was requested"), "\n".join(lines)


def email_changed_message(*, user: User, old: str, new: str) -> tuple[str, str]:
    """To the address an account used to have."""
    lines = [
        gettext("The email address of the Alliance Match account %(username)s was changed from %(old)s to %(new)s.")
        % {"username": user.get_username(), "old": old, "new": new},
        "",
        gettext(
            "If it was not you, someone else knows your password: ask the Alliance Match administrators "
            "to lock the account at once."
        ),
    ]
    return gettext("The email address of your Alliance Match account was changed"), "\n".join(lines)
