"""Writes for people, their API tokens and their firm memberships.

Every rule raises `ApplicationError`, which the API turns into the one JSON error shape and
the management commands into a `CommandError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from knox.models import AuthToken
from knox.settings import knox_settings

from accounts.models import ApiTokenName, Membership, User
from alliance.errors import ApplicationError

if TYPE_CHECKING:
    from alliance.models import Firm


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
) -> User:
    """Create a person; the password must pass Django's AUTH_PASSWORD_VALIDATORS.

    `password_encoded`: its hash, already made (e.g. one hash shared by several demo users).
    """
    user = User(
        username=username,
        email=email,
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


def user_update(*, user: User, language: str | None = None, email: str | None = None) -> User:
    """Change a person's own settings (language, e-mail)."""
    if language is not None:
        user.language = language
    if email is not None:
        user.email = email
    _save_user(user)
    return user


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
        )
        return user, True
    _check_password(password, user)
    if password_encoded is not None:
        user.password = password_encoded
    elif not user.check_password(password):
        user.set_password(password)
    if email is not None:
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
    return not (
        Membership.objects.filter(firm_id=membership.firm_id, role=Membership.Role.OWNER)
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
    if actor.is_administrator:
        return
    if not Membership.objects.filter(firm=firm, user=actor, role=Membership.Role.OWNER).exists():
        raise ApplicationError(
            gettext("Only the firm's owners can manage its members."), code="permission_denied", status=403
        )


@transaction.atomic
def membership_set(*, firm: Firm, user: User, role: str) -> tuple[Membership, bool]:
    """Give `user` `role` in `firm` (create or change; idempotent). Returns (membership, created)."""
    if role not in Membership.Role.values:
        choices = ", ".join(Membership.Role.values)
        raise ApplicationError(
            gettext("Unknown role %(role)s; expected one of %(choices)s.") % {"role": repr(role), "choices": choices},
            fields={"role": [gettext("must be one of %(choices)s") % {"choices": choices}]},
        )
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
def membership_add(*, firm: Firm, actor: User, username: str, role: str) -> Membership:
    """An owner adds an existing person to their firm."""
    _lock_firm(firm)  # lock before the permission check, so it cannot go stale
    _require_manager(firm=firm, actor=actor)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ApplicationError(
            gettext("No active user named %(username)s.") % {"username": repr(username)},
            fields={"username": [gettext("no active user with this username")]},
        )
    if Membership.objects.filter(firm=firm, user=user).exists():
        raise ApplicationError(
            gettext("%(username)s is already a member of this firm; change their role instead.")
            % {"username": username},
            code="already_member",
            status=409,
            fields={"username": [gettext("already a member of this firm")]},
        )
    membership, _ = membership_set(firm=firm, user=user, role=role)
    return membership


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


@transaction.atomic
def user_signup(*, username: str, email: str, password: str, language: str = "") -> tuple[User, AuthToken, str]:
    """Self-service sign-up: a plain firm member with no firm yet, and a first API token.

    The person then creates their firm (POST /api/v1/firms/) and becomes its owner, pending review.
    """
    user = user_create(username=username, password=password, email=email, language=language)
    token, secret = token_create(user=user, name="sign-up")
    return user, token, secret


def token_purge_expired() -> int:
    """Delete expired API tokens (knox only removes one when someone tries to use it). Returns the count."""
    deleted, _ = AuthToken.objects.filter(expiry__lte=timezone.now()).delete()
    return deleted
