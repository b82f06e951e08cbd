"""How complete a firm's profile is, with concrete hints, each linking to the field to fill.

Deliberately no promise of an effect ("firms that list needs get N times more introductions"): no
such figure has been measured from the data yet (issue 14).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, ExpressionWrapper, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, In
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registry.models import Firm, FirmCapability, FirmPlatform

DESCRIPTION_GOOD_LENGTH = 200


@dataclass(frozen=True)
class Hint:
    key: str
    text: str
    url: str


# key -> (weight, hint, form field anchor)
CHECKS = {
    "seeks": (3, _("Add what you seek: the capabilities your firm needs from a partner."), "id_seeks_filter"),
    "offers": (3, _("Add what you offer: the capabilities your firm provides."), "id_offers_filter"),
    "description": (2, _("Describe the firm in more detail (at least 200 characters)."), "id_description"),
    "platforms": (2, _("Add platforms: the weapon systems you make, repair or supply."), "platforms"),
    "certifications": (1, _("Add certifications, such as AQAP-2110 or ISO 9001."), "id_certifications_0"),
    "capacity": (1, _("Describe capacity: monthly quantities of what you offer."), "id_offers_filter"),
    "employees": (1, _("Give the number of employees."), "id_employees"),
    "website": (1, _("Add the firm's website."), "id_website"),
}


def firm_completeness(*, firm: Firm) -> tuple[int, list[Hint]]:
    """(score 0-100, hints for what is missing, most useful first), in two queries."""
    return firms_completeness(firms=[firm])[firm.pk]


def firms_completeness(*, firms: Iterable[Firm]) -> dict[int, tuple[int, list[Hint]]]:
    """`firm_completeness` of each firm, {firm id: (score, hints)}, in two queries however many."""
    firms = list(firms)
    ids = [f.pk for f in firms]
    kinds: dict[int, set[str]] = defaultdict(set)
    with_capacity: set[int] = set()
    platforms: set[int] = set()
    if ids:
        rows = (
            FirmCapability.objects.filter(firm_id__in=ids)
            .values("firm_id", "kind")
            .annotate(capacities=Count("monthly_capacity"))
            .order_by()
            .values_list("firm_id", "kind", "capacities")
        )
        for firm_id, kind, capacities in rows:
            kinds[firm_id].add(kind)
            if kind == FirmCapability.Kind.OFFER and capacities:
                with_capacity.add(firm_id)
        platforms = set(FirmPlatform.objects.filter(firm_id__in=ids).values_list("firm_id", flat=True).distinct())
    return {
        f.pk: _score(
            f,
            {
                "seeks": FirmCapability.Kind.SEEK in kinds[f.pk],
                "offers": FirmCapability.Kind.OFFER in kinds[f.pk],
                "description": len(f.description or "") >= DESCRIPTION_GOOD_LENGTH,
                "platforms": f.pk in platforms,
                "certifications": bool(f.certifications),
                "capacity": f.pk in with_capacity,
                "employees": f.employees is not None,
                "website": bool(f.website),
            },
        )
        for f in firms
    }


def _score(firm: Firm, done: dict[str, bool]) -> tuple[int, list[Hint]]:
    total = sum(weight for weight, _hint, _anchor in CHECKS.values())
    score = round(100 * sum(CHECKS[k][0] for k, ok in done.items() if ok) / total)
    edit = reverse("web:firm_edit", args=[firm.pk])
    hints = [Hint(key, str(hint), f"{edit}#{anchor}") for key, (_w, hint, anchor) in CHECKS.items() if not done[key]]
    return score, hints


# --- The same score in SQL: lists filter, sort and export by it in their own query ---------------

TOTAL_POINTS = sum(weight for weight, _hint, _anchor in CHECKS.values())


def _checks_in_sql() -> dict:
    """The checks of `firms_completeness`, as conditions on a firm row (keys and meaning alike).

    `pk IN (subquery)`, not correlated EXISTS: PostgreSQL hashes each subquery once per query and
    estimates its cost as such; with EXISTS its estimate over 20,000 firms passed the JIT threshold
    and compiling took four times as long as running (bench: 770 ms against 160 ms for a count).
    """
    capabilities = FirmCapability.objects.all()
    offers = capabilities.filter(kind=FirmCapability.Kind.OFFER)
    return {
        "seeks": Q(pk__in=capabilities.filter(kind=FirmCapability.Kind.SEEK).values("firm_id")),
        "offers": Q(pk__in=offers.values("firm_id")),
        "description": GreaterThanOrEqual(Length("description"), DESCRIPTION_GOOD_LENGTH),
        "platforms": Q(pk__in=FirmPlatform.objects.values("firm_id")),
        "certifications": Q(certifications__isnull=False) & ~Q(certifications=[]),
        "capacity": Q(pk__in=offers.filter(monthly_capacity__isnull=False).values("firm_id")),
        "employees": Q(employees__isnull=False),
        "website": ~Q(website=""),
    }


def completeness_points() -> ExpressionWrapper:
    """A firm's points (0..TOTAL_POINTS), the weights of the checks it passes, as an SQL expression;
    `completeness_score` turns them into the percentage."""
    checks = _checks_in_sql()
    points = sum(
        (Case(When(checks[key], then=Value(weight)), default=Value(0)) for key, (weight, _h, _a) in CHECKS.items()),
        start=Value(0),
    )
    return ExpressionWrapper(points, output_field=IntegerField())


def completeness_annotate(queryset: QuerySet[Firm]) -> QuerySet[Firm]:
    """`queryset` with each firm's `completeness_points` selected (exports: one query for every row)."""
    return queryset.annotate(completeness_points=completeness_points())


def completeness_filter(queryset: QuerySet[Firm], *, low: int, high: int = 100) -> QuerySet[Firm]:
    """The firms whose percentage is from `low` to `high` (inclusive), computed in the query's WHERE only:
    one evaluation per firm, and nothing more to select."""
    wanted = [p for p in range(TOTAL_POINTS + 1) if low <= completeness_score(p) <= high]
    return queryset.filter(In(completeness_points(), wanted))


def completeness_score(points: int) -> int:
    """The percentage of `points`, rounded as `firms_completeness` rounds it."""
    return round(100 * points / TOTAL_POINTS)
