"""Importing sanctions lists (OpenSanctions targets.simple.csv): streamed, atomic, errors name the row."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection, transaction

from compliance import namematch
from compliance.models import (
    SanctionsEntry,
    SanctionsKey,
    SanctionsList,
)
from compliance.services.screening import new_screening_index, screening_index_keep
from core.errors import ApplicationError
from core.outbox import outbox_enqueue

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


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


_ENTRY_COLUMNS = (
    "entity_id", "schema", "name", "aliases", "countries", "identifiers", "sanctions",
    "dataset", "first_seen", "last_seen", "last_change",
)  # fmt: skip
_JSON_COLUMNS = frozenset({"aliases", "countries", "identifiers", "sanctions"})


def _insert_entries(sanctions_list: SanctionsList, batch: list[ParsedEntry]) -> list[int]:
    """Insert a batch of entries; their ids in batch order. PostgreSQL: ids drawn from the table's
    sequence, rows sent with COPY (bulk_create spent most of an import compiling SQL)."""
    if connection.vendor != "postgresql":
        rows = SanctionsEntry.objects.bulk_create(
            [SanctionsEntry(sanctions_list=sanctions_list, **{c: getattr(e, c) for c in _ENTRY_COLUMNS}) for e in batch]
        )
        return [row.pk for row in rows]
    meta = SanctionsEntry._meta
    quote = connection.ops.quote_name
    columns = ["id", meta.get_field("sanctions_list").column, *(meta.get_field(c).column for c in _ENTRY_COLUMNS)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [meta.db_table, len(batch)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for pk, e in zip(ids, batch, strict=True):
                copy.write_row(
                    (pk, sanctions_list.pk)
                    + tuple(json.dumps(getattr(e, c)) if c in _JSON_COLUMNS else getattr(e, c) for c in _ENTRY_COLUMNS)
                )
    return ids


def _flush(sanctions_list: SanctionsList, batch: list[ParsedEntry], index: namematch.ScreeningIndex) -> None:
    """Write a batch of entries and their lookup keys; index them in memory on the way (the keys are
    what indexing finds, so every name is read once per import)."""
    ids = _insert_entries(sanctions_list, batch)
    keys = [
        (pk, index.add(pk, e.name, e.aliases, e.identifiers, countries=e.countries, schema=e.schema))
        for pk, e in zip(ids, batch, strict=True)
    ]
    _insert_keys(sanctions_list, keys)


# PostgreSQL: an import's keys (two million for a large list) go to a temporary table without an
# index, and replace the table's rows in one statement at the end (`_keys_publish`): inserting them
# one by one into the (list, key) index cost more than everything else the import writes.
_STAGING = "compliance_sanctionskey_import"


def _keys_begin() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_STAGING}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} (sanctions_list_id integer, key varchar(255), entry_id bigint) "
            "ON COMMIT DROP"
        )


def _insert_keys(sanctions_list: SanctionsList, keys: list[tuple[int, set[str]]]) -> None:
    """Several keys per entry (a million rows for a full list): COPY on PostgreSQL,
    executemany elsewhere; both cost a fraction of a model instance per key for bulk_create."""
    list_pk = sanctions_list.pk
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_STAGING} (sanctions_list_id, key, entry_id) FROM STDIN") as copy:
                for pk, found in keys:
                    for key in found:
                        copy.write_row((list_pk, key[:255], pk))
            return
        meta = SanctionsKey._meta
        table = connection.ops.quote_name(meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(meta.get_field(f).column) for f in ("sanctions_list", "key", "entry")
        )
        # Names come from the model's meta, values are parameters.
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s)",  # noqa: S608
            [(list_pk, key[:255], pk) for pk, found in keys for key in found],
        )


def _keys_publish(sanctions_list: SanctionsList) -> None:
    """Make `sanctions_list`'s keys the only ones: old lists keep their entries (screenings point at
    them) but not their lookup keys, which only serve the active list."""
    if connection.vendor != "postgresql":
        SanctionsKey.objects.exclude(sanctions_list=sanctions_list).delete()
        return
    meta = SanctionsKey._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in ("sanctions_list", "key", "entry"))
    # TRUNCATE, then load without the index and build it once: a few seconds at the end of the
    # transaction during which single-firm lookups wait, instead of a DELETE of the old list's rows
    # (and their dead index entries) and two million index insertions.
    with connection.cursor() as cursor, connection.schema_editor(atomic=False) as editor:
        cursor.execute(f"TRUNCATE {table}")
        for index in meta.indexes:
            editor.remove_index(SanctionsKey, index)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT sanctions_list_id, key, entry_id FROM {_STAGING}"  # noqa: S608
        )
        for index in meta.indexes:
            editor.add_index(SanctionsKey, index)
        cursor.execute(f"DROP TABLE {_STAGING}")
        cursor.execute(f"ANALYZE {table}")


def sanctions_list_import(*, path: str | Path, imported_by: str = "", progress=None) -> SanctionsList:
    """Import a targets.simple.csv file as the new active list, all or nothing; re-screen all firms after."""
    path = Path(path)
    if not path.is_file():
        raise SanctionsImportError(f"no such file: {path}")
    sha256 = _file_sha256(path)
    seen_ids: set[str] = set()
    index = new_screening_index()
    with transaction.atomic(), namematch.bulk_indexing():
        _keys_begin()
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
                        _flush(sanctions_list, batch, index)
                        batch = []
            except UnicodeDecodeError as exc:
                raise SanctionsImportError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", row=rows + 2)
        if batch:
            _flush(sanctions_list, batch, index)
        # Deactivate first: the partial unique index allows one active list at a time. Old lists keep
        # their entries (screenings point at them) but not their lookup keys, which only serve the active one.
        SanctionsList.objects.filter(is_active=True).update(is_active=False)
        _keys_publish(sanctions_list)
        SanctionsList.objects.filter(pk=sanctions_list.pk).update(
            is_active=True, rows_read=rows, entries_count=kept, skipped_count=skipped
        )
        # This process's re-screen (in-process tasks, a command that waits) reuses the index built
        # above instead of reading the list back; a worker elsewhere builds its own.
        screening_index_keep(sanctions_list=sanctions_list, index=index)
        outbox_enqueue(SCREEN_ALL_TASK)
    sanctions_list.refresh_from_db()
    log.info("sanctions list %s imported: %s entries, %s skipped", sanctions_list.pk, kept, skipped)
    return sanctions_list
