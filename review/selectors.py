"""Reads of proposals, their events, notifications and review statistics.

Who sees what (the privacy rules of the review workflow live here, in one place):

- Reviewers and administrators see every proposal and every event with its notes.
- A firm's members see their firm's proposals from `approved` on: until a reviewer
  approves it a proposal is only a suggestion, so `proposed`, `rejected` and
  `superseded` rows stay with the ministry.
- Contacts are shown only once a proposal is `connected` (or later).
- Reviewers' notes and the other side's decline reason are never shown to a firm.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from core.api.filters import BoundedFilterSet
from matching.models import Notification, Proposal, ProposalEvent
from registry.models import Capability, Firm, FirmCapability
from registry.selectors import MATCHING_SCREENING_STATUSES, MATCHING_STATUSES, firm_matching_block

if TYPE_CHECKING:
    from accounts.models import User

S = Proposal.Status
# States a firm's members can see: a proposal is a suggestion until a reviewer approves it.
FIRM_VISIBLE_STATUSES = (S.APPROVED, S.CONNECTED, S.DECLINED, S.EXPIRED, S.PARTNERSHIP, S.CLOSED)
# States in which the two firms see each other's contact.
CONTACT_STATUSES = (S.CONNECTED, S.PARTNERSHIP, S.CLOSED)
# Waiting for someone: a reviewer (proposed) or the firms (approved).
OPEN_STATUSES = (S.PROPOSED, S.APPROVED)
REVIEWER_ROLES = ("reviewer", "administrator")


def user_firm_roles(*, user: User) -> dict[int, str]:
    """{firm_id: role} of the user's memberships (one query)."""
    if not user.is_authenticated:
        return {}
    return dict(Membership.objects.filter(user=user).values_list("firm_id", "role"))


# What the API's proposal payload (`firm_public`) reads of each firm: the profile texts and
# registry fields it never shows stay in the database.
FIRM_PUBLIC_FIELDS = (
    "id", "ref", "name", "country", "side", "contact_name", "contact_email", "contact_phone",
    "status", "screening_status",  # read by proposal_contacts_visible
)  # fmt: skip


def _capabilities_prefetch(prefix: str) -> Prefetch:
    links = FirmCapability.objects.select_related("capability").order_by("kind", "capability__code")
    return Prefetch(f"{prefix}__capabilities", queryset=links)


def proposal_visible_queryset(
    *, user: User, public_only: bool = False, firm_ids: Iterable[int] | None = None
) -> QuerySet[Proposal]:
    """Every proposal the user may see, with what a payload needs loaded in a constant number of queries.

    `public_only` (the API): the firms carry only the columns of the payload and their
    capabilities are not prefetched; `firm_capability_lists` reads those for a whole page as
    tuples in one query. The web pages show full profiles and leave it off. The notes of a
    page's events that the API shows: `proposal_event_notes`.
    """
    qs = Proposal.objects.select_related("ukrainian", "partner")
    if public_only:
        proposal_fields = [f.name for f in Proposal._meta.concrete_fields]
        qs = qs.only(
            *proposal_fields,
            *(f"{side}__{field}" for side in ("ukrainian", "partner") for field in FIRM_PUBLIC_FIELDS),
        )
    else:
        qs = qs.prefetch_related(_capabilities_prefetch("ukrainian"), _capabilities_prefetch("partner"))
    if user.can_review:
        return qs
    # The user's firm ids first (one small query), then literal ids: `ukrainian_id IN (1, 2) OR
    # partner_id IN (1, 2)` is a BitmapOr of the two (firm, status) indexes, whereas the same OR
    # over two IN-subqueries made PostgreSQL scan all 100,000 proposals for the page and its count.
    # `firm_ids`: the user's firms when the caller already read them (`user_firm_roles`).
    firm_ids = list(
        Membership.objects.filter(user=user).values_list("firm_id", flat=True) if firm_ids is None else firm_ids
    )
    if not firm_ids:
        return qs.none()
    return qs.filter(Q(ukrainian_id__in=firm_ids) | Q(partner_id__in=firm_ids), status__in=FIRM_VISIBLE_STATUSES)


def proposal_get(*, user: User, pk: int, public_only: bool = False, firm_ids: Iterable[int] | None = None) -> Proposal:
    """One proposal the user may see; 404 (not 403) for everyone else, so existence is not leaked."""
    try:
        return proposal_visible_queryset(user=user, public_only=public_only, firm_ids=firm_ids).get(pk=pk)
    except Proposal.DoesNotExist:
        raise Http404("No proposal with this id.")


def firm_capability_lists(*, firm_ids: Iterable[int], lang: str) -> dict[int, dict[str, list[dict[str, str]]]]:
    """{firm_id: {"offer": [...], "seek": [...]}} of `{code, domain, name}` in `lang`, by code.

    One query of plain tuples for a whole page of proposals: a page of 50 has ~400 capability
    links, and building a model instance for each (and its capability) was most of its CPU time.
    """
    ids = set(firm_ids)
    result: dict[int, dict[str, list[dict[str, str]]]] = {firm_id: {"offer": [], "seek": []} for firm_id in ids}
    if not ids:
        return result
    name = "capability__name_uk" if lang.startswith("uk") else "capability__name_en"
    rows = (
        FirmCapability.objects.filter(firm_id__in=ids)
        .order_by("firm_id", "kind", "capability__code")
        .values_list("firm_id", "kind", "capability__code", "capability__domain", name)
    )
    for firm_id, kind, code, domain, label in rows:
        result[firm_id][kind].append({"code": code, "domain": domain, "name": label})
    return result


# What `proposal_event_notes` gives a proposal without such events.
NO_EVENT_NOTES = MappingProxyType(
    {
        "outcome_note": "",
        "outcome_actor_role": "",
        "review_note": None,
        "decline_reason": None,
        "declined_by_firm_id": None,
    }
)


def proposal_event_notes(*, proposal_ids: Iterable[int], reviewer: bool) -> dict[int, dict[str, Any]]:
    """What the API payload shows of each proposal's events, for a whole page in one query.

    Everyone: the latest outcome's note and who wrote it (`outcome_note`, `outcome_actor_role`);
    a reviewer's outcome note is blanked here for firms, as `proposal_event_list` does for the pages.
    Reviewers also: the latest review note, decline reason and declining firm. (Five correlated subqueries per row did this before; their
    SQL compilation alone cost more than this query.)
    """
    ids = set(proposal_ids)
    notes = {pk: dict(NO_EVENT_NOTES) for pk in ids}
    if not ids:
        return notes
    wanted = Q(to_status__in=[S.PARTNERSHIP, S.CLOSED])
    if reviewer:
        wanted |= Q(from_status=S.PROPOSED, to_status__in=[S.APPROVED, S.REJECTED]) | Q(to_status=S.DECLINED)
    rows = (
        ProposalEvent.objects.filter(wanted, proposal_id__in=ids)
        .order_by("id")  # later events overwrite earlier ones: the latest of each kind wins
        .values_list("proposal_id", "to_status", "note", "actor_role", "firm_id")
    )
    for pk, to_status, note, actor_role, firm_id in rows:
        entry = notes[pk]
        if to_status in (S.PARTNERSHIP, S.CLOSED):
            visible = reviewer or actor_role not in REVIEWER_ROLES  # reviewers' notes are theirs
            entry["outcome_note"], entry["outcome_actor_role"] = (note if visible else ""), actor_role
        elif to_status == S.DECLINED:
            entry["decline_reason"], entry["declined_by_firm_id"] = note, firm_id
        else:
            entry["review_note"] = note
    return notes


def proposal_shared_members(*, proposal: Proposal) -> list[str]:
    """Usernames of the people (not service accounts) in both firms of the proposal, for reviewers: such a
    person cannot make the introduction alone (each side's acceptance comes from a different person,
    `review.services.workflow`), so the reviewer sees who it is. One query."""
    ukrainian_members = Membership.objects.filter(firm_id=proposal.ukrainian_id).values("user_id")
    return list(
        Membership.objects.filter(
            firm_id=proposal.partner_id, user_id__in=ukrainian_members, user__is_service_account=False
        )
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )


def proposal_contacts_visible(*, proposal: Proposal, user: User, firm_roles: dict[int, str]) -> bool:
    """Contacts appear once connected, to reviewers and to members of either firm; to the firms only
    while both may still be introduced (a suspended or flagged firm sees none and shows none)."""
    if proposal.status not in CONTACT_STATUSES:
        return False
    if user.can_review:
        return True
    if proposal.ukrainian_id not in firm_roles and proposal.partner_id not in firm_roles:
        return False
    # Same rule as firm_ids_connected_with; status and screening are loaded with the row.
    return all(firm_matching_block(firm=firm, owners=False) is None for firm in (proposal.ukrainian, proposal.partner))


def firm_ids_connected_with(*, firm_ids: set[int], member_firm_ids: set[int]) -> set[int]:
    """Of `firm_ids`, those connected (connected, partnership or closed) to one of `member_firm_ids`
    while both firms may still be introduced: the contacts they may see of each other.

    By literal ids (index lookups; EXISTS subqueries per row cost ~7 ms per page of 50). The same
    rule as `proposal_contacts_visible`: a suspended or flagged firm neither sees the other's
    contact nor has its own shown (`firm_matching_block` without the owner check).
    """
    pairs = Proposal.objects.filter(
        status__in=CONTACT_STATUSES,
        ukrainian__status__in=MATCHING_STATUSES,
        ukrainian__screening_status__in=MATCHING_SCREENING_STATUSES,
        partner__status__in=MATCHING_STATUSES,
        partner__screening_status__in=MATCHING_SCREENING_STATUSES,
    ).filter(
        Q(ukrainian_id__in=member_firm_ids, partner_id__in=firm_ids)
        | Q(partner_id__in=member_firm_ids, ukrainian_id__in=firm_ids)
    )
    visible: set[int] = set()
    for ukrainian_id, partner_id in pairs.values_list("ukrainian_id", "partner_id"):
        visible |= {ukrainian_id, partner_id} & firm_ids
    return visible


def proposal_event_list(*, proposal: Proposal, user: User) -> list[ProposalEvent]:
    """The proposal's events, oldest first, redacted for firms (in memory only).

    Firms never read reviewers' notes nor the other firm's decline reason (`note_hidden`), and
    see who acted only for their own firm's actions (`actor_visible`): a person at the other
    firm or at the ministry is not part of the public profile.
    """
    events = list(proposal.events.select_related("actor", "firm"))
    reviewer = user.can_review
    my_firms = set() if reviewer else set(user_firm_roles(user=user))
    for event in events:
        own = event.firm_id is not None and event.firm_id in my_firms
        hidden = False
        if not reviewer and (event.note or event.note_code):
            if event.actor_role in REVIEWER_ROLES:
                hidden = True
            elif event.to_status == S.DECLINED and not own:
                hidden = True
        if hidden:
            event.note, event.note_code = "", ""  # only in memory: events are never saved again
        event.note_hidden = hidden
        event.actor_visible = event.actor_id is not None and (reviewer or own)
    return events


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def created_between(first: date | None, last: date | None) -> Q:
    """Created on or after the day `first` and on or before the day `last` (whole days in the site's
    time zone), as a range on `created_at` that its index serves (`created_at__date` casts every row)."""
    q = Q()
    if first and first > date.min:
        q &= Q(created_at__gte=_day_start(first))
    if last and last < date.max:
        q &= Q(created_at__lt=_day_start(last + timedelta(days=1)))
    return q


class ProposalFilterForm(forms.Form):
    """The form under `ProposalFilter`: a date range's last day is not before its first."""

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", _("The last day must be on or after the first day."))
        return data


class ProposalFilter(BoundedFilterSet):
    """The filters of proposals, defined once: GET /api/v1/proposals/ and its export, and the
    reviewers' queue page and its download (`web.views.review`, which only dresses the fields)."""

    status = django_filters.MultipleChoiceFilter(label=_("State"), choices=Proposal.Status.choices)
    firm = django_filters.NumberFilter(method="filter_firm", min_value=1, help_text="Either firm's id.")
    domain = django_filters.CharFilter(
        label=_("Domain"),
        method="filter_domain",
        max_length=32,
        help_text="A capability domain either firm offers or seeks, e.g. `uav`.",
    )
    country = django_filters.CharFilter(
        label=_("Partner country"),
        method="filter_country",
        max_length=2,
        help_text="The partner firm's country, ISO 3166-1 alpha-2.",
    )
    min_score = django_filters.NumberFilter(
        label=_("Minimum score"), field_name="score", lookup_expr="gte", min_value=0, max_value=1
    )
    # Bounded: a larger number of days is past what a date can go back (an OverflowError, a 500).
    max_age_days = IntegerFilter(
        label=_("Created within (days)"),
        method="filter_max_age_days",
        min_value=1,
        max_value=36500,
        help_text="Created within this many days (1-36500).",
    )
    created_from = django_filters.DateFilter(
        label=_("Created from"),
        method="filter_created_from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the first day as a date, e.g. 2026-03-01.")},
        help_text="Created on or after this day (YYYY-MM-DD).",
    )
    created_to = django_filters.DateFilter(
        label=_("Created to"),
        method="filter_created_to",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the last day as a date, e.g. 2026-03-31.")},
        help_text="Created on or before this day (YYYY-MM-DD).",
    )

    class Meta:
        model = Proposal
        form = ProposalFilterForm
        fields = ["status", "firm", "domain", "country", "min_score", "max_age_days", "created_from", "created_to"]

    def filter_firm(self, queryset, name, value):
        return queryset.filter(Q(ukrainian_id=value) | Q(partner_id=value))

    def filter_domain(self, queryset, name, value):
        return proposals_in_domain(queryset, domain=value)

    def filter_country(self, queryset, name, value):
        # An IN (subquery) on the partner id rather than a join: the queue's count then reads only
        # the proposals' covering index (matching migration 0003), never the wide rows.
        return queryset.filter(partner_id__in=Firm.objects.filter(country=value.upper()).values("id"))

    def filter_created_from(self, queryset, name, value):
        return queryset.filter(created_between(value, None))

    def filter_created_to(self, queryset, name, value):
        return queryset.filter(created_between(None, value))

    def filter_max_age_days(self, queryset, name, value):
        return queryset.filter(created_at__gte=timezone.now() - timedelta(days=value))


def proposals_in_domain(queryset: QuerySet[Proposal], *, domain: str) -> QuerySet[Proposal]:
    """Proposals where either firm has a capability (offered or sought) in `domain`: the API filter
    and the reviewers' queue. Two IN (subquery) tests, one row per proposal however many capabilities
    match: PostgreSQL hashes each subquery once, where `EXISTS(..) OR EXISTS(..)` ran two subplans per
    proposal (most of a second over 100,000 rows)."""
    in_domain = FirmCapability.objects.filter(capability__domain=domain).values("firm_id")
    return queryset.filter(Q(ukrainian_id__in=in_domain) | Q(partner_id__in=in_domain))


def notification_list(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    qs = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


# --- Statistics ---------------------------------------------------------------------------


class _Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5); SQLite has no equivalent, see `_median_hours`."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _median_hours(events: QuerySet[ProposalEvent], start: Any) -> float | None:
    """Median of (event time - start) in hours: in SQL on PostgreSQL, over a values_list elsewhere."""
    duration = ExpressionWrapper(F("created_at") - start, output_field=DurationField())
    if connection.vendor == "postgresql":
        value = events.aggregate(m=_Median(duration))["m"]
    else:
        values = [d for d in events.annotate(d=duration).values_list("d", flat=True) if d is not None]
        value = statistics.median(values) if values else None
    if value is None:
        return None
    if not isinstance(value, timedelta):  # SQLite returns microseconds
        value = timedelta(microseconds=value)
    return round(value.total_seconds() / 3600, 2)


# A firm's capability domains as one bit each of a bigint: 62 domains per query keeps clear of the sign bit.
_DOMAIN_BITS = 62


def _open_proposals_by_domain() -> dict[str, int]:
    """{domain: open proposals touching it through either firm's capabilities}, each proposal once per domain.

    One pass over the open proposals instead of three joins through the capabilities (~0.8 s at
    60,000 open proposals): each firm's domains are folded into a bitmask (20,000 small rows), a
    proposal's domains are the OR of its two firms' masks, so "once per domain" needs no DISTINCT;
    proposals are then grouped by that mask and each domain sums the groups that have its bit.
    """
    domains = list(Capability.objects.order_by("domain").values_list("domain", flat=True).distinct())
    result: dict[str, int] = {}
    for i in range(0, len(domains), _DOMAIN_BITS):
        chunk = domains[i : i + _DOMAIN_BITS]
        result.update(_open_proposals_by_domain_chunk(chunk))
    return {domain: n for domain, n in sorted(result.items()) if n}


def _open_proposals_by_domain_chunk(domains: list[str]) -> dict[str, int]:
    bits = [1 << i for i in range(len(domains))]
    # PostgreSQL's BIT_OR hashes; SQLite has none, and the sum of distinct powers of two is their OR.
    fold = "BIT_OR(d.bit)" if connection.vendor == "postgresql" else "SUM(DISTINCT d.bit)"
    values = ", ".join(["(%s, CAST(%s AS bigint))"] * len(domains))
    sums = ", ".join(["SUM(CASE WHEN mask & CAST(%s AS bigint) <> 0 THEN n ELSE 0 END)"] * len(domains))
    sql = f"""
        WITH domains(domain, bit) AS (VALUES {values}),
        masks AS (
            SELECT fc.firm_id, CAST({fold} AS bigint) AS mask
            FROM {FirmCapability._meta.db_table} fc
            JOIN {Capability._meta.db_table} c ON c.id = fc.capability_id
            JOIN domains d ON d.domain = c.domain
            GROUP BY fc.firm_id
        ),
        per_mask AS (
            SELECT COALESCE(um.mask, 0) | COALESCE(pm.mask, 0) AS mask, COUNT(*) AS n
            FROM {Proposal._meta.db_table} p
            LEFT JOIN masks um ON um.firm_id = p.ukrainian_id
            LEFT JOIN masks pm ON pm.firm_id = p.partner_id
            WHERE p.status IN ({", ".join(["%s"] * len(OPEN_STATUSES))})
            GROUP BY 1
        )
        SELECT {sums} FROM per_mask
    """  # noqa: S608 - only table names and placeholders are interpolated
    params = [x for pair in zip(domains, bits, strict=True) for x in pair] + list(OPEN_STATUSES) + bits
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {domain: int(n or 0) for domain, n in zip(domains, row, strict=True)}


def review_stats(*, created_from: date | None = None, created_to: date | None = None) -> dict[str, Any]:
    """Numbers for the reviewers' dashboard; shape documented in the review issue's report.

    With `created_from`/`created_to` (inclusive days, the site's time zone) only proposals created in
    that range count; `open_by_domain` is always today's open work.

    {
      "counts": {status: int for every status},
      "total": int,
      "median_hours_to_decision": float | None,   # entering `proposed` -> approved/rejected
      "median_hours_to_connection": float | None, # approved -> connected
      "acceptance_rate": float | None,            # reached connected / (connected + declined + expired)
      "partnerships_by_kind": {kind: int},
      "partnerships_by_country_pair": [{"ukrainian_country", "partner_country", "count"}],
      "open_by_domain": {domain: int},            # proposed + approved, by either firm's capability domain
    }
    """
    created = created_between(created_from, created_to)
    in_range = Proposal.objects.filter(created)
    counts = dict.fromkeys(Proposal.Status.values, 0)
    counts.update(dict(in_range.values_list("status").annotate(n=Count("id")).order_by()))
    events = ProposalEvent.objects.filter(proposal__in=in_range.values("id")) if created else ProposalEvent.objects

    # Time since the proposal (re-)entered `proposed`: the latest earlier event into `proposed`, else creation.
    entered_proposed = ProposalEvent.objects.filter(
        proposal=OuterRef("proposal_id"), to_status=S.PROPOSED, id__lt=OuterRef("id")
    ).order_by("-id")
    decisions = events.filter(from_status=S.PROPOSED, to_status__in=[S.APPROVED, S.REJECTED])
    decision_hours = _median_hours(
        decisions, Coalesce(Subquery(entered_proposed.values("created_at")[:1]), F("proposal__created_at"))
    )

    approved_at = ProposalEvent.objects.filter(
        proposal=OuterRef("proposal_id"), to_status=S.APPROVED, from_status=S.PROPOSED, id__lt=OuterRef("id")
    ).order_by("-id")
    connections = events.filter(to_status=S.CONNECTED)
    connection_hours = _median_hours(connections, Subquery(approved_at.values("created_at")[:1]))

    reached_connected = counts[S.CONNECTED] + counts[S.PARTNERSHIP] + counts[S.CLOSED]
    answered = reached_connected + counts[S.DECLINED] + counts[S.EXPIRED]
    acceptance_rate = round(reached_connected / answered, 4) if answered else None

    partnerships = in_range.filter(status=S.PARTNERSHIP)
    by_kind = dict(partnerships.values_list("outcome_kind").annotate(n=Count("id")).order_by())
    by_pair = [
        {"ukrainian_country": str(u), "partner_country": str(p), "count": n}
        for u, p, n in partnerships.values_list("ukrainian__country", "partner__country")
        .annotate(n=Count("id"))
        .order_by("-n", "partner__country")
    ]

    open_by_domain = _open_proposals_by_domain()

    return {
        "counts": counts,
        "total": sum(counts.values()),
        "median_hours_to_decision": decision_hours,
        "median_hours_to_connection": connection_hours,
        "acceptance_rate": acceptance_rate,
        "partnerships_by_kind": by_kind,
        "partnerships_by_country_pair": by_pair,
        "open_by_domain": open_by_domain,
    }


# Each funnel stage and the states that end there (besides the next stage): a proposal in any of them
# once reached the stage. Superseded and withdrawn proposals left before any stage was settled.
FUNNEL_STAGES = (
    (S.PROPOSED, (S.PROPOSED, S.REJECTED)),
    (S.APPROVED, (S.APPROVED, S.DECLINED, S.EXPIRED)),
    (S.CONNECTED, (S.CONNECTED, S.CLOSED)),
    (S.PARTNERSHIP, (S.PARTNERSHIP,)),
)
FUNNEL_OUTSIDE = (S.SUPERSEDED, S.WITHDRAWN)


def review_funnel_parts(*, counts: dict[str, int]) -> list[dict[str, Any]]:
    """The funnel with its arithmetic: per stage, the proposals that reached it (`count`) as the sum of
    the states that stopped there (`parts`, [(status, n)]) and the next stage's count (`next`)."""
    stages: list[dict[str, Any]] = []
    following = 0
    for stage, ended_here in reversed(FUNNEL_STAGES):
        parts = [(status, counts.get(status, 0)) for status in ended_here]
        stage_next = stages[0]["stage"] if stages else None
        total = sum(n for _, n in parts) + following
        stages.insert(0, {"stage": stage, "count": total, "parts": parts, "next": stage_next, "next_count": following})
        following = total
    return stages


def review_funnel(*, counts: dict[str, int]) -> list[tuple[str, int]]:
    """The pipeline funnel from `review_stats()["counts"]`: (status, proposals that ever reached it),
    cumulative, since a partnership was once connected, approved and proposed."""
    return [(s["stage"], s["count"]) for s in review_funnel_parts(counts=counts)]
