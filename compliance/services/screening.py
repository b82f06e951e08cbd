"""Screening firms against the active sanctions list: identifiers and names, one firm or all."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery

from compliance import namematch
from compliance.models import (
    SanctionsEntry,
    SanctionsKey,
    SanctionsList,
    Screening,
    ScreeningDecision,
    ScreeningMatch,
)
from core.outbox import outbox_enqueue
from registry.models import BeneficialOwner, Firm

if TYPE_CHECKING:
    pass


FS = Firm.ScreeningStatus
REMATCH_TASK = "matching.tasks.rematch_firm_task"


# --- Screening ----------------------------------------------------------------------------------


def active_list() -> SanctionsList | None:
    return SanctionsList.objects.filter(is_active=True).first()


def firm_identifiers(firm: Firm) -> list[str]:
    return [value for value in (firm.lei, firm.edrpou, firm.ncage) if value]


_ENTRY_FIELDS = ("pk", "name", "aliases", "identifiers", "countries", "schema")


def new_screening_index() -> namematch.ScreeningIndex:
    transit = getattr(settings, "SANCTIONS_TRANSIT_COUNTRIES", None)
    if transit is None:
        return namematch.ScreeningIndex()
    return namematch.ScreeningIndex(transit_countries=frozenset(c.strip().upper() for c in transit if c.strip()))


def screening_index_build(*, sanctions_list: SanctionsList) -> namematch.ScreeningIndex:
    """The whole list in memory, for screening many firms at once."""
    index = new_screening_index()
    with namematch.bulk_indexing():
        for pk, name, aliases, identifiers, countries, schema in (
            SanctionsEntry.objects.filter(sanctions_list=sanctions_list)
            .values_list(*_ENTRY_FIELDS)
            .iterator(chunk_size=5000)
        ):
            index.add(pk, name, aliases, identifiers, countries=countries, schema=schema)
    return index


def _candidate_index(
    *, sanctions_list: SanctionsList, names: Sequence[str], identifiers: Sequence[str]
) -> namematch.ScreeningIndex:
    """A small index of the entries sharing a key with this firm (or its owners), found through SanctionsKey."""
    keys = namematch.identifier_keys(identifiers)
    for name in names:
        keys |= namematch.firm_keys(name)
    index = new_screening_index()
    entry_ids = SanctionsKey.objects.filter(sanctions_list=sanctions_list, key__in=keys).values("entry_id")
    for pk, name, aliases, entry_identifiers, countries, schema in SanctionsEntry.objects.filter(
        pk__in=entry_ids
    ).values_list(*_ENTRY_FIELDS):
        index.add(pk, name, aliases, entry_identifiers, countries=countries, schema=schema)
    return index


def _screen(
    index: namematch.ScreeningIndex, firm: Firm, identifiers: Sequence[str], owners: Sequence[tuple[str, str]]
) -> list[namematch.Hit]:
    """The firm's hits, then its declared owners' against the list's persons (an owner's hit names the owner)."""
    hits = {hit.entry: hit for hit in index.screen(firm.name, identifiers, country=str(firm.country))}
    for owner_name, owner_country in owners:
        for hit in index.screen(owner_name, country=owner_country, persons_only=True):
            if hit.entry not in hits:
                codes = (("owner", {"name": owner_name}), *hit.codes)
                hits[hit.entry] = namematch.Hit(
                    hit.entry, hit.score, "owner", hit.matched_name, namematch.explanation_text(codes), codes
                )
    return sorted(hits.values(), key=lambda hit: (-hit.score, str(hit.entry)))


def _decided_keys(hits: Sequence[namematch.Hit], entries: dict[int, SanctionsEntry]) -> list[str]:
    return sorted({f"{entries[h.entry].entity_id}@{entries[h.entry].last_change}" for h in hits})


def firm_screen(
    *, firm: Firm | int, index: namematch.ScreeningIndex | None = None, sanctions_list: SanctionsList | None = None
) -> Screening | None:
    """Screen one firm against the active list and set its screening status; None when no list exists.

    A confirmed match stays confirmed (only a reviewer decides it); a dismissed firm stays
    `false_positive` while it matches only the entries dismissed, unchanged.
    """
    sanctions_list = sanctions_list or active_list()
    if sanctions_list is None:
        return None
    firm_id = firm.pk if isinstance(firm, Firm) else firm
    with transaction.atomic():
        locked = Firm.objects.select_for_update().get(pk=firm_id)
        identifiers = firm_identifiers(locked)
        owners = [(o.name, str(o.country)) for o in BeneficialOwner.objects.filter(firm=locked).only("name", "country")]
        if index is None:
            index = _candidate_index(
                sanctions_list=sanctions_list,
                names=[locked.name, *(name for name, _ in owners)],
                identifiers=identifiers,
            )
        hits = _screen(index, locked, identifiers, owners)
        entries = SanctionsEntry.objects.in_bulk([hit.entry for hit in hits])
        status = _next_status(firm=locked, keys=_decided_keys(hits, entries))
        latest = Screening.objects.filter(firm=locked).prefetch_related("matches").first()
        same = (
            latest is not None
            and latest.sanctions_list_id == sanctions_list.pk
            and latest.status == status
            and latest.screened_name == locked.name
            and latest.screened_identifiers == identifiers
            and {(m.entry_id, m.score, m.reason) for m in latest.matches.all()}
            == {(h.entry, h.score, h.reason) for h in hits}
        )
        if same:
            return latest  # idempotent: a repeated screening with the same result adds nothing
        screening = Screening.objects.create(
            firm=locked,
            sanctions_list=sanctions_list,
            status=status,
            screened_name=locked.name,
            screened_identifiers=identifiers,
        )
        ScreeningMatch.objects.bulk_create(
            [
                ScreeningMatch(
                    screening=screening,
                    entry_id=h.entry,
                    score=h.score,
                    reason=h.reason,
                    matched_name=h.matched_name,
                    explanation=h.explanation[:2000],
                    explanation_codes=h.codes,
                )
                for h in hits
            ]
        )
        if locked.screening_status != status:
            Firm.objects.filter(pk=locked.pk).update(screening_status=status)
            if locked.screening_status == FS.POTENTIAL_MATCH and status in (FS.CLEAR, FS.FALSE_POSITIVE):
                # No longer held back (a renamed firm, an entry gone from the list): match it now,
                # not at the nightly run. Leaving matching needs nothing: it is no longer eligible.
                rematch_request(firm_id=locked.pk)
    return screening


def _latest_dismissal(firm: Firm) -> ScreeningDecision | None:
    return (
        ScreeningDecision.objects.filter(firm=firm, decision=ScreeningDecision.Decision.DISMISS)
        .select_related("screening")
        .only("firm_id", "entry_keys", "screening__screened_name", "screening__screened_identifiers")
        .first()
    )


def _next_status(*, firm: Firm, keys: list[str], dismissal: ScreeningDecision | None | bool = False) -> str:
    """The firm's status after a screening with these decided keys (`dismissal` False: look it up)."""
    if firm.screening_status == FS.CONFIRMED_MATCH:
        return FS.CONFIRMED_MATCH
    if not keys:
        return FS.CLEAR
    if firm.screening_status == FS.FALSE_POSITIVE:
        if dismissal is False:
            dismissal = _latest_dismissal(firm)
        # A dismissal holds while neither side changes: the entries (id@last_change) and the
        # firm's screened name and identifiers.
        if (
            dismissal
            and set(keys) <= set(dismissal.entry_keys)
            and dismissal.screening.screened_name == firm.name
            and list(dismissal.screening.screened_identifiers) == firm_identifiers(firm)
        ):
            return FS.FALSE_POSITIVE
    return FS.POTENTIAL_MATCH


# A worker keeps the last list's in-memory index: bulk screening messages of 1,000 firms each then
# build it once, not once per message. Keyed by the list's identity, so a new import rebuilds it.
_INDEX_CACHE: dict[tuple, namematch.ScreeningIndex] = {}
PER_FIRM_LOOKUP_MAX = 200  # below this many firms, database key lookups beat building the whole index


def _cache_key(sanctions_list: SanctionsList) -> tuple:
    return (sanctions_list.pk, sanctions_list.sha256, sanctions_list.imported_at)


def screening_index_cached(*, sanctions_list: SanctionsList) -> namematch.ScreeningIndex:
    index = _INDEX_CACHE.get(_cache_key(sanctions_list))
    if index is None:
        _INDEX_CACHE.clear()
        index = screening_index_build(sanctions_list=sanctions_list)
        screening_index_keep(sanctions_list=sanctions_list, index=index)
    return index


def screening_index_keep(*, sanctions_list: SanctionsList, index: namematch.ScreeningIndex) -> None:
    """Keep `index` (built by the import of `sanctions_list`) as this process's cached index."""
    _INDEX_CACHE.clear()
    _INDEX_CACHE[_cache_key(sanctions_list)] = index
    # Millions of long-lived objects that hold no cycles: out of the cyclic collector's sight, so that
    # its full collections during a re-screen do not walk them again (a sixth of the re-screen's time).
    # Reference counting still frees them when the next list's index replaces this one.
    gc.freeze()


BULK_CHUNK = 1000


def firms_screen(*, firm_ids: Sequence[int] | None = None, progress=None) -> dict[str, int]:
    """Screen many firms (all when `firm_ids` is None); counts by resulting status."""
    sanctions_list = active_list()
    counts: dict[str, int] = {status: 0 for status in FS.values}
    if sanctions_list is None:
        return counts
    firms = Firm.objects.order_by("pk")
    if firm_ids is not None:
        firms = firms.filter(pk__in=list(firm_ids))
    if not firms.exists():
        return counts  # do not build an index of the whole list for nobody
    if firm_ids is not None and len(firm_ids) <= PER_FIRM_LOOKUP_MAX:
        for firm_id in firms.values_list("pk", flat=True):
            screening = firm_screen(firm=firm_id, sanctions_list=sanctions_list)
            counts[screening.status] += 1
            if progress is not None:
                progress(1)
        return counts
    index = screening_index_cached(sanctions_list=sanctions_list)
    ids = list(firms.values_list("pk", flat=True))
    for start in range(0, len(ids), BULK_CHUNK):
        chunk = ids[start : start + BULK_CHUNK]
        _screen_chunk(firm_ids=chunk, index=index, sanctions_list=sanctions_list, counts=counts)
        if progress is not None:
            progress(len(chunk))
    return counts


def _screen_chunk(
    *, firm_ids: Sequence[int], index: namematch.ScreeningIndex, sanctions_list: SanctionsList, counts: dict
) -> None:
    """`firm_screen` for a chunk of firms with a fixed number of queries: lock them, screen in
    memory, then write only the screenings whose result differs from the latest, in bulk."""
    with transaction.atomic():
        firms = list(
            Firm.objects.select_for_update()
            .filter(pk__in=firm_ids)
            .order_by("pk")
            .only("pk", "name", "country", "lei", "edrpou", "ncage", "screening_status")
        )
        owners: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for firm_id, name, country in BeneficialOwner.objects.filter(firm_id__in=firm_ids).values_list(
            "firm_id", "name", "country"
        ):
            owners[firm_id].append((name, str(country)))
        results = {firm.pk: _screen(index, firm, firm_identifiers(firm), owners[firm.pk]) for firm in firms}
        entries = SanctionsEntry.objects.in_bulk(list({hit.entry for hits in results.values() for hit in hits}))
        latest_ids = (
            Firm.objects.filter(pk__in=firm_ids)
            .annotate(
                latest=Subquery(
                    Screening.objects.filter(firm=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
                )
            )
            .values_list("latest", flat=True)
        )
        # The latest screenings and their matches as plain values: prefetch_related built a queryset
        # per screening, which cost more than screening the firms.
        latest_pks = [pk for pk in latest_ids if pk]
        previous_matches: dict[int, set[tuple]] = defaultdict(set)
        for screening_id, entry_id, score, reason in ScreeningMatch.objects.filter(
            screening_id__in=latest_pks
        ).values_list("screening_id", "entry_id", "score", "reason"):
            previous_matches[screening_id].add((entry_id, score, reason))
        latest = {
            firm_id: (pk, list_id, status, name, identifiers)
            for pk, firm_id, list_id, status, name, identifiers in Screening.objects.filter(
                pk__in=latest_pks
            ).values_list("pk", "firm_id", "sanctions_list_id", "status", "screened_name", "screened_identifiers")
        }
        dismissals: dict[int, ScreeningDecision] = {}
        false_positives = [firm.pk for firm in firms if firm.screening_status == FS.FALSE_POSITIVE]
        if false_positives:
            for decision in (
                ScreeningDecision.objects.filter(
                    firm_id__in=false_positives, decision=ScreeningDecision.Decision.DISMISS
                )
                .select_related("screening")
                .order_by("-created_at", "-id")
            ):
                dismissals.setdefault(decision.firm_id, decision)
        created: list[tuple[Screening, list[namematch.Hit]]] = []
        moves: dict[str, list[int]] = defaultdict(list)
        for firm in firms:
            hits, identifiers = results[firm.pk], firm_identifiers(firm)
            status = _next_status(firm=firm, keys=_decided_keys(hits, entries), dismissal=dismissals.get(firm.pk))
            counts[status] += 1
            previous = latest.get(firm.pk)
            if (
                previous is not None
                and previous[1:] == (sanctions_list.pk, status, firm.name, identifiers)
                and previous_matches[previous[0]] == {(h.entry, h.score, h.reason) for h in hits}
            ):
                continue  # idempotent: a repeated screening with the same result adds nothing
            created.append(
                (
                    Screening(
                        firm=firm,
                        sanctions_list=sanctions_list,
                        status=status,
                        screened_name=firm.name,
                        screened_identifiers=identifiers,
                    ),
                    hits,
                )
            )
            if firm.screening_status != status:
                moves[status].append(firm.pk)
                if firm.screening_status == FS.POTENTIAL_MATCH and status in (FS.CLEAR, FS.FALSE_POSITIVE):
                    rematch_request(firm_id=firm.pk)  # no longer held back: match it now
        Screening.objects.bulk_create([screening for screening, _ in created], batch_size=1000)
        ScreeningMatch.objects.bulk_create(
            [
                ScreeningMatch(
                    screening=screening,
                    entry_id=h.entry,
                    score=h.score,
                    reason=h.reason,
                    matched_name=h.matched_name,
                    explanation=h.explanation[:2000],
                    explanation_codes=h.codes,
                )
                for screening, hits in created
                for h in hits
            ],
            batch_size=1000,
        )
        for status, moved in moves.items():
            Firm.objects.filter(pk__in=moved).update(screening_status=status)


def rematch_request(*, firm_id: int) -> None:
    from celery import current_app as app

    if REMATCH_TASK in app.tasks:
        outbox_enqueue(REMATCH_TASK, firm_id=firm_id)
