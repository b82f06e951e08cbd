"""Reads of the directory: who may use it, which firms it lists, a page of them, saved searches.

Listed firms are exactly those that may be matched and introduced
(`registry.selectors.firms_eligible_for_matching`: verified, not held by sanctions screening, no
blocking owner, profile not stale: a stale firm is hidden, and its members use the directory again
once they confirm it). A profile shows what a firm may see before an introduction: never contacts,
owners, screening status or reviewers' notes; those stay behind `registry.selectors` and
`review.selectors.proposal_contacts_visible`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext

from accounts.models import Membership
from core.errors import ApplicationError
from directory.completeness import firms_completeness
from directory.filters import SORT_NAME, DirectoryFilter, ReviewerFirmFilter, size_band
from directory.models import SavedSearch
from registry.models import Firm
from registry.selectors import firms_eligible_for_matching, platform_names
from review.selectors import firm_capability_lists

if TYPE_CHECKING:
    from accounts.models import User

# The columns a directory profile reads: nothing private is ever loaded.
PUBLIC_FIELDS = (
    "id", "ref", "name", "country", "side", "website", "employees", "founded", "description",
    "partnership_types", "certifications", "certification_expiry", "security_clearance", "export_regimes",
    "languages",
)  # fmt: skip


def directory_firms_of(*, user: User) -> list[Firm]:
    """The user's firms that may use the directory (eligible firms), oldest membership first."""
    if not user.is_authenticated:
        return []
    firm_ids = Membership.objects.filter(user=user).order_by("created_at", "id").values_list("firm_id", flat=True)
    ids = list(firm_ids)
    eligible = {f.pk: f for f in firms_eligible_for_matching().filter(pk__in=ids)}
    return [eligible[i] for i in ids if i in eligible]


def directory_allowed(*, user: User) -> bool:
    """Reviewers, and members of a verified firm that may be introduced; nobody else."""
    if not user.is_authenticated:
        return False
    if user.can_review:
        return True
    return bool(directory_firms_of(user=user))


def directory_require(*, user: User) -> None:
    if not directory_allowed(user=user):
        raise ApplicationError(
            gettext("The directory is open to members of verified firms and to ministry reviewers."),
            code="permission_denied",
            status=403,
        )


def directory_queryset() -> QuerySet[Firm]:
    return firms_eligible_for_matching().only(*PUBLIC_FIELDS)


def directory_filter(*, params) -> DirectoryFilter:
    """The bound filter; `.is_valid()` / `.errors` name a bad parameter and its rule."""
    return DirectoryFilter(data=params, queryset=directory_queryset())


def directory_ordered(*, queryset: QuerySet[Firm], search: str, sort: str) -> QuerySet[Firm]:
    """Relevance: firms whose name holds the text before those matched by their description only,
    then by name; without a text, and for `name`, by name."""
    if sort == SORT_NAME or not search.strip():
        return queryset.order_by("name", "id")
    name_hit = Case(
        When(name__icontains=search.strip(), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return queryset.annotate(name_hit=name_hit).order_by("-name_hit", "name", "id")


def directory_fit_firm(*, user: User, firm_id: int | None) -> Firm:
    """The viewer's firm that "fit for my firm" scores against (`firm_id`, or their first)."""
    firms = directory_firms_of(user=user)
    if firm_id is not None and firms:
        mine = [f for f in firms if f.pk == firm_id]
        if not mine:
            raise ApplicationError(
                gettext("firm: “fit” compares with one of your own verified firms."),
                fields={
                    "firm": [
                        gettext("Firm %(id)s is not one of your verified firms; yours: %(yours)s.")
                        % {"id": firm_id, "yours": ", ".join(f"{f.pk} ({f.name})" for f in firms)}
                    ]
                },
            )
        firms = mine
    if not firms:
        raise ApplicationError(
            gettext("sort: “fit” needs a firm of yours to compare with; reviewers have none."),
            fields={"sort": [gettext("Sorting by fit is for members of a verified firm.")]},
        )
    return firms[0]


class FitOrdered(Sequence):
    """The firms of a "fit for my firm" search, best fit first, for a paginator: ids and scores of
    every candidate are held; slicing loads that page's rows (one query) and records their scores
    in `shown` ({firm id: score rounded to 4 decimals, None where not scored})."""

    def __init__(self, ids: np.ndarray, scores: np.ndarray) -> None:
        self.ids, self.scores = ids, scores
        self.shown: dict[int, float | None] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : (index + 1) or None][0]
        ids, scores = self.ids[index].tolist(), self.scores[index].tolist()
        rows = directory_queryset().in_bulk(ids)
        for i, score in zip(ids, scores, strict=True):
            self.shown[i] = None if score != score else round(score, 4)  # NaN: not scored
        return [rows[i] for i in ids if i in rows]


def directory_fit_ordered(*, queryset: QuerySet[Firm], firm: Firm, search: str) -> FitOrdered:
    """Every firm of `queryset` on the other side of `firm`, best fit first (ties as by relevance),
    scored with the prepared model (`directory.scoring.fit_scores`): two queries for the ids and
    the score, one per page sliced."""
    from directory.scoring import fit_scores

    other = directory_ordered(queryset=queryset.exclude(side=firm.side), search=search, sort="relevance")
    ids = np.fromiter(other.values_list("id", flat=True), dtype=np.int64)
    scores = fit_scores(firm=firm, candidate_ids=ids)
    # Best first, unscored last; a stable sort keeps relevance order (then name) among equal scores.
    order = np.argsort(-np.nan_to_num(scores, nan=-1.0), kind="stable")
    return FitOrdered(ids[order], scores[order])


def directory_firm_get(*, pk: int) -> Firm:
    """A listed firm's public profile; 404 for one not listed (pending, suspended, flagged)."""
    firm = directory_queryset().filter(pk=pk).first()
    if firm is None:
        raise Http404("No firm with this id in the directory.")
    return firm


def directory_entries(*, firms: list[Firm], lang: str, scores: dict[int, float] | None = None) -> list[dict[str, Any]]:
    """Public profiles of a page of firms, in two queries whatever the page size."""
    from registry.exchange import firm_platform_entries

    ids = [f.pk for f in firms]
    caps = firm_capability_lists(firm_ids=ids, lang=lang)
    platforms = firm_platform_entries(ids)
    names = platform_names(codes={e["platform"] for entries in platforms.values() for e in entries}, language=lang)
    out = []
    for f in firms:
        out.append(
            {
                "id": f.pk,
                "ref": f.ref,
                "name": f.name,
                "country": str(f.country),
                "side": f.side,
                "website": f.website,
                "employees": f.employees,
                "size": size_band(f.employees),
                "founded": f.founded,
                "description": f.description,
                "partnership_types": f.partnership_types,
                "certifications": f.certifications,
                "certification_expiry": {
                    code: day for code, day in (f.certification_expiry or {}).items() if code in f.certifications
                },
                "security_clearance": f.security_clearance,
                "offers": caps.get(f.pk, {}).get("offer", []),
                "seeks": caps.get(f.pk, {}).get("seek", []),
                "platforms": [{**e, "name": names.get(e["platform"], e["platform"])} for e in platforms.get(f.pk, [])],
                "fit": None if scores is None else scores.get(f.pk),
            }
        )
    return out


def saved_search_list(*, user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user).order_by("-created_at", "-id")


def saved_search_get(*, user: User, pk: int) -> SavedSearch:
    """One of the user's own saved searches; 404 for anyone else's (reviewers included)."""
    search = SavedSearch.objects.filter(user=user, pk=pk).first()
    if search is None:
        raise Http404("No saved search with this id.")
    return search


def firm_may_request_from(*, user: User, target: Firm | None) -> list[Firm]:
    """The user's firms (owner or editor, eligible, on the other side of `target` if given) that may ask
    for an introduction."""
    roles = dict(
        Membership.objects.filter(user=user, role__in=[Membership.Role.OWNER, Membership.Role.EDITOR]).values_list(
            "firm_id", "role"
        )
    )
    return [f for f in directory_firms_of(user=user) if f.pk in roles and (target is None or f.side != target.side)]


# --- Reviewers: every firm, by name, EDRPOU, LEI or ref, and the list's filters ----------------

# What the reviewers' firm list and its API read of a firm: its identity and what completeness checks.
REVIEWER_FIRM_FIELDS = (
    "id", "ref", "name", "country", "side", "edrpou", "lei", "status", "screening_status", "created_at",
    "confirmed_at", "description", "certifications", "employees", "website",
)  # fmt: skip


def reviewer_firm_queryset() -> QuerySet[Firm]:
    """Every firm, any status, by name (the completeness filters compute the score in the same query)."""
    return Firm.objects.only(*REVIEWER_FIRM_FIELDS).order_by("name", "id")


def reviewer_firm_page(*, firms: Iterable[Firm]) -> list[Firm]:
    """A page of the list with each firm's `completeness` (percentage) and `completeness_hints`, in two
    queries: for 50 firms, cheaper than the SQL score, which hashes every firm's capabilities."""
    firms = list(firms)
    scores = firms_completeness(firms=firms)
    for f in firms:
        f.completeness, f.completeness_hints = scores[f.pk]
    return firms


def reviewer_firm_filter(*, params) -> ReviewerFirmFilter:
    """The bound filter of the reviewers' firm list (page, API and exports alike); `.qs` is the
    filtered list once `.is_valid()`, `.errors` names a bad parameter and its rule."""
    return ReviewerFirmFilter(data=params, queryset=reviewer_firm_queryset())


def firm_is_own(*, user: User, firm: Firm) -> bool:
    """Is `user` a member of `firm` (they see its completeness hints on its profile)?"""
    return user.is_authenticated and Membership.objects.filter(user=user, firm=firm).exists()
