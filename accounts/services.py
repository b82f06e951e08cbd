"""Writes for people, their API tokens and their firm memberships.

Every rule raises `ApplicationError`, which the API turns into the one JSON error shape and
the management commands into a `CommandError`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language, gettext, ngettext
from knox.models import AuthToken
from knox.settings import knox_settings

from accounts import emails, selectors
from accounts.models import ApiTokenName, Invitation, Membership, ServiceAccount, User
from core.errors import ApplicationError
from core.permissions import TokenScope

if TYPE_CHECKING:
    from django.http import HttpRequest

    from registry.models import Firm


def _field_errors(exc: DjangoValidationError, field: str | None = None) -> dict[str, list[str]]:
    if field is not None:
        return {field: list(exc.messages)}
    return {name: list(messages) for name, messages in exc.message_dict.items()}


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ApplicationError(
            gettext("The password does not meet the rules."), code="invalid", fields=_field_errors(exc, "password")
        )


def _save_user(user: User) -> None:
    try:
        user.full_clean(exclude=["password"])
    except DjangoValidationError as exc:
        fields = _field_errors(exc)
        raise ApplicationError(
            gettext("Invalid user: %(problems)s") % {"problems": "; ".join(f"{k}: {v[0]}" for k, v in fields.items())},
            code="invalid",
            fields=fields,
        )
    user.save()


# --- Users ------------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    language: str = "",
    is_reviewer: bool = False,
    is_administrator: bool = False,
    password_encoded: str | None = None,
    email_confirmed: bool = False,
) -> User:
    """Create a person; the password must pass Django's AUTH_PASSWORD_VALIDATORS.

    `password_encoded`: its hash, already made (e.g. one hash shared by several demo users).
    `email_confirmed`: the address is known to be theirs (an operator set it, or an invitation sent to it).
    """
    user = User(
        username=username,
        email=email,
        email_confirmed_at=timezone.now() if email_confirmed and email else None,
        language=language,
        is_reviewer=is_reviewer,
        is_superuser=is_administrator,
        is_staff=is_administrator or is_reviewer,  # reviewers work in the Django admin too
    )
    _check_password(password, user)
    if password_encoded is not None:
        user.password = password_encoded
    else:
        user.set_password(password)
    _save_user(user)
    return user


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def _confirm_password(*, user: User, password: str | None, request: HttpRequest) -> None:
    """The person's current password, checked by the authentication backends: django-axes counts
    a wrong one as a failed log-in, so a stolen token cannot guess it for long."""
    if not password:
        raise ApplicationError(
            gettext("Enter your current password to make this change."),
            code="password_required",
            fields={"current_password": [gettext("This field is required.")]},
        )
    if authenticate(request, username=user.get_username(), password=password) != user:
        message = gettext("The current password is not correct.")
        raise ApplicationError(message, code="wrong_password", fields={"current_password": [message]})


def user_update(
    *,
    user: User,
    language: str | None = None,
    email: str | None = None,
    current_password: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Change a person's own settings (language, e-mail).

    A new e-mail needs the current password (checked for `request`) and does not replace the address
    at once: it waits in `pending_email` until the link emailed to it is followed (`email_confirm`), and
    the current address is told. Asking again replaces the pending address (the earlier link stops
    working); giving the current address back cancels the pending change.
    """
    if language is not None:
        user.language = language
    requested = ""
    if email is not None:
        new_email = _normalize_email(email)
        if new_email == user.email.lower():
            user.pending_email, user.pending_email_requested_at = "", None
        elif new_email == user.pending_email.lower():
            pass  # already waiting for its link: nothing is sent again (the resend call does that, limited)
        else:
            _confirm_password(user=user, password=current_password, request=request)
            user.pending_email, user.pending_email_requested_at = new_email, timezone.now()
            requested = new_email
    with transaction.atomic():
        _save_user(user)
        if requested:
            _confirmation_link_send(user=user, address=requested)
            if user.email:
                current, cancel = user.email, email_change_cancel_token(user=user)
                emails.send_after_commit(
                    to=current,
                    language=selectors.user_language(user=user),
                    compose=lambda: emails.email_change_requested_message(
                        user=user, old=current, new=requested, cancel_token=cancel
                    ),
                )
    return user


# --- Email confirmation -------------------------------------------------------------------------

_CONFIRMATION_SALT = "accounts.email-confirmation"


def _confirmation_stamp(*, user: User, address: str) -> str:
    """What ties a link for a pending address to that request: a later change makes the link stale."""
    if address == user.pending_email and user.pending_email_requested_at is not None:
        return user.pending_email_requested_at.isoformat()
    return ""


def _address_digest(address: str) -> str:
    """The address as the token carries it: a keyed hash, so the link (in logs, history, Referer
    headers) does not show the address it was sent to."""
    return salted_hmac(_CONFIRMATION_SALT, address.strip().lower()).hexdigest()[:32]


def email_confirmation_token(*, user: User, address: str) -> str:
    """A signed token naming the account and (as a keyed hash) the address it was sent to; see `email_confirm`."""
    payload = {"u": user.pk, "h": _address_digest(address), "s": _confirmation_stamp(user=user, address=address)}
    return signing.dumps(payload, salt=_CONFIRMATION_SALT)


def _confirmation_link_send(*, user: User, address: str) -> None:
    token = email_confirmation_token(user=user, address=address)
    emails.send_after_commit(
        to=address,
        language=selectors.user_language(user=user),
        compose=lambda: emails.email_confirmation_message(user=user, address=address, token=token),
    )


def email_confirmation_send(*, user: User) -> str:
    """Send the confirmation link again: to the pending address, else to the unconfirmed current one.
    Returns the address. Refused (naming `email`) when there is nothing to confirm."""
    if user.pending_email:
        address = user.pending_email
    elif not user.email:
        message = gettext("Your account has no email address: add one first.")
        raise ApplicationError(message, code="no_email", fields={"email": [message]})
    elif user.email_confirmed:
        message = gettext("Your email address %(email)s is already confirmed.") % {"email": user.email}
        raise ApplicationError(message, code="email_already_confirmed", status=409, fields={"email": [message]})
    else:
        address = user.email
    with transaction.atomic():
        _confirmation_link_send(user=user, address=address)
    return address


_CANCEL_SALT = "accounts.email-change-cancel"


def email_change_cancel_token(*, user: User) -> str:
    """For the current address: a link that stops the change of address now pending (and only that one)."""
    return signing.dumps(
        {"u": user.pk, "s": _confirmation_stamp(user=user, address=user.pending_email)}, salt=_CANCEL_SALT
    )


def _cancel_target(token: str) -> User:
    """The account whose pending change `token` (from the current address's email) may stop; refused,
    naming `token`, when the link is bad or that change is no longer pending (confirmed, replaced, cancelled)."""
    max_age = timedelta(days=settings.EMAIL_CONFIRMATION_TTL_DAYS)
    try:
        payload = signing.loads(token or "", salt=_CANCEL_SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired included: the change's own link has expired too
        payload = None
    user = None
    if isinstance(payload, dict) and isinstance(payload.get("u"), int) and isinstance(payload.get("s"), str):
        user = User.objects.filter(pk=payload["u"], is_active=True).first()
    if (
        user is None
        or not user.pending_email
        or not payload["s"]
        or payload["s"] != _confirmation_stamp(user=user, address=user.pending_email)
    ):
        message = gettext(
            "There is no change of address to stop with this link: it was confirmed, replaced or stopped already."
        )
        raise ApplicationError(message, code="nothing_to_cancel", fields={"token": [message]})
    return user


def email_change_cancel_read(*, token: str) -> User:
    return _cancel_target(token)


@transaction.atomic
def email_change_cancel(*, token: str) -> User:
    """Follow the current address's "stop this change" link: the pending address is dropped, its link
    stops working. Someone who learnt the password cannot move the account's address away unseen."""
    user = _cancel_target(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    user = _cancel_target(token)  # again under the lock: the change may have been confirmed meanwhile
    user.pending_email, user.pending_email_requested_at = "", None
    user.save(update_fields=["pending_email", "pending_email_requested_at"])
    return user


def _confirmation_refused(code: str, problem: str) -> ApplicationError:
    message = f"{problem} " + gettext(
        "Log in and have a new link sent from your account's email page (or POST /api/v1/me/email-confirmation/)."
    )
    return ApplicationError(message, code=code, fields={"token": [message]})


def email_confirmation_read(*, token: str) -> tuple[User, str]:
    """The account and address a confirmation link is for, if the link is still good (it is not
    used up: `email_confirm` does that). Refused, naming `token`: tampered, expired, or stale
    (a later change of address replaced the one it was sent to)."""
    max_age = timedelta(days=settings.EMAIL_CONFIRMATION_TTL_DAYS)
    try:
        payload = signing.loads(token or "", salt=_CONFIRMATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise _confirmation_refused(
            "confirmation_expired",
            ngettext(
                "This confirmation link has expired: links work for %(days)s day.",
                "This confirmation link has expired: links work for %(days)s days.",
                settings.EMAIL_CONFIRMATION_TTL_DAYS,
            )
            % {"days": settings.EMAIL_CONFIRMATION_TTL_DAYS},
        )
    except signing.BadSignature:
        payload = None
    valid = (
        isinstance(payload, dict)
        and isinstance(payload.get("u"), int)
        and isinstance(payload.get("h"), str)
        and isinstance(payload.get("s"), str)
    )
    user = User.objects.filter(pk=payload["u"], is_active=True).first() if valid else None
    if user is None:
        raise _confirmation_refused(
            "confirmation_invalid",
            gettext("This confirmation link is not valid: it may be incomplete; copy the whole link from the email."),
        )
    digest, stamp = payload["h"], payload["s"]
    if user.email and constant_time_compare(digest, _address_digest(user.email)):
        return user, user.email.lower()
    if (
        user.pending_email
        and constant_time_compare(digest, _address_digest(user.pending_email))
        and stamp == _confirmation_stamp(user=user, address=user.pending_email)
    ):
        return user, user.pending_email.lower()
    raise _confirmation_refused(
        "confirmation_replaced",
        gettext(
            "This confirmation link no longer works: the account's email address was changed again after it was sent."
        ),
    )


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """Follow a confirmation link: its address becomes the account's confirmed address.

    For the current address it is marked confirmed (again: no harm); a pending address replaces the
    current one, which is told, unless another account has started using it meanwhile (409 naming
    `email`: an address belongs to one account, as sign-up keeps it).
    """
    user, address = email_confirmation_read(token=token)
    user = User.objects.select_for_update().get(pk=user.pk)
    user, address = email_confirmation_read(token=token)  # again, under the lock: a change may have won the race
    now = timezone.now()
    if address == user.email.lower():
        if user.email_confirmed_at is None:
            user.email_confirmed_at = now
            user.save(update_fields=["email_confirmed_at"])
        return user
    if User.objects.filter(email__iexact=address).exclude(pk=user.pk).exists():
        message = gettext("Another account already uses %(email)s, so it cannot become this account's address.") % {
            "email": address
        }
        raise ApplicationError(message, code="email_taken", status=409, fields={"email": [message]})
    old = user.email
    user.email, user.email_confirmed_at = address, now
    user.pending_email, user.pending_email_requested_at = "", None
    user.save(update_fields=["email", "email_confirmed_at", "pending_email", "pending_email_requested_at"])
    if old:
        emails.send_after_commit(
            to=old,
            language=selectors.user_language(user=user),
            compose=lambda: emails.email_changed_message(user=user, old=old, new=address),
        )
    return user


def user_tokens_revoke(*, user: User, keep: AuthToken | None = None) -> None:
    """Revoke every API token of the user but `keep` (the one a change was just made with)."""
    tokens = AuthToken.objects.filter(user=user)
    if keep is not None:
        tokens = tokens.exclude(pk=keep.pk)
    tokens.delete()


@transaction.atomic
def user_password_set(*, user: User, password: str, keep_token: AuthToken | None = None) -> User:
    """Give a person a new password (by the rules) and revoke what the old one let anyone keep.

    Every API token but `keep_token` is deleted. Every session ends at its next request, as Django
    checks sessions against the password hash; a caller that keeps the current session calls
    `update_session_auth_hash`. The one place where a password changes: a change, a reset, the admin.
    """
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    user_tokens_revoke(user=user, keep=keep_token)
    return user


def user_password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    request: HttpRequest,
    keep_token: AuthToken | None = None,
) -> User:
    """A signed-in person changes their own password, proving the current one first."""
    _confirm_password(user=user, password=current_password, request=request)
    try:
        return user_password_set(user=user, password=new_password, keep_token=keep_token)
    except ApplicationError as exc:
        exc.fields = {"new_password": exc.fields.get("password", [])}
        raise


@transaction.atomic
def user_provision(
    *,
    username: str,
    password: str,
    email: str | None = None,
    is_reviewer: bool = False,
    is_administrator: bool = False,
    password_encoded: str | None = None,
) -> tuple[User, bool]:
    """Create or update a person for an operator (idempotent). Returns (user, created).

    Roles are only ever added here: provisioning someone as a firm member does not take away
    a reviewer flag an operator gave them earlier. With `password_encoded` (a hash of `password`
    made once by the caller) a rerun compares strings instead of paying for a hash per user.
    """
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            password=password,
            email=email or "",
            is_reviewer=is_reviewer,
            is_administrator=is_administrator,
            password_encoded=password_encoded,
            email_confirmed=True,  # an operator vouches for the address
        )
        return user, True
    _check_password(password, user)
    if password_encoded is not None:
        user.password = password_encoded  # demo seeding: the same password again, freshly salted
    elif not user.check_password(password):
        user.set_password(password)
        user_tokens_revoke(user=user)  # as user_password_set: a new password ends the old tokens
    if email is not None:
        if email.lower() != user.email.lower() or user.email_confirmed_at is None:
            user.email_confirmed_at = timezone.now() if email else None  # an operator vouches for the address
        if email.lower() == user.pending_email:
            user.pending_email, user.pending_email_requested_at = "", None
        user.email = email
    if is_reviewer:
        user.is_reviewer = True
        user.is_staff = True
    if is_administrator:
        user.is_superuser = user.is_staff = True
    user.is_active = True
    _save_user(user)
    return user, False


# --- API tokens -------------------------------------------------------------------------------


def _active_tokens(user: User):
    return AuthToken.objects.filter(user=user).filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))


@transaction.atomic
def token_create(*, user: User, name: str = "") -> tuple[AuthToken, str]:
    """Issue a new API token; returns (token row, the secret shown once). Only a hash is stored."""
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    # Lock the user row so two concurrent log-ins cannot both slip under the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if limit is not None and _active_tokens(user).count() >= limit:
        raise ApplicationError(
            gettext("You already have %(limit)s active API tokens, the maximum. Revoke one first.") % {"limit": limit},
            code="token_limit_reached",
            status=403,
        )
    token, secret = AuthToken.objects.create(user=user)
    if name:
        ApiTokenName.objects.create(token=token, name=name)
    return token, secret


def token_revoke(*, user: User, token_key: str) -> None:
    """Revoke one of the user's tokens by its public key; someone else's key is 'not found'."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise ApplicationError(gettext("No such token."), code="not_found", status=404)


def token_revoke_current(*, token: AuthToken) -> None:
    token.delete()


# --- Memberships ------------------------------------------------------------------------------


def _lock_firm(firm: Firm) -> None:
    # Serialises membership changes per firm, so two owners demoting each other at the same
    # moment cannot leave the firm without an owner.
    type(firm).objects.select_for_update().filter(pk=firm.pk).first()


def _is_last_owner(membership: Membership) -> bool:
    if membership.role != Membership.Role.OWNER:
        return False
    # A service account may hold the owner role (for webhooks:manage); it never counts as the firm's owner.
    return not (
        Membership.objects.filter(
            firm_id=membership.firm_id, role=Membership.Role.OWNER, user__is_service_account=False
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_check_keeps_owner(*, membership: Membership, new_role: str | None) -> None:
    """Raise if changing `membership` to `new_role` (None: removing it) would leave its firm without an owner."""
    stored = Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()
    if stored is None or new_role == Membership.Role.OWNER:
        return
    current = Membership(pk=membership.pk, firm_id=membership.firm_id, role=stored)
    if _is_last_owner(current):
        raise ApplicationError(
            gettext("A firm must keep at least one owner; make someone else owner first."),
            code="last_owner",
            status=409,
            fields={"role": [gettext("the last owner cannot be demoted or removed")]},
        )


def _require_manager(*, firm: Firm, actor: User) -> None:
    if not selectors.user_manages_firm(firm=firm, user=actor):
        raise ApplicationError(
            gettext("Only the firm's owners can manage its members."), code="permission_denied", status=403
        )


def _check_role(role: str) -> None:
    if role not in Membership.Role.values:
        choices = ", ".join(Membership.Role.values)
        raise ApplicationError(
            gettext("Unknown role %(role)s; expected one of %(choices)s.") % {"role": repr(role), "choices": choices},
            fields={"role": [gettext("must be one of %(choices)s") % {"choices": choices}]},
        )


@transaction.atomic
def membership_set(*, firm: Firm, user: User, role: str) -> tuple[Membership, bool]:
    """Give `user` `role` in `firm` (create or change; idempotent). Returns (membership, created)."""
    _check_role(role)
    _lock_firm(firm)
    membership = Membership.objects.filter(firm=firm, user=user).first()
    if membership is None:
        return Membership.objects.create(firm=firm, user=user, role=role), True
    if membership.role != role:
        membership_check_keeps_owner(membership=membership, new_role=role)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership, False


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    _lock_firm(membership.firm)  # lock before the permission check, so it cannot go stale
    _require_manager(firm=membership.firm, actor=actor)
    membership, _ = membership_set(firm=membership.firm, user=membership.user, role=role)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """An owner removes a member, or a member leaves; the last owner can do neither."""
    _lock_firm(membership.firm)
    if membership.user_id != actor.pk:
        _require_manager(firm=membership.firm, actor=actor)
    membership_check_keeps_owner(membership=membership, new_role=None)
    membership.delete()


# --- Invitations ------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(*, firm: Firm, actor: User, email: str, role: str) -> Invitation:
    """An owner invites an address to join the firm with `role`; the link is emailed after commit.

    Whether the address has an account, or is already a member, changes nothing the owner sees:
    the invitation is the same and only the person who opens the link learns anything. Inviting
    the same address again replaces its open invitation (a new link; the old one stops working).
    """
    _lock_firm(firm)  # lock before the permission check, so it cannot go stale
    _require_manager(firm=firm, actor=actor)
    _check_role(role)
    email = email.strip()
    now = timezone.now()
    Invitation.objects.filter(firm=firm, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        firm=firm,
        email=email,
        role=role,
        invited_by=actor,
        token_hash=selectors.invitation_token_hash(token),
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    try:
        invitation.full_clean(exclude=["token_hash"])
    except DjangoValidationError as exc:
        raise ApplicationError(gettext("The invitation is not valid."), fields=_field_errors(exc))
    invitation.save()
    recipient = selectors.user_for_email(email=email)
    emails.send_after_commit(
        to=email,
        language=selectors.user_language(user=recipient) if recipient else settings.LANGUAGE_CODE,
        compose=lambda: emails.invitation_message(invitation=invitation, token=token),
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, firm: Firm, invitation_id: int, actor: User) -> None:
    """An owner withdraws an open invitation: its link stops working. 404 for any other id."""
    _lock_firm(firm)
    _require_manager(firm=firm, actor=actor)  # before the lookup: non-owners learn nothing about ids
    invitation = selectors.invitation_get(firm=firm, invitation_id=invitation_id)
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _invitation_invalid() -> ApplicationError:
    message = gettext("This invitation link is not valid: it expired, was withdrawn or was already used.")
    return ApplicationError(message, code="invitation_invalid", fields={"token": [message]})


def _invitation_other_address(invitation: Invitation) -> str:
    return gettext(
        "This invitation was sent to %(email)s. Log in with that address, or ask the firm's owner to invite you."
    ) % {"email": selectors.email_masked(invitation.email)}


def invitation_require_addressee(*, invitation: Invitation, user: User) -> None:
    """Refuse anyone but the account using the invited address (403 `invitation_other_address`, naming
    `token`), and that account too until it confirmed the address (403 `email_not_confirmed`, naming
    `email`): typing an address into one's account proves nothing; following the link sent to it does."""
    invited = invitation.email.strip().lower()
    if not selectors.invitation_addressed_to(invitation=invitation, user=user):
        if user.pending_email and user.pending_email == invited:
            message = gettext(
                "Your new email address %(email)s is not confirmed yet: follow the link we sent to it, "
                "then accept the invitation."
            ) % {"email": user.pending_email}
            raise ApplicationError(message, code="email_not_confirmed", status=403, fields={"email": [message]})
        message = _invitation_other_address(invitation)
        raise ApplicationError(message, code="invitation_other_address", status=403, fields={"token": [message]})
    if not user.email_confirmed:
        message = gettext(
            "Confirm your email address %(email)s first: follow the link we sent to it (or have it sent again), "
            "then accept the invitation."
        ) % {"email": user.email}
        raise ApplicationError(message, code="email_not_confirmed", status=403, fields={"email": [message]})


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """The invited person, signed in, joins the firm with the invitation's role. Once per link.

    Both are needed: the link, and an account using the address it was sent to (any letter case),
    confirmed. Anyone else is refused and the invitation stays open for the right person.
    """
    found = selectors.invitation_for_token(token=token)
    if found is None:
        raise _invitation_invalid()
    _lock_firm(found.firm)  # the firm first, as invitation_create does, so the two never deadlock
    # Lock the row so two clicks on the link cannot both accept it.
    invitation = Invitation.objects.select_for_update().filter(pk=found.pk).first()
    if invitation is None or invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= timezone.now():
        raise _invitation_invalid()
    invitation_require_addressee(invitation=invitation, user=user)
    if Membership.objects.filter(firm=invitation.firm_id, user=user).exists():
        raise ApplicationError(
            gettext("You are already a member of this firm; an owner can change your role."),
            code="already_member",
            status=409,
        )
    membership, _ = membership_set(firm=found.firm, user=user, role=invitation.role)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


# --- Sign-up ----------------------------------------------------------------------------------


def _active_language() -> str:
    """The language of the request being served, if it is one the site speaks ("" otherwise)."""
    language = (get_language() or "").split("-")[0]
    return language if language in User.Language.values and language else ""


def user_language_fill(*, user: User) -> None:
    """At log-in: a person who never chose a language keeps the one they browse in (for emails and
    notifications sent when they are not there). A saved choice is never changed here."""
    if user.language or user.is_service_account:
        return
    language = _active_language()
    if language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def user_register(
    *, username: str, email: str, password: str, language: str = "", invitation_token: str = ""
) -> User | None:
    """Self-service sign-up, the one rule set of the API and the web form: a plain firm member.

    Refused (400, naming the field): a username taken in any letter case, a password against the
    rules, a malformed name or address. Otherwise the answer is the same whether or not the address
    already has an account, so sign-up cannot tell anyone which addresses are registered: a new
    account's address gets a welcome email with the log-in link; an address that already has one
    gets no second account but an email with its log-in and a password-reset link, and None is
    returned. Neither signs anyone in: the person logs in with the password they chose.

    Without `language` the account keeps the language the person signs up in. With `invitation_token`
    (signing up from an invitation's link) the address must be the invited one, which alone can accept it;
    the address then counts as confirmed (the token was emailed there). Otherwise the welcome email
    carries the link that confirms it.
    """
    email = _normalize_email(email)
    language = language or _active_language()
    candidate = User(username=username, email=email, language=language)
    problems: dict[str, list[str]] = {}
    try:
        candidate.full_clean(exclude=["password"])
    except DjangoValidationError as exc:
        problems.update(_field_errors(exc))
    invitation = selectors.invitation_for_token(token=invitation_token) if invitation_token else None
    if invitation is not None and "email" not in problems and email != invitation.email.strip().lower():
        problems["email"] = [
            gettext("This invitation was sent to %(email)s: sign up with that address to accept it.")
            % {"email": selectors.email_masked(invitation.email)}
        ]
    if "username" not in problems and User.objects.filter(username__iexact=username).exists():
        problems["username"] = [gettext("A user with that username already exists.")]
    try:
        _check_password(password, candidate)
    except ApplicationError as exc:
        problems.update(exc.fields)
    if problems:
        raise ApplicationError(
            gettext("Invalid user: %(problems)s")
            % {"problems": "; ".join(f"{k}: {v[0]}" for k, v in problems.items())},
            code="invalid",
            fields=problems,
        )
    if User.objects.filter(email__iexact=email).exists():
        make_password(password)  # as long as creating the account would take: timing tells nothing either
        holder = selectors.user_for_email(email=email)
        if holder is not None:  # a deactivated account's address is told nothing
            emails.send_after_commit(
                to=holder.email,
                language=selectors.user_language(user=holder),
                compose=lambda: emails.signup_known_address_message(user=holder),
            )
        return None
    user = user_create(
        username=username, password=password, email=email, language=language, email_confirmed=invitation is not None
    )
    token = "" if invitation is not None else email_confirmation_token(user=user, address=user.email)
    emails.send_after_commit(
        to=user.email,
        language=language or settings.LANGUAGE_CODE,
        compose=lambda: emails.signup_welcome_message(user=user, token=token),
    )
    return user


def token_purge_expired() -> int:
    """Delete expired API tokens (knox only removes one when someone tries to use it). Returns the count."""
    deleted, _ = AuthToken.objects.filter(expiry__lte=timezone.now()).delete()
    return deleted


# --- Service accounts -----------------------------------------------------------------------------


def _service_account_role(scopes: list[str]) -> str:
    """The membership a service account needs for its scopes; the scopes then limit what it may do."""
    if TokenScope.WEBHOOKS_MANAGE in scopes:
        return Membership.Role.OWNER  # webhooks are for the firm's owners
    if any(scope.endswith(":write") for scope in scopes):
        return Membership.Role.EDITOR
    return Membership.Role.VIEWER


def _check_service_account(*, firm: Firm, name: str, scopes: list[str]) -> tuple[str, list[str]]:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(gettext("Give the service account a name."), fields={"name": [gettext("required")]})
    if len(name) > 100:
        raise ApplicationError(gettext("The name is too long."), fields={"name": [gettext("at most 100 characters")]})
    unknown = [scope for scope in scopes if scope not in TokenScope.values]
    if unknown or not scopes:
        choices = ", ".join(TokenScope.values)
        message = (
            gettext("Unknown scope %(scope)s; expected some of %(choices)s.")
            % {"scope": unknown[0], "choices": choices}
            if unknown
            else gettext("Choose at least one scope.")
        )
        raise ApplicationError(
            message, fields={"scopes": [gettext("one or more of %(choices)s") % {"choices": choices}]}
        )
    if ServiceAccount.objects.filter(firm=firm, name__iexact=name, revoked_at__isnull=True).exists():
        raise ApplicationError(
            gettext("The firm already has a service account with this name."),
            fields={"name": [gettext("already used by another service account of the firm")]},
        )
    return name, [scope for scope in TokenScope.values if scope in scopes]  # deduplicated, in a stable order


@transaction.atomic
def service_account_create(*, firm: Firm, actor: User, name: str, scopes: list[str]) -> tuple[ServiceAccount, str]:
    """An owner creates an integration's account and its token. Returns (account, the token secret,
    shown once: only knox's hash of it is stored)."""
    _lock_firm(firm)
    _require_manager(firm=firm, actor=actor)
    name, scopes = _check_service_account(firm=firm, name=name, scopes=scopes)
    user = User(username=f"svc-{firm.pk}-{secrets.token_hex(6)}", is_service_account=True)
    user.set_unusable_password()  # it never logs in: its token is its only credential
    user.save()
    Membership.objects.create(firm=firm, user=user, role=_service_account_role(scopes))
    account = ServiceAccount.objects.create(user=user, firm=firm, name=name, scopes=scopes, created_by=actor)
    ttl = timedelta(days=settings.SERVICE_ACCOUNT_TOKEN_TTL_DAYS)
    token, secret = AuthToken.objects.create(user=user, expiry=ttl)
    ApiTokenName.objects.create(token=token, name=name)
    return account, secret


SERVICE_ACCOUNT_OVERLAP_MAX_HOURS = 168


@transaction.atomic
def service_account_token_rotate(
    *, firm: Firm, actor: User, account_id: int, overlap_hours: int | None = None
) -> tuple[ServiceAccount, str]:
    """A new token for the account (its secret returned, shown once). The token in use keeps working for
    `overlap_hours` (SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS by default; never longer than it had), so the
    integration can switch without an outage; a token an earlier rotation left running ends now."""
    _lock_firm(firm)
    _require_manager(firm=firm, actor=actor)
    hours = settings.SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS if overlap_hours is None else overlap_hours
    if not 0 <= hours <= SERVICE_ACCOUNT_OVERLAP_MAX_HOURS:
        rule = gettext("from 0 to %(max)s hours") % {"max": SERVICE_ACCOUNT_OVERLAP_MAX_HOURS}
        raise ApplicationError(gettext("The overlap is out of range."), fields={"overlap_hours": [rule]})
    account = ServiceAccount.objects.filter(firm=firm, pk=account_id, revoked_at__isnull=True).first()
    if account is None:
        raise ApplicationError(gettext("No such service account."), code="not_found", status=404)
    now = timezone.now()
    tokens = list(AuthToken.objects.filter(user_id=account.user_id).order_by("-created"))
    AuthToken.objects.filter(pk__in=[t.pk for t in tokens[1:]]).delete()  # at most two tokens at once
    if tokens:
        ends = now + timedelta(hours=hours)
        if hours == 0:
            tokens[0].delete()
        elif tokens[0].expiry is None or tokens[0].expiry > ends:
            AuthToken.objects.filter(pk=tokens[0].pk).update(expiry=ends)
    token, secret = AuthToken.objects.create(
        user=account.user, expiry=timedelta(days=settings.SERVICE_ACCOUNT_TOKEN_TTL_DAYS)
    )
    ApiTokenName.objects.create(token=token, name=account.name)
    return account, secret


@transaction.atomic
def service_account_revoke(*, firm: Firm, actor: User, account_id: int) -> None:
    """Its token stops working at once (401); the account stays listed as revoked, for the record."""
    _lock_firm(firm)
    _require_manager(firm=firm, actor=actor)
    account = ServiceAccount.objects.filter(firm=firm, pk=account_id, revoked_at__isnull=True).first()
    if account is None:
        raise ApplicationError(gettext("No such service account."), code="not_found", status=404)
    AuthToken.objects.filter(user_id=account.user_id).delete()
    Membership.objects.filter(user_id=account.user_id).delete()
    User.objects.filter(pk=account.user_id).update(is_active=False)
    account.revoked_at = timezone.now()
    account.save(update_fields=["revoked_at"])
