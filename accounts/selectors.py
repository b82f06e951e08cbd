"""Reads for people, their API tokens and firm memberships."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import Membership, User
from alliance.models import Firm


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


def membership_list(*, firm: Firm) -> QuerySet[Membership]:
    return Membership.objects.filter(firm=firm).select_related("user").order_by("user__username", "id")


def membership_get(*, firm: Firm, membership_id: int) -> Membership:
    membership = Membership.objects.filter(firm=firm, pk=membership_id).select_related("user", "firm").first()
    if membership is None:
        raise Http404
    return membership
