"""Reads of compliance: screening queues and one firm's screening detail for reviewers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from compliance.export_control import proposal_flags
from compliance.models import Screening, ScreeningDecision, ScreeningMatch
from registry.models import Firm, FirmCapability


def screening_firm_list(*, status: str | None = None) -> QuerySet[Firm]:
    """Firms whose screening is not clear (optionally one status), with their latest screening's time and match count."""
    firms = Firm.objects.exclude(screening_status=Firm.ScreeningStatus.CLEAR)
    if status:
        firms = firms.filter(screening_status=status)
    latest = Screening.objects.filter(firm=OuterRef("pk")).order_by("-created_at", "-id")
    match_count = (
        ScreeningMatch.objects.filter(screening_id=OuterRef("latest_screening_id"))
        .order_by()
        .values("screening_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return firms.annotate(
        latest_screening_id=Subquery(latest.values("pk")[:1]),
        latest_screening_at=Subquery(latest.values("created_at")[:1]),
        match_count=Coalesce(Subquery(match_count), 0),
    ).order_by("screening_status", "name", "pk")


def screening_latest(*, firm: Firm) -> Screening | None:
    """The firm's latest screening with its matches and their entries."""
    return (
        Screening.objects.filter(firm=firm)
        .select_related("sanctions_list")
        .prefetch_related(Prefetch("matches", ScreeningMatch.objects.select_related("entry").order_by("-score", "id")))
        .first()
    )


def screening_decisions(*, firm: Firm) -> QuerySet[ScreeningDecision]:
    return ScreeningDecision.objects.filter(firm=firm).select_related("reviewer")


def screening_report_rows() -> list[dict]:
    """One row per firm: {ref, name, status, matches: [{list_id, name, score, reason}]} from its latest screening."""
    latest_id = Screening.objects.filter(firm=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    firms = list(
        Firm.objects.order_by("ref")
        .only("pk", "ref", "name", "screening_status")
        .annotate(latest_id=Subquery(latest_id))
    )
    ids = [f.latest_id for f in firms if f.latest_id]
    latest = {}
    for start in range(0, len(ids), 2000):  # bounded IN lists (SQLite caps query parameters)
        screenings = Screening.objects.filter(pk__in=ids[start : start + 2000]).prefetch_related(
            Prefetch("matches", ScreeningMatch.objects.select_related("entry"))
        )
        latest.update((screening.firm_id, screening) for screening in screenings)
    rows = []
    for firm in firms:
        screening = latest.get(firm.pk)
        matches = screening.matches.all() if screening else []
        rows.append(
            {
                "ref": firm.ref,
                "name": firm.name,
                "status": firm.screening_status,
                "matches": [
                    {"list_id": m.entry.entity_id, "name": m.entry.name, "score": m.score, "reason": m.reason}
                    for m in matches
                ],
            }
        )
    return rows


# --- Export-control flags for proposals ------------------------------------------------------------


def partner_export_profiles(*, partner_ids: Iterable[int]) -> dict[int, tuple[list[str], list[str], str]]:
    """{partner_id: (ML categories of offered capabilities, declared export regimes, country)} in two queries."""
    ids = list(set(partner_ids))
    profiles: dict[int, tuple[list[str], list[str], str]] = {
        pk: ([], list(regimes or []), str(country))
        for pk, regimes, country in Firm.objects.filter(pk__in=ids).values_list("pk", "export_regimes", "country")
    }
    offered = (
        FirmCapability.objects.filter(firm_id__in=ids, kind=FirmCapability.Kind.OFFER)
        .exclude(capability__ml_category="")
        .values_list("firm_id", "capability__ml_category")
    )
    for firm_id, category in offered:
        profiles[firm_id][0].append(category)
    return profiles


def proposal_flags_for_pairs(*, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], dict[str, list[str]]]:
    """Flags for many (ukrainian_id, partner_id) pairs; the pipeline calls this once per chunk."""
    pairs = list(pairs)
    profiles = partner_export_profiles(partner_ids=[partner_id for _, partner_id in pairs])
    flags = {}
    for ukrainian_id, partner_id in pairs:
        categories, regimes, country = profiles.get(partner_id, ([], [], ""))
        flags[(ukrainian_id, partner_id)] = proposal_flags(
            partner_offer_ml_categories=categories, partner_export_regimes=regimes, partner_country=country
        )
    return flags


def proposal_flags_for_pair(*, ukrainian: Firm, partner: Firm) -> dict[str, list[str]]:
    """Flags for one pairing (the partner exports to the Ukrainian firm)."""
    return proposal_flags_for_pairs(pairs=[(ukrainian.pk, partner.pk)])[(ukrainian.pk, partner.pk)]


# --- The reviewers' screening page -----------------------------------------------------------------


def screening_review_firms(*, status: str) -> QuerySet[Firm]:
    """Firms in one screening status, for the reviewers' screening page (paged by the caller)."""
    return Firm.objects.filter(screening_status=status).order_by("name", "pk")


def screening_review_rows(*, firms: Iterable[Firm]) -> list[tuple[Firm, Screening | None, ScreeningDecision | None]]:
    """(firm, latest screening with its matches and their entries, latest decision) for a page of firms, in four queries."""
    firms = list(firms)
    ids = [firm.pk for firm in firms]
    latest_ids = (
        Firm.objects.filter(pk__in=ids)
        .annotate(
            latest=Subquery(
                Screening.objects.filter(firm=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
            )
        )
        .values_list("pk", "latest")
    )
    wanted = {screening_id for _, screening_id in latest_ids if screening_id}
    screenings = {
        screening.firm_id: screening
        for screening in Screening.objects.filter(pk__in=wanted).prefetch_related(
            Prefetch("matches", ScreeningMatch.objects.select_related("entry").order_by("-score", "id"))
        )
    }
    decisions: dict[int, ScreeningDecision] = {}
    for decision in (
        ScreeningDecision.objects.filter(firm_id__in=ids).select_related("reviewer").order_by("-created_at", "-id")
    ):
        decisions.setdefault(decision.firm_id, decision)
    return [(firm, screenings.get(firm.pk), decisions.get(firm.pk)) for firm in firms]
