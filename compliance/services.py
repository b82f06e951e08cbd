"""Writes of compliance: importing sanctions lists, screening firms, reviewers' decisions."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils.translation import gettext

from compliance import namematch
from compliance.models import (
    SanctionsEntry,
    SanctionsKey,
    SanctionsList,
    Screening,
    ScreeningDecision,
    ScreeningMatch,
)
from core import events
from core.errors import ApplicationError, ConflictError
from core.outbox import outbox_enqueue
from core.permissions import require_reviewer
from core.text import clean_note
from registry.models import BeneficialOwner, Firm
from registry.selectors import firm_blocking_owners
from registry.services import firm_suspend

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)

FS = Firm.ScreeningStatus
REQUIRED_COLUMNS = (
    "id",
    "schema",
    "name",
    "aliases",
    "birth_date",
    "countries",
    "addresses",
    "identifiers",
    "sanctions",
    "phones",
    "emails",
    "dataset",
    "first_seen",
    "last_seen",
    "last_change",
)
KEPT_SCHEMATA = frozenset({"Company", "Organization", "LegalEntity", "Person"})
BATCH_SIZE = 2000
SCREEN_ALL_TASK = "compliance.tasks.screen_all_task"
REMATCH_TASK = "matching.tasks.rematch_firm_task"
WITHDRAW_NOTE = "withdrawn: confirmed sanctions match"

# OpenSanctions cells can be long (addresses, many aliases); the csv default of 128 KiB is not enough.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


# --- Import -------------------------------------------------------------------------------------


class SanctionsImportError(ApplicationError):
    """A malformed list file; `row` is the 1-based line of the file (the header is line 1)."""

    def __init__(self, message: str, *, row: int | None = None):
        where = f"row {row}: " if row else ""
        super().__init__(f"{where}{message}", code="invalid_sanctions_file", fields={"row": [str(row or "")]})
        self.row = row


@dataclass(frozen=True)
class ParsedEntry:
    entity_id: str
    schema: str
    name: str
    aliases: list[str]
    countries: list[str]
    identifiers: list[str]
    sanctions: list[str]
    dataset: str
    first_seen: str
    last_seen: str
    last_change: str


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def parse_sanctions_csv(stream: io.TextIOBase) -> Iterator[tuple[int, ParsedEntry | None]]:
    """Yield (line, entry) for each row, entry None for skipped schemata; raise on the first bad row."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise SanctionsImportError("the file is empty; expected a header row", row=1)
    except csv.Error as exc:
        raise SanctionsImportError(f"unreadable header ({exc})", row=1)
    header = [column.strip().lstrip("\ufeff") for column in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise SanctionsImportError(f"bad header: missing required column(s) {', '.join(missing)}", row=1)
    position = {column: header.index(column) for column in REQUIRED_COLUMNS}
    width = len(header)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SanctionsImportError(f"unparsable row ({exc})", row=reader.line_num)
        line = reader.line_num
        if not row:
            continue  # blank line
        if len(row) != width:
            raise SanctionsImportError(f"expected {width} columns as in the header, found {len(row)}", row=line)
        cell = {column: row[index].strip() for column, index in position.items()}
        if not cell["id"]:
            raise SanctionsImportError("empty id", row=line)
        if not cell["name"]:
            raise SanctionsImportError(f"empty name for id {cell['id']!r}", row=line)
        if cell["schema"] not in KEPT_SCHEMATA:
            yield line, None
            continue
        yield (
            line,
            ParsedEntry(
                entity_id=cell["id"],
                schema=cell["schema"],
                name=cell["name"],
                aliases=_split(cell["aliases"]),
                countries=_split(cell["countries"]),
                identifiers=_split(cell["identifiers"]),
                sanctions=_split(cell["sanctions"]),
                dataset=cell["dataset"],
                first_seen=cell["first_seen"],
                last_seen=cell["last_seen"],
                last_change=cell["last_change"],
            ),
        )


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry_keys(entry: ParsedEntry) -> set[str]:
    keys = namematch.identifier_keys(entry.identifiers)
    for text in (entry.name, *entry.aliases):
        keys |= namematch.name_keys(text)
    return keys


def _flush(sanctions_list: SanctionsList, batch: list[ParsedEntry]) -> None:
    rows = SanctionsEntry.objects.bulk_create(
        [
            SanctionsEntry(
                sanctions_list=sanctions_list,
                entity_id=e.entity_id,
                schema=e.schema,
                name=e.name,
                aliases=e.aliases,
                countries=e.countries,
                identifiers=e.identifiers,
                sanctions=e.sanctions,
                dataset=e.dataset,
                first_seen=e.first_seen,
                last_seen=e.last_seen,
                last_change=e.last_change,
            )
            for e in batch
        ]
    )
    keys = [
        (sanctions_list.pk, key[:255], row.pk)
        for row, parsed in zip(rows, batch, strict=True)
        for key in _entry_keys(parsed)
    ]
    _insert_keys(keys)


def _insert_keys(keys: list[tuple[int, str, int]]) -> None:
    """Several keys per entry (a million rows for a full list): COPY on PostgreSQL, executemany
    elsewhere; both cost a fraction of a model instance per key for bulk_create."""
    meta = SanctionsKey._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in ("sanctions_list", "key", "entry"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in keys:
                    copy.write_row(row)
        else:
            # Names come from the model's meta, values are parameters.
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s)", keys)  # noqa: S608


def sanctions_list_import(*, path: str | Path, imported_by: str = "", progress=None) -> SanctionsList:
    """Import a targets.simple.csv file as the new active list, all or nothing; re-screen all firms after."""
    path = Path(path)
    if not path.is_file():
        raise SanctionsImportError(f"no such file: {path}")
    sha256 = _file_sha256(path)
    seen_ids: set[str] = set()
    with transaction.atomic():
        sanctions_list = SanctionsList.objects.create(source_name=path.name, sha256=sha256, imported_by=imported_by)
        rows = skipped = kept = 0
        batch: list[ParsedEntry] = []
        with path.open(encoding="utf-8-sig", newline="") as stream:
            try:
                for line, entry in parse_sanctions_csv(stream):
                    rows += 1
                    if progress is not None:
                        progress(rows)
                    if entry is None:
                        skipped += 1
                        continue
                    if entry.entity_id in seen_ids:
                        raise SanctionsImportError(f"duplicate id {entry.entity_id!r}", row=line)
                    seen_ids.add(entry.entity_id)
                    batch.append(entry)
                    kept += 1
                    if len(batch) >= BATCH_SIZE:
                        _flush(sanctions_list, batch)
                        batch = []
            except UnicodeDecodeError as exc:
                raise SanctionsImportError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", row=rows + 2)
        if batch:
            _flush(sanctions_list, batch)
        # Deactivate first: the partial unique index allows one active list at a time. Old lists keep
        # their entries (screenings point at them) but not their lookup keys, which only serve the active one.
        SanctionsList.objects.filter(is_active=True).update(is_active=False)
        SanctionsKey.objects.exclude(sanctions_list=sanctions_list).delete()
        SanctionsList.objects.filter(pk=sanctions_list.pk).update(
            is_active=True, rows_read=rows, entries_count=kept, skipped_count=skipped
        )
        outbox_enqueue(SCREEN_ALL_TASK)
    sanctions_list.refresh_from_db()
    log.info("sanctions list %s imported: %s entries, %s skipped", sanctions_list.pk, kept, skipped)
    return sanctions_list


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
                _rematch_request(firm_id=locked.pk)
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


# --- Reviewers' decisions ------------------------------------------------------------------------


def _decide(*, firm: Firm | int, reviewer: User, note: str, decision: str) -> tuple[Firm, ScreeningDecision, str]:
    """Lock the firm, check it awaits a decision and record the decision; call inside atomic()."""
    firm_id = firm.pk if isinstance(firm, Firm) else firm
    locked = Firm.objects.select_for_update().get(pk=firm_id)
    if locked.screening_status != FS.POTENTIAL_MATCH:
        raise ConflictError(
            gettext("Only a potential match can be decided; this firm is %(status)s.")
            % {"status": str(FS(locked.screening_status).label).lower()},
            current_state=locked.screening_status,
        )
    screening = Screening.objects.filter(firm=locked).prefetch_related("matches__entry").first()
    if screening is None:  # a status set outside screening (admin, data fix): nothing to decide on
        raise ConflictError(gettext("This firm has no screening to decide on."), current_state=locked.screening_status)
    entry_keys = sorted({f"{m.entry.entity_id}@{m.entry.last_change}" for m in screening.matches.all()})
    record = ScreeningDecision.objects.create(
        firm=locked, screening=screening, reviewer=reviewer, decision=decision, note=note, entry_keys=entry_keys
    )
    return locked, record, entry_keys


def screening_dismiss(*, firm: Firm | int, reviewer: User, note: str) -> ScreeningDecision:
    """potential_match -> false_positive; the firm may be matched again."""
    require_reviewer(reviewer)
    note = clean_note(note, required=True)
    with transaction.atomic():
        locked, record, _ = _decide(
            firm=firm, reviewer=reviewer, note=note, decision=ScreeningDecision.Decision.DISMISS
        )
        Firm.objects.filter(pk=locked.pk).update(screening_status=FS.FALSE_POSITIVE)
        _rematch_request(firm_id=locked.pk)  # back in matching: give it proposals now, not at the nightly run
    return record


def screening_confirm(*, firm: Firm | int, reviewer: User, note: str) -> ScreeningDecision:
    """potential_match -> confirmed_match: the firm is suspended and its open proposals withdrawn."""
    role = require_reviewer(reviewer)
    note = clean_note(note, required=True)
    with transaction.atomic():
        locked, record, _ = _decide(
            firm=firm, reviewer=reviewer, note=note, decision=ScreeningDecision.Decision.CONFIRM
        )
        Firm.objects.filter(pk=locked.pk).update(screening_status=FS.CONFIRMED_MATCH)
        # Withdraw first, so each event names the sanctions match (the suspension then finds none open).
        proposals_withdraw_for_firm(firm=locked, actor=reviewer, actor_role=role)
        if locked.status != Firm.Status.SUSPENDED:
            # The registry's service: status, who and when, and a FirmRevision with the reason.
            firm_suspend(firm=locked, reviewer=reviewer, reason=f"Confirmed sanctions match: {note}"[:2000])
    return record


def proposals_withdraw_for_firm(*, firm: Firm, actor: User | None, actor_role: str) -> None:
    """Announce a confirmed sanctions match: the review workflow withdraws the firm's open
    (proposed/approved) proposals in this transaction, an event each (matching/apps.py subscribes)."""
    events.publish(
        events.SCREENING_CONFIRMED,
        firm=firm,
        actor=actor,
        actor_role=actor_role,
        reason=WITHDRAW_NOTE,
        data={"reason": "sanctions", "firm": firm.pk},
    )


def _rematch_request(*, firm_id: int) -> None:
    from celery import current_app as app

    if REMATCH_TASK in app.tasks:
        outbox_enqueue(REMATCH_TASK, firm_id=firm_id)


# --- Beneficial owners -----------------------------------------------------------------------------


def beneficial_owners_replace(*, firm: Firm, owners: Sequence[dict], user: User) -> list[BeneficialOwner]:
    """Replace the firm's declared owners (each above 10%) in one transaction."""
    total = sum(owner["share_percent"] for owner in owners)
    if total > 100:
        raise ApplicationError(
            gettext("owners: shares add up to more than 100%%.") % {},
            code="share_total",
            fields={"owners": [gettext("Shares add up to %(total)s%%, at most 100%% allowed.") % {"total": total}]},
        )
    with transaction.atomic():
        Firm.objects.select_for_update().filter(pk=firm.pk).first()
        was_blocked = firm_blocking_owners(firm=firm).exists()
        firm.beneficial_owners.all().delete()
        created = BeneficialOwner.objects.bulk_create(
            [
                BeneficialOwner(
                    firm=firm, name=owner["name"], country=owner["country"], share_percent=owner["share_percent"]
                )
                for owner in owners
            ]
        )
        if was_blocked != firm_blocking_owners(firm=firm).exists():
            _rematch_request(firm_id=firm.pk)  # it enters or leaves matching
    return created
