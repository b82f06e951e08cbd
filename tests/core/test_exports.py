"""The spreadsheet writer (`core/exports.py`): formula-like text neutralised, CSV with a BOM, a real XLSX."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.exports import CSV_TYPE, XLSX_TYPE, attachment, neutralise, table_csv, table_export, table_xlsx

DANGEROUS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=x", "\r=x"]


def _xlsx_rows(content: bytes) -> list[list]:
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(content)).active.iter_rows()]


def test_text_that_could_start_a_formula_gets_an_apostrophe_and_numbers_stay_numbers():
    for value in DANGEROUS:
        assert neutralise(value) == "'" + value
    assert neutralise("Safe Name LLC") == "Safe Name LLC"
    assert neutralise(-2) == -2 and neutralise(0.5) == 0.5 and neutralise(None) is None


def test_a_csv_starts_with_a_byte_order_mark_and_keeps_every_dangerous_cell_as_text():
    content = table_csv(headers=["Назва", "=header"], rows=[[v, 1] for v in DANGEROUS] + [[None, -3]])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Назва", "'=header"]
    assert [r[0] for r in rows[1:-1]] == ["'" + v for v in DANGEROUS]
    assert rows[-1] == ["", "-3"]  # a number is not text: a negative number is left alone


def test_an_xlsx_opens_in_openpyxl_with_no_formula_and_no_control_character():
    content = table_xlsx(
        headers=["Назва", "Бал"], rows=[[v, 0.5] for v in DANGEROUS] + [["a\x01b", 2]], title="A/B: [x]"
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "A B   x" and sheet.freeze_panes == "A2" and sheet["A1"].font.b
    rows = _xlsx_rows(content)
    assert rows[0] == ["Назва", "Бал"]
    # (XML reads a carriage return back as a line feed)
    assert [r[0] for r in rows[1:-1]] == ["'" + v.replace("\r", "\n") for v in DANGEROUS]
    assert all(sheet.cell(row=i, column=1).data_type == "s" for i in range(2, len(rows) + 1))
    assert rows[-1] == ["ab", 2]


def test_table_export_names_the_file_and_its_type_and_refuses_another_type():
    csv_export = table_export(file="csv", headers=["a"], rows=[[1]], title="T", name="firms")
    xlsx_export = table_export(file="xlsx", headers=["a"], rows=[[1]], title="T", name="firms")
    assert (csv_export.filename, csv_export.content_type) == ("firms.csv", CSV_TYPE)
    assert (xlsx_export.filename, xlsx_export.content_type) == ("firms.xlsx", XLSX_TYPE)
    response = attachment(xlsx_export)
    assert response["Content-Disposition"] == 'attachment; filename="firms.xlsx"'
    with pytest.raises(ValueError):
        table_export(file="pdf", headers=["a"], rows=[], title="T", name="firms")


def test_an_xlsx_file_longer_than_the_limit_is_refused_before_it_is_written_and_a_csv_is_not(monkeypatch):
    from core import exports
    from core.errors import ApplicationError

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    rows = [[1], [2], [3]]
    with pytest.raises(ApplicationError) as refused:
        table_export(file="xlsx", headers=["a"], rows=rows, title="T", name="t")
    assert refused.value.code == "export_too_large" and refused.value.status == 400
    assert "at most 2 rows" in refused.value.message and "CSV" in refused.value.message
    assert table_export(file="xlsx", headers=["a"], rows=rows[:2], title="T", name="t").filename == "t.xlsx"
    assert table_export(file="csv", headers=["a"], rows=rows, title="T", name="t").content.count(b"\n") == 4
