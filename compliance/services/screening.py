"""Screening firms against the active sanctions list: identifiers and names, one firm or all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction

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
from registry.models import Firm

if TYPE_CHECKING:
    pass


FS = Firm.ScreeningStatus
REMATCH_TASK = "matching.tasks.rematch_firm_task"


# --- Screening ----------------------------------------------------------------------------------


def active_list() -> SanctionsList | None:
    return SanctionsList.objects.filter(is_active=True).first()


def firm_identifiers(firm: Firm) -> list[str]:
    return [value for value in (firm.lei, firm.edrpou, firm.ncage) if value]


def _add_entry(index: namematch.ScreeningIndex, entry: SanctionsEntry) -> None:
    index.add(entry.pk, entry.name, entry.aliases, entry.identifiers)


def screening_index_build(*, sanctions_list: SanctionsList) -> namematch.ScreeningIndex:
    """The whole list in memory, for screening many firms at once."""
    index = namematch.ScreeningIndex()
    fields = ("pk", "name", "aliases", "identifiers")
    for pk, name, aliases, identifiers in (
        SanctionsEntry.objects.filter(sanctions_list=sanctions_list).values_list(*fields).iterator(chunk_size=5000)
    ):
        index.add(pk, name, aliases, identifiers)
    return index


def _candidate_index(
    *, sanctions_list: SanctionsList, name: str, identifiers: Sequence[str]
) -> namematch.ScreeningIndex:
    """A small index of the entries sharing a key with this firm, found through SanctionsKey."""
    keys = namematch.name_keys(name) | namematch.identifier_keys(identifiers)
    index = namematch.ScreeningIndex()
    entry_ids = SanctionsKey.objects.filter(sanctions_list=sanctions_list, key__in=keys).values("entry_id")
    for entry in SanctionsEntry.objects.filter(pk__in=entry_ids).only("pk", "name", "aliases", "identifiers"):
        _add_entry(index, entry)
    return index


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
        if index is None:
            index = _candidate_index(sanctions_list=sanctions_list, name=locked.name, identifiers=identifiers)
        hits = index.screen(locked.name, identifiers)
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
                    screening=screening, entry_id=h.entry, score=h.score, reason=h.reason, matched_name=h.matched_name
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


def _next_status(*, firm: Firm, keys: list[str]) -> str:
    if firm.screening_status == FS.CONFIRMED_MATCH:
        return FS.CONFIRMED_MATCH
    if not keys:
        return FS.CLEAR
    if firm.screening_status == FS.FALSE_POSITIVE:
        dismissal = (
            ScreeningDecision.objects.filter(firm=firm, decision=ScreeningDecision.Decision.DISMISS)
            .only("entry_keys")
            .first()
        )
        if dismissal is not None and set(keys) <= set(dismissal.entry_keys):
            return FS.FALSE_POSITIVE
    return FS.POTENTIAL_MATCH


# A worker keeps the last list's in-memory index: bulk screening messages of 1,000 firms each then
# build it once, not once per message. Keyed by the list's identity, so a new import rebuilds it.
_INDEX_CACHE: dict[tuple, namematch.ScreeningIndex] = {}
PER_FIRM_LOOKUP_MAX = 200  # below this many firms, database key lookups beat building the whole index


def screening_index_cached(*, sanctions_list: SanctionsList) -> namematch.ScreeningIndex:
    key = (sanctions_list.pk, sanctions_list.sha256, sanctions_list.imported_at)
    index = _INDEX_CACHE.get(key)
    if index is None:
        _INDEX_CACHE.clear()
        index = _INDEX_CACHE[key] = screening_index_build(sanctions_list=sanctions_list)
    return index


def firms_screen(*, firm_ids: Sequence[int] | None = None, progress=None) -> dict[str, int]:
    """Screen many firms (all when `firm_ids` is None); counts by resulting status."""
    sanctions_list = active_list()
    counts: dict[str, int] = {status: 0 for status in FS.values}
    if sanctions_list is None:
        return counts
    firms = Firm.objects.order_by("pk")
    index = None
    if firm_ids is not None:
        firms = firms.filter(pk__in=list(firm_ids))
    if not firms.exists():
        return counts  # do not build an index of the whole list for nobody
    if firm_ids is None or len(firm_ids) > PER_FIRM_LOOKUP_MAX:
        index = screening_index_cached(sanctions_list=sanctions_list)
    for firm_id in firms.values_list("pk", flat=True).iterator(chunk_size=2000):
        screening = firm_screen(firm=firm_id, index=index, sanctions_list=sanctions_list)
        counts[screening.status] += 1
        if progress is not None:
            progress(1)
    return counts


def rematch_request(*, firm_id: int) -> None:
    from celery import current_app as app

    if REMATCH_TASK in app.tasks:
        outbox_enqueue(REMATCH_TASK, firm_id=firm_id)
