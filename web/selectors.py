"""Reads only the pages need: the reviewer queue with its filters, and dashboard aggregates.

Each function runs a constant number of queries whatever the data size; the benchmark
(`bench/bench_pages.py`) holds them to it with 20,000 firms and 100,000 proposals.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from django.core.cache import cache
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils import timezone

from matching.models import Proposal
from matching.scoring.capacity import firm_capacity
from matching.services.runs import match_params
from registry.models import Capability, Firm, FirmCapability
from registry.selectors import firm_intro_capacity
from review.selectors import ProposalFilter, review_stats

# Creation order is id order (created_at is set on insert, ids come from a sequence), and the
# primary key index serves it; created_at has no index and would mean sorting the whole queue.
QUEUE_ORDERINGS = {
    "-score": ("-score", "id"),
    "score": ("score", "id"),
    "-created_at": ("-id",),
    "created_at": ("id",),
}
QUEUE_COLUMNS = (
    "id",
    "score",
    "status",
    "origin",  # requested introductions are marked, with their message (issue 14)
    "request_message",
    "created_at",
    "flags",
    "reasons",
    "components",
    "ukrainian__id",
    "ukrainian__name",
    "ukrainian__country",
    "partner__id",
    "partner__name",
    "partner__country",
)


def review_queue(
    *,
    status: str = "",
    domain: str = "",
    country: str = "",
    min_score: float | None = None,
    max_age_days: int | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    sort: str = "-score",
) -> QuerySet[Proposal]:
    """Proposals for the reviewer queue filtered by `review.selectors.ProposalFilter` (the API's filters,
    the one definition) and sorted; only the columns the table shows. ValueError for a bad filter."""
    values = {
        "status": status,
        "domain": domain,
        "country": country,
        "min_score": min_score,
        "max_age_days": max_age_days,
        "created_from": created_from.isoformat() if created_from else None,
        "created_to": created_to.isoformat() if created_to else None,
    }
    params = QueryDict(mutable=True)
    for name, value in values.items():
        if value not in (None, ""):
            params[name] = str(value)
    bound = ProposalFilter(data=params, queryset=Proposal.objects.all())
    if not bound.is_valid():
        raise ValueError(dict(bound.errors))
    return review_queue_sorted(proposals=bound.qs, sort=sort)


def review_queue_sorted(*, proposals: QuerySet[Proposal], sort: str = "-score") -> QuerySet[Proposal]:
    """The filtered proposals (`ProposalFilter(...).qs`) in the queue's order, with the table's columns."""
    return _queue_columns(proposals).order_by(*QUEUE_ORDERINGS.get(sort, QUEUE_ORDERINGS["-score"]))


def _queue_columns(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return qs.select_related("ukrainian", "partner").only(*QUEUE_COLUMNS)


def review_queue_rows(*, ids: QuerySet[Proposal], sort: str = "-score") -> QuerySet[Proposal]:
    """The queue's rows for a page already picked as a (sliced) queryset of ids, in the queue's order.

    The filters stay in `ids` (a narrow index-only scan, see the queue's paginator), so the wide
    rows are read by primary key for the page alone.
    """
    return _queue_columns(Proposal.objects.filter(pk__in=ids)).order_by(
        *QUEUE_ORDERINGS.get(sort, QUEUE_ORDERINGS["-score"])
    )


def queue_filter_choices() -> tuple[list[str], list[str]]:
    """Domains of the taxonomy and the partner countries that have firms (two small queries)."""
    domains = sorted(set(Capability.objects.values_list("domain", flat=True)))
    countries = list(Firm.objects.exclude(country="UA").order_by().values_list("country", flat=True).distinct())
    return domains, sorted(str(c) for c in countries)


def firms_awaiting_verification() -> QuerySet[Firm]:
    """Firms a reviewer has to look at: pending first (oldest first), then suspended ones."""
    return (
        Firm.objects.filter(status__in=[Firm.Status.PENDING, Firm.Status.SUSPENDED])
        .annotate(
            offers_count=Count("capabilities", filter=Q(capabilities__kind="offer")),
            seeks_count=Count("capabilities", filter=Q(capabilities__kind="seek")),
        )
        .order_by("-status", "created_at", "id")
    )


def capability_coverage() -> list[dict]:
    """Per domain: Ukrainian firms that seek it and partner firms that offer it (one query).

    Only verified firms count: the coverage is of what matching can actually use.
    """
    rows = (
        FirmCapability.objects.filter(firm__status=Firm.Status.VERIFIED)
        .values("capability__domain")
        .annotate(
            ua_seek=Count("firm", filter=Q(kind="seek", firm__country="UA"), distinct=True),
            partner_offer=Count("firm", filter=Q(kind="offer") & ~Q(firm__country="UA"), distinct=True),
        )
        .order_by("capability__domain")
    )
    return [
        {"domain": r["capability__domain"], "ua_seek": r["ua_seek"], "partner_offer": r["partner_offer"]} for r in rows
    ]


SCORE_BUCKETS = 10


def score_histogram(*, created_from: date | None = None, created_to: date | None = None) -> list[dict]:
    """Proposals per score decile (one grouped query).

    Each row gets its bucket from one CASE (the first upper edge it is below; scores are 0..1 by a
    check constraint, 1.0 falls in the last bucket) instead of ten conditional counts per row.
    """
    edges = [i / SCORE_BUCKETS for i in range(SCORE_BUCKETS + 1)]
    bucket = Case(
        *(When(score__lt=edges[i + 1], then=Value(i)) for i in range(SCORE_BUCKETS - 1)),
        default=Value(SCORE_BUCKETS - 1),
    )
    proposals = Proposal.objects.exclude(status=Proposal.Status.SUPERSEDED)
    if created_from:
        proposals = proposals.filter(created_at__date__gte=created_from)
    if created_to:
        proposals = proposals.filter(created_at__date__lte=created_to)
    rows = dict(proposals.annotate(bucket=bucket).values_list("bucket").annotate(n=Count("id")).order_by())
    return [{"lo": edges[i], "hi": edges[i + 1], "count": rows.get(i, 0)} for i in range(SCORE_BUCKETS)]


# The dashboard's numbers (not its language-dependent charts), cached: a minute-old picture is
# plenty for a pipeline dashboard. The beat task web.tasks.refresh_dashboard_numbers_task
# recomputes them every DASHBOARD_REFRESH_SECONDS, well inside the cache lifetime, so with a
# shared cache (CACHE_URL=redis://...) no reviewer waits for the aggregates; without the worker
# the first reviewer after expiry computes them (a few hundred ms at 100,000 proposals).
DASHBOARD_CACHE_KEY = "web:dashboard:v1"
DASHBOARD_CACHE_SECONDS = 60
DASHBOARD_REFRESH_SECONDS = 30


def dashboard_numbers(
    *, refresh: bool = False, created_from: date | None = None, created_to: date | None = None
) -> dict:
    """review_stats(), capability coverage and score histogram, from the cache unless `refresh`.

    A date range (proposals created from/to, inclusive) narrows the stats and the histogram; each
    range has its own cache entry, the whole-history one is the one the beat task keeps warm.
    """
    key = DASHBOARD_CACHE_KEY
    if created_from or created_to:
        key = f"{key}:{created_from or ''}:{created_to or ''}"
    numbers = None if refresh else cache.get(key)
    if numbers is None:
        numbers = {
            "stats": review_stats(created_from=created_from, created_to=created_to),
            "coverage": capability_coverage(),
            "histogram": score_histogram(created_from=created_from, created_to=created_to),
            "computed_at": timezone.now(),
        }
        cache.set(key, numbers, DASHBOARD_CACHE_SECONDS)
    return numbers


def firm_capacity_summary(*, firm: Firm) -> dict:
    """What a reviewer sees of a firm's introductions at once: the firm's own setting, the
    ministry's override, and what a run gives it (`effective`, by the matching core's own rule)."""
    chosen = firm_intro_capacity(firm=firm)
    employees = np.array([np.nan if firm.employees is None else float(firm.employees)])
    override = np.array([np.nan if chosen is None else float(chosen)])
    effective = int(firm_capacity(employees, match_params(), override=override)[0])
    if firm.intro_capacity_override is not None:
        source = "override"
    elif firm.intro_capacity is not None:
        source = "firm"
    else:
        source = "size"
    return {
        "own": firm.intro_capacity,
        "override": firm.intro_capacity_override,
        "effective": effective,
        "source": source,
    }
