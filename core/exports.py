"""Spreadsheet exports (CSV and XLSX, openpyxl): tables of plain values, safe to open in a spreadsheet.

Cells that begin with `=`, `+`, `-`, `@` (or a tab or carriage return, which some spreadsheets skip
before reading a formula) are neutralised with a leading apostrophe, so a firm name such as
`=HYPERLINK(...)` is shown as text and never evaluated (OWASP "CSV injection"). Numbers stay numbers.

The apps build the rows (`directory.services.reviewer_firms_export`, `review.services.exports`);
this module only writes them, so every export follows the same rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext

from core.errors import ApplicationError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_TYPES = ("csv", "xlsx")
# openpyxl writes some 30,000 cells a second (pure Python): 10,000 rows of a dozen columns take a few
# seconds, 100,000 would pass the web server's timeout. CSV has no limit (100,000 rows in about a second).
XLSX_MAX_ROWS = 10_000


@dataclass(frozen=True)
class Export:
    """A finished export: what a view sends as an attachment."""

    content: bytes
    content_type: str
    filename: str


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet should show it: text that could start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_csv(*, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (spreadsheets then read Cyrillic correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = neutralise(value)
    if isinstance(value, str):
        # Control characters cannot be stored in the XML of a sheet (openpyxl refuses the whole file).
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def table_xlsx(*, headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    """One sheet named `title`, headers in bold on a frozen first row; rows are streamed (write-only)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return cleaned[:31] or "Sheet"


def table_export(*, file: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str, name: str) -> Export:
    """The table as `file` ("csv" or "xlsx"), named `name`.csv / `name`.xlsx; an XLSX file of more
    than XLSX_MAX_ROWS rows is refused (400 `export_too_large`), before the slow part."""
    if file == "xlsx":
        if len(rows) > XLSX_MAX_ROWS:
            message = gettext(
                "An XLSX file holds at most %(limit)s rows and this list has %(rows)s: narrow the filters, "
                "or download CSV."
            )
            raise ApplicationError(message % {"limit": XLSX_MAX_ROWS, "rows": len(rows)}, code="export_too_large")
        return Export(table_xlsx(headers=headers, rows=rows, title=title), XLSX_TYPE, f"{name}.xlsx")
    if file == "csv":
        return Export(table_csv(headers=headers, rows=rows), CSV_TYPE, f"{name}.csv")
    raise ValueError(f"Unknown export file type {file!r}; expected one of {FILE_TYPES}.")


def attachment(export: Export) -> HttpResponse:
    """The export as a download (pages and API alike)."""
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
