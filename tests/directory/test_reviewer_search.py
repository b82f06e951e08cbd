"""Reviewers find any firm by name, EDRPOU, LEI or ref, and export the list as CSV or XLSX."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.exports import neutralise
from registry.models import Firm
from tests.factories import FirmFactory

URL = "/api/v1/directory/reviewer/firms/"


def _names(response):
    return [f["name"] for f in response.json()["results"]]


def test_reviewers_find_firms_of_any_status_by_name_edrpou_lei_or_ref(rita_client, market):
    FirmFactory(ref="de-lei", name="Lei Holder GmbH", partner=True, lei="5299000J2N45DDNE4Y28")
    assert "Pending Artillery Sp. z o.o." in _names(rita_client.get(URL, {"q": "pending art"}))
    assert _names(rita_client.get(URL, {"q": "ua-arsenal"})) == ["Арсенал Півдня ТОВ"]
    assert _names(rita_client.get(URL, {"q": "5299000j2n45ddne4y28"})) == ["Lei Holder GmbH"]
    by_edrpou = _names(rita_client.get(URL, {"q": "00032945", "status": "suspended"}))
    assert by_edrpou == ["Suspended Artillery LLC"]
    assert set(_names(rita_client.get(URL, {"side": "partner", "country": "pl"}))) == {"Pending Artillery Sp. z o.o."}


@pytest.mark.parametrize("persona", ["alice_client", "bob_client", "alice_token"])
def test_firm_members_cannot_search_every_firm_or_export(request, market, persona):
    client = request.getfixturevalue(persona)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}export/", {"file": "csv"}).status_code == 403


def test_a_bad_status_or_file_type_is_a_400_naming_it(rita_client, market):
    assert "status" in rita_client.get(URL, {"status": "sleeping"}).json()["error"]["fields"]
    assert "file" in rita_client.get(f"{URL}export/", {"file": "pdf"}).json()["error"]["fields"]


def test_cells_that_could_start_a_formula_are_neutralised():
    for dangerous in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("Safe Name LLC") == "Safe Name LLC" and neutralise(12) == 12


def test_csv_export_in_the_reviewers_language_with_formulas_neutralised(rita_client, rita, market):
    FirmFactory(ref="de-evil", name='=HYPERLINK("http://evil.example","click")', partner=True)
    rita.language = "uk"
    rita.save()
    response = rita_client.get(f"{URL}export/", {"file": "csv", "side": "partner"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Назва" and "Статус" in rows[0]
    evil = next(r for r in rows if "HYPERLINK" in r[0])
    assert evil[0].startswith("'=")
    assert len(rows) == 1 + Firm.objects.filter(side="partner").count()


def test_xlsx_export_opens_in_openpyxl_with_the_same_rows(rita_client, market):
    evil = FirmFactory(ref="ua-evil", name="+cmd|' /C calc'!A0")
    response = rita_client.get(f"{URL}export/", {"file": "xlsx", "q": "cmd"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Name"
    assert rows[1][0] == "'+cmd|' /C calc'!A0" and rows[1][2] == evil.edrpou


def test_the_search_takes_a_constant_number_of_queries(rita_client, market, django_assert_max_num_queries):
    rita_client.get(URL)
    for i in range(20):
        FirmFactory(ref=f"ua-more-{i}", name=f"More {i} LLC")
    with django_assert_max_num_queries(6):
        assert rita_client.get(URL).status_code == 200
