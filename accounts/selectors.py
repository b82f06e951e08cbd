"""Reads for people, their API tokens, firm memberships and invitations."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from knox.models import AuthToken

from accounts.models import Invitation, Membership, ServiceAccount, User
from core.errors import ApplicationError
from registry.models import Firm


def user_language(*, user: User) -> str:
    """The language a person reads emails and notifications in: their saved choice, else English."""
    return user.language or "en"


def email_masked(email: str) -> str:
    """An address shown to someone who may not be its holder: its first letter and its domain (s***@example.org)."""
    local, _, domain = email.strip().lower().partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def invitation_addressed_to(*, invitation: Invitation, user: User) -> bool:
    """Only the account using the invited address (any letter case) may accept an invitation: a link
    forwarded, leaked or opened in someone else's session joins no one."""
    email = (user.email or "").strip().lower()
    return bool(email) and email == invitation.email.strip().lower()


def email_change_sends_link(*, user: User, email: str) -> bool:
    """Whether asking for `email` as the new address would email a link (it counts towards the
    confirmation-link limit): not for the current address (that cancels) nor the one already pending."""
    email = email.strip().lower()
    return email not in (user.email.lower(), user.pending_email.lower())


def email_change_next_step(*, user: User) -> str:
    """What happens after a change of address was asked for: said by the API's answer and the page."""
    if not user.pending_email:
        return ""
    n = settings.EMAIL_CONFIRMATION_TTL_DAYS
    values = {
        "new": user.pending_email,
        "old": user.email,
        "within": ngettext("within %(n)s day", "within %(n)s days", n) % {"n": n},
    }
    if user.email:
        return (
            gettext("We have sent a link to %(new)s. Your address stays %(old)s until you follow it (%(within)s).")
            % values
        )
    return gettext("We have sent a link to %(new)s. It becomes your address when you follow it (%(within)s).") % values


def user_for_email(*, email: str) -> User | None:
    """The active account using this address (case-insensitive), if any."""
    return User.objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk").first()


def user_memberships(*, user: User) -> QuerySet[Membership]:
    """The user's memberships with their firms, in one query."""
    return (
        Membership.objects.filter(user=user)
        .select_related("firm")
        .only("id", "role", "firm__id", "firm__ref", "firm__name", "firm__status", "firm__country", "firm__side")
        .order_by("firm__name", "firm_id")
    )


def token_list(*, user: User) -> QuerySet[AuthToken]:
    """The user's tokens that still work, newest first, with their labels."""
    return (
        AuthToken.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .select_related("label")
        .order_by("-created")
    )


def firm_for_member_management(*, firm_id: int, user: User) -> Firm:
    """The firm whose members `user` may see: its own members, reviewers and administrators.

    Anyone else gets 404, not 403, so outsiders cannot probe which firm ids exist.
    """
    firm = Firm.objects.filter(pk=firm_id).first()
    if firm is None:
        raise Http404
    if user.can_review or Membership.objects.filter(firm=firm, user=user).exists():
        return firm
    raise Http404


def user_manages_firm(*, firm: Firm, user: User) -> bool:
    """Owners manage a firm's members and invitations; so do administrators."""
    if user.is_administrator:
        return True
    return Membership.objects.filter(firm=firm, user=user, role=Membership.Role.OWNER).exists()


def member_emails_visible(*, firm: Firm, user: User) -> bool:
    """Members' addresses are for the firm's owners, reviewers and administrators; other members
    see names and roles (and their own address)."""
    return user.can_review or user_manages_firm(firm=firm, user=user)


def membership_list(*, firm: Firm) -> QuerySet[Membership]:
    """The firm's people; its service accounts are listed on their own page."""
    return (
        Membership.objects.filter(firm=firm, user__is_service_account=False)
        .select_related("user")
        .order_by("user__username", "id")
    )


def membership_get(*, firm: Firm, membership_id: int) -> Membership:
    membership = (
        Membership.objects.filter(firm=firm, pk=membership_id, user__is_service_account=False)
        .select_related("user", "firm")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _open_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def invitation_list_open(*, firm: Firm, user: User) -> QuerySet[Invitation]:
    """The firm's invitations still waiting for an answer, newest first: for its owners and administrators."""
    if not user_manages_firm(firm=firm, user=user):
        raise ApplicationError(
            gettext("Only the firm's owners can see its invitations."), code="permission_denied", status=403
        )
    return _open_invitations().filter(firm=firm).order_by("-created_at", "-id")


def invitation_get(*, firm: Firm, invitation_id: int) -> Invitation:
    invitation = _open_invitations().filter(firm=firm, pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def invitation_for_token(*, token: str) -> Invitation | None:
    """The open invitation this emailed token belongs to, with its firm; None for any other token."""
    if not token or len(token) > 200:
        return None
    return _open_invitations().filter(token_hash=invitation_token_hash(token)).select_related("firm").first()


def service_account_tokens(*, account: ServiceAccount) -> list:
    """The account's tokens that still work, newest first: one, or two during a rotation's overlap
    (from the prefetched `user__auth_token_set` of service_account_list)."""
    now = timezone.now()
    tokens = [t for t in account.user.auth_token_set.all() if t.expiry is None or t.expiry > now]
    return sorted(tokens, key=lambda t: t.created, reverse=True)


def service_account_list(*, firm: Firm, user: User) -> QuerySet[ServiceAccount]:
    """The firm's service accounts still in use, newest first, with their token's key and expiry:
    for its owners and administrators (403 for other members)."""
    if not user_manages_firm(firm=firm, user=user):
        raise ApplicationError(
            gettext("Only the firm's owners can manage its service accounts."), code="permission_denied", status=403
        )
    return (
        ServiceAccount.objects.filter(firm=firm, revoked_at__isnull=True)
        .select_related("created_by", "user")
        .prefetch_related("user__auth_token_set")
        .order_by("-created_at", "-id")
    )
