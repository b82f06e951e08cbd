"""Reads of the firm registry."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import providers
from registry.exchange import SCREENED_FIELDS
from registry.models import BeneficialOwner, Capability, Firm, FirmRevision, Platform

BLOCKING_OWNER_COUNTRIES = ("RU", "BY")
BLOCKING_OWNER_SHARE = 10


def firm_blocking_owners(*, firm: Firm) -> QuerySet[BeneficialOwner]:
    """Declared owners above 10% from Russia or Belarus: any one of them keeps the firm out of matching."""
    return firm.beneficial_owners.filter(country__in=BLOCKING_OWNER_COUNTRIES, share_percent__gt=BLOCKING_OWNER_SHARE)


def firm_owner_lines(*, firm: Firm) -> list[str]:
    """The firm's declared beneficial owners as its profile history records them, largest share first:
    `["Taras Holding (UA) 25.00%", ...]` (a declaration with the same owners in another order is no change)."""
    owners = firm.beneficial_owners.order_by().values_list("name", "country", "share_percent")
    ordered = sorted(owners, key=lambda o: (-o[2], o[0], o[1]))
    return [f"{name} ({country}) {share:.2f}%" for name, country, share in ordered]


# Who may be matched and introduced: ONE rule, in two forms kept in step by these constants:
# `firm_matching_block` for one firm (the review transitions, contacts) and
# `firms_eligible_for_matching` as a queryset (match runs, rematches, the directory, the compliance
# API). The queryset also leaves out stale profiles (`Firm.objects.stale`): they are paused, not
# offered to anyone new, but a stale firm's introductions already under way go on.
MATCHING_STATUSES = (Firm.Status.VERIFIED,)
MATCHING_SCREENING_STATUSES = (Firm.ScreeningStatus.CLEAR, Firm.ScreeningStatus.FALSE_POSITIVE)
# Reasons `firm_matching_block` gives, also the API error codes of a refused review transition.
BLOCK_NOT_VERIFIED = "firm_suspended"  # pending (re-)verification or suspended
BLOCK_SCREENING = "screening_pending"  # a potential or confirmed sanctions match
BLOCK_OWNER = "blocking_owner"  # a declared Russian or Belarusian owner above 10%
# A change to any of these sends a verified firm back to pending (re-verification): the fields
# sanctions screening reads.
IDENTITY_FIELDS = SCREENED_FIELDS


def firm_matching_block(*, firm: Firm, owners: bool = True) -> str | None:
    """Why `firm` may not be matched or introduced now (one of the BLOCK_* codes), or None if it may.

    `owners=False` skips the beneficial-owner query (per-row checks on lists: status and screening only).
    """
    if firm.status not in MATCHING_STATUSES:
        return BLOCK_NOT_VERIFIED
    if firm.screening_status not in MATCHING_SCREENING_STATUSES:
        return BLOCK_SCREENING
    if owners and firm_blocking_owners(firm=firm).exists():
        return BLOCK_OWNER
    return None


def firms_eligible_for_matching() -> QuerySet[Firm]:
    """The firms `firm_matching_block` lets through (verified, not held back by screening nor by a
    Russian or Belarusian beneficial owner) whose profile is not stale."""
    blocking_owner = BeneficialOwner.objects.filter(
        firm=OuterRef("pk"), country__in=BLOCKING_OWNER_COUNTRIES, share_percent__gt=BLOCKING_OWNER_SHARE
    )
    return (
        Firm.objects.fresh()
        .filter(status__in=MATCHING_STATUSES, screening_status__in=MATCHING_SCREENING_STATUSES)
        .exclude(Exists(blocking_owner))
    )


# Owners and editors are reminded this many days before their profile goes stale or a
# certification expires (registry.freshness); dashboards warn from the first of them on.
FRESHNESS_REMINDER_DAYS = (30, 7)
FRESHNESS_WARNING_DAYS = max(FRESHNESS_REMINDER_DAYS)


@dataclass(frozen=True)
class Freshness:
    confirmed_at: dt.datetime
    stale_on: dt.datetime
    stale: bool
    warn: bool  # stale, or stale within FRESHNESS_WARNING_DAYS
    certifications: list[tuple[str, dt.date, bool]]  # (code, last valid day, expires within the window)


def firm_freshness(*, firm: Firm, now: dt.datetime | None = None) -> Freshness:
    """How current a firm's profile is, for its members' dashboard (no query)."""
    now = now or timezone.now()
    soon = timezone.localdate(now) + dt.timedelta(days=FRESHNESS_WARNING_DAYS)
    certifications = []
    for code in firm.certifications:
        day = (firm.certification_expiry or {}).get(code)
        if day:
            last = dt.date.fromisoformat(day)
            certifications.append((code, last, last <= soon))
    return Freshness(
        confirmed_at=firm.confirmed_at,
        stale_on=firm.stale_on,
        stale=firm.is_stale(now),
        warn=firm.is_stale(now + dt.timedelta(days=FRESHNESS_WARNING_DAYS)),
        certifications=certifications,
    )


def firm_intro_capacity_expression() -> Coalesce:
    """How many introductions a firm takes at once, as the matching core's `override`: the
    ministry's override where set, else the firm's own setting, else NULL (a default by size)."""
    return Coalesce("intro_capacity_override", "intro_capacity")


def firm_intro_capacity(*, firm: Firm) -> int | None:
    """`firm_intro_capacity_expression` for one saved firm (None: the size default applies)."""
    return (
        Firm.objects.filter(pk=firm.pk)
        .annotate(effective_intro_capacity=firm_intro_capacity_expression())
        .values_list("effective_intro_capacity", flat=True)
        .first()
    )


# --- Visibility of firms and their private parts ---------------------------------------------
# Reviewers and administrators see every firm in full. Other signed-in people see verified
# firms' public profiles, plus their own firms whatever the status. A firm's contact is
# private: its members and reviewers see it, and the other firm of a connected introduction
# (`review.selectors.firm_ids_connected_with`, asked through core.providers).


def _member_firm_ids(user) -> QuerySet:
    from accounts.models import Membership

    return Membership.objects.filter(user=user).values("firm_id")


def firm_list_visible_to(*, user) -> QuerySet[Firm]:
    """Firms `user` may see. Their offers and seeks: `registry.exchange.firm_capability_entries`
    for a whole page in one query."""
    qs = Firm.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.can_review:
        return qs
    return qs.filter(Q(status=Firm.Status.VERIFIED) | Q(pk__in=_member_firm_ids(user)))


def firm_contact_visible_to(*, firm: Firm, user) -> bool:
    """May `user` see `firm`'s contact person, email and phone?"""
    return firm.pk in firm_ids_contact_visible_to(firm_ids=[firm.pk], user=user)


def firm_ids_contact_visible_to(*, firm_ids: Iterable[int], user) -> set[int]:
    """Of `firm_ids`, those whose contact `user` may see, in at most two queries (for lists)."""
    firm_ids = set(firm_ids)
    if not user.is_authenticated or not firm_ids:
        return set()
    if user.can_review:
        return firm_ids
    from accounts.models import Membership

    # Own firms, plus (the review workflow answers) the other firm of a connected introduction.
    mine = set(Membership.objects.filter(user=user).values_list("firm_id", flat=True))
    if not mine:
        return set()
    connected = providers.ask(providers.CONNECTED_FIRM_IDS, default=set(), firm_ids=firm_ids, member_firm_ids=mine)
    return (firm_ids & mine) | connected


def firm_screening_visible_to(*, user) -> bool:
    """May `user` see firms' sanctions-screening status? Reviewers and administrators only: a
    flagged firm's own members must not learn it is flagged, nor anyone else. Every API and page
    that shows `screening_status` asks this."""
    return bool(user.is_authenticated and user.can_review)


def firm_history_visible_to(*, firm: Firm, user) -> bool:
    """Profile history (with contacts and status notes): the firm's own members and reviewers."""
    if not user.is_authenticated:
        return False
    if user.can_review:
        return True
    from accounts.models import Membership

    return Membership.objects.filter(user=user, firm=firm).exists()


def firm_revision_list(*, firm: Firm) -> QuerySet[FirmRevision]:
    return FirmRevision.objects.filter(firm=firm).select_related("changed_by").order_by("-changed_at", "-id")


def firm_verification(*, firm: Firm) -> FirmRevision | None:
    """The reviewer's decision that verified the firm (time and note), while it is verified; shown to
    its members. None for a firm that is not verified now."""
    if firm.status != Firm.Status.VERIFIED:
        return None
    return (
        FirmRevision.objects.filter(firm=firm, source="status", changes__status__new=Firm.Status.VERIFIED)
        .only("changed_at", "note")
        .order_by("-changed_at", "-id")
        .first()
    )


def capability_list() -> QuerySet[Capability]:
    return Capability.objects.order_by("code")


def platform_list(*, kind: str | None = None, q: str | None = None) -> QuerySet[Platform]:
    """The platform catalogue, optionally of one kind and matching `q` (see `platform_search`)."""
    qs = Platform.objects.order_by("kind", "code")
    if kind:
        qs = qs.filter(kind=kind)
    return platform_search(qs, q=q)


def platform_search(queryset: QuerySet[Platform], *, q: str | None) -> QuerySet[Platform]:
    """Platforms whose code, English or Ukrainian name holds `q` (any case; on SQLite ASCII only)."""
    text = (q or "").strip()
    if not text:
        return queryset
    return queryset.filter(Q(code__icontains=text) | Q(name_en__icontains=text) | Q(name_uk__icontains=text))


def platform_names(*, codes: Iterable[str], language: str | None = None) -> dict[str, str]:
    """{code: name in `language` (default: the active one)} for these platform codes, in one query."""
    codes = set(codes)
    if not codes:
        return {}
    return {
        p.code: p.name_in(language) for p in Platform.objects.filter(code__in=codes).only("code", "name_en", "name_uk")
    }


def firm_identity_changes(*, firm_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """{firm_id: [{"field", "old", "new"}, ...]}: for pending firms sent back to re-verification, what
    the change that did it changed (one query, for the verification queue)."""
    ids = list(firm_ids)
    if not ids:
        return {}
    revisions = (
        FirmRevision.objects.filter(firm_id__in=ids, firm__status=Firm.Status.PENDING, changes__status__new="pending")
        .order_by("firm_id", "-changed_at", "-id")
        .values_list("firm_id", "changes")
    )
    result: dict[int, list[dict[str, Any]]] = {}
    for firm_id, changes in revisions:
        if firm_id in result:
            continue  # the latest one per firm
        result[firm_id] = [
            {"field": name, "old": change.get("old"), "new": change.get("new")}
            for name, change in changes.items()
            if name in IDENTITY_FIELDS and isinstance(change, dict)
        ]
    return result
