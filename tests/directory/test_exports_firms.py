"""Reviewers' list of every firm through the API: its filters (one FilterSet, shared with the page and
the exports), completeness computed in SQL exactly as the firm's dashboard computes it, and the CSV
and XLSX exports of the filtered list."""

import csv
import io
import itertools

import pytest
from openpyxl import load_workbook

from directory.completeness import (
    TOTAL_POINTS,
    completeness_annotate,
    completeness_filter,
    completeness_score,
    firms_completeness,
)
from registry.models import Firm, FirmPlatform, Platform
from tests.conftest import PERSONAS
from tests.directory.conftest import cap
from tests.factories import FirmCapabilityFactory, FirmFactory

URL = "/api/v1/directory/reviewer/firms/"
EXPORT = f"{URL}export/"
EVIL = '=HYPERLINK("http://evil.example","click")'


def full_firm(ref: str, **fields) -> Firm:
    """A profile that passes every completeness check (100 %)."""
    firm = FirmFactory(
        ref=ref,
        description="x" * 250,
        certifications=["AQAP-2110"],
        employees=40,
        website="https://a.example",
        **fields,
    )
    FirmCapabilityFactory(firm=firm, kind="offer", capability=cap("munitions.artillery_155"), monthly_capacity=900)
    FirmCapabilityFactory(firm=firm, kind="seek", capability=cap("sensors.radar"))
    FirmPlatform.objects.create(firm=firm, platform=Platform.objects.order_by("code").first(), role="repairs")
    return firm


@pytest.fixture
def graded(market):
    """Firms at 100 %, 50 % (offers, seeks, head count: 7 of 14 points) and 0 %, and one named like a formula."""
    full = full_firm("de-full", name="Complete Werke GmbH", partner=True)
    half = FirmFactory(ref="ua-half", name="Half Done LLC", employees=12, description="Short.")
    FirmCapabilityFactory(firm=half, kind="offer", capability=cap("munitions.artillery_155"))
    FirmCapabilityFactory(firm=half, kind="seek", capability=cap("sensors.radar"))
    empty = FirmFactory(ref="ua-empty", name="Empty Profile LLC", description="Short.", partnership_types=[])
    evil = FirmFactory(ref="de-evil", name=EVIL, partner=True, description="Short.")
    return {**market, "full": full, "half": half, "empty": empty, "evil": evil}


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {f["name"] for f in response.json()["results"]}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


# --- Completeness: the same number in SQL as in Python ------------------------------------------


def test_completeness_in_sql_is_the_dashboards_score_for_every_combination_of_checks(db):
    platform = Platform.objects.order_by("code").first()
    firms = []
    for i, (offer, seeks, long_text, platforms, certified, employees, website) in enumerate(
        itertools.product(["", "offer", "offer+capacity"], *[[False, True]] * 6)
    ):
        firm = FirmFactory(
            ref=f"ua-combo-{i}",
            description="y" * (250 if long_text else 199),
            certifications=["ISO-9001"] if certified else [],
            employees=5 if employees else None,
            website="https://w.example" if website else "",
        )
        if offer:
            capacity = 100 if offer == "offer+capacity" else None
            FirmCapabilityFactory(
                firm=firm, kind="offer", capability=cap("repair.artillery"), monthly_capacity=capacity
            )
        if seeks:
            FirmCapabilityFactory(firm=firm, kind="seek", capability=cap("sensors.radar"))
        if platforms:
            FirmPlatform.objects.create(firm=firm, platform=platform, role="produces")
        firms.append(firm)
    expected = {pk: score for pk, (score, _hints) in firms_completeness(firms=firms).items()}
    in_sql = {f.pk: completeness_score(f.completeness_points) for f in completeness_annotate(Firm.objects.all())}
    assert in_sql == expected
    assert {0, 100} <= set(in_sql.values())


def test_the_completeness_filter_keeps_exactly_the_firms_in_its_range(graded):
    scores = {f.pk: completeness_score(f.completeness_points) for f in completeness_annotate(Firm.objects.all())}
    for low, high in [(0, 49), (50, 79), (80, 100), (50, 50), (51, 100), (0, 0), (100, 100), (60, 40)]:
        kept = set(completeness_filter(Firm.objects.all(), low=low, high=high).values_list("pk", flat=True))
        assert kept == {pk for pk, score in scores.items() if low <= score <= high}, (low, high)
    assert completeness_score(TOTAL_POINTS) == 100 and completeness_score(0) == 0


# --- The list's filters --------------------------------------------------------------------------


def test_every_filter_keeps_the_firms_it_names_and_leaves_out_the_others(rita_client, graded):
    by_status = _names(rita_client.get(URL, {"status": "pending"}))
    assert "Pending Artillery Sp. z o.o." in by_status and "SkyForge Robotics LLC" not in by_status
    by_side = _names(rita_client.get(URL, {"side": "partner"}))
    assert {"Optronik Systems GmbH", "Complete Werke GmbH", EVIL} <= by_side and "Half Done LLC" not in by_side
    assert _names(rita_client.get(URL, {"country": "fr"})) == {"Lumiere Optique SA"}
    flagged = _names(rita_client.get(URL, {"screening": "potential_match"}))
    assert flagged == {"Flagged Artillery LLC"}
    clear = _names(rita_client.get(URL, {"screening": "clear"}))
    assert "Flagged Artillery LLC" not in clear and "SkyForge Robotics LLC" in clear


def test_completeness_filters_by_band_and_by_minimum(rita_client, graded):
    high = _names(rita_client.get(URL, {"completeness": "high"}))
    assert "Complete Werke GmbH" in high and "Half Done LLC" not in high and "Empty Profile LLC" not in high
    partial = _names(rita_client.get(URL, {"completeness": "partial"}))
    assert "Half Done LLC" in partial and not {"Complete Werke GmbH", "Empty Profile LLC"} & partial
    low = _names(rita_client.get(URL, {"completeness": "low"}))
    assert "Empty Profile LLC" in low and not {"Complete Werke GmbH", "Half Done LLC"} & low
    at_least_half = _names(rita_client.get(URL, {"min_completeness": "50"}))
    assert {"Complete Werke GmbH", "Half Done LLC"} <= at_least_half and "Empty Profile LLC" not in at_least_half
    assert _names(rita_client.get(URL, {"min_completeness": "51", "side": "ua"})) == set()


def test_the_list_shows_each_firms_completeness_and_screening(rita_client, graded):
    results = {f["name"]: f for f in rita_client.get(URL, {"page_size": 100}).json()["results"]}
    assert results["Complete Werke GmbH"]["completeness"] == 100
    assert results["Half Done LLC"]["completeness"] == 50
    assert results["Empty Profile LLC"]["completeness"] == 0
    assert results["Flagged Artillery LLC"]["screening_status"] == "potential_match"


def test_filters_combine_with_the_search(rita_client, graded):
    assert _names(rita_client.get(URL, {"q": "ua-half", "completeness": "partial"})) == {"Half Done LLC"}
    assert _names(rita_client.get(URL, {"q": "ua-half", "completeness": "high"})) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"completeness": "most"}, "completeness"),
        ({"min_completeness": "101"}, "min_completeness"),
        ({"min_completeness": "-1"}, "min_completeness"),
        ({"screening": "maybe"}, "screening"),
        ({"country": "DEU"}, "country"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it_in_the_list_and_the_export(rita_client, graded, params, field):
    for url, extra in ((URL, {}), (EXPORT, {"file": "csv"})):
        response = rita_client.get(url, {**params, **extra})
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]


# --- Who may list and export ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_only_reviewers_and_administrators_list_and_export_every_firm(persona, request, graded):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "rita_client": 200, "adam_client": 200}.get(name, 403)
    assert persona.get(URL).status_code == expected
    for file in ("csv", "xlsx"):
        response = persona.get(EXPORT, {"file": file, "completeness": "high"})
        assert response.status_code == expected
        if expected != 200:
            assert "Complete Werke" not in response.content.decode(errors="replace")


# --- Exports ------------------------------------------------------------------------------------


def test_the_export_takes_the_lists_filters(rita_client, graded):
    rows = _csv(rita_client.get(EXPORT, {"file": "csv", "completeness": "high"}))
    assert [r[0] for r in rows[1:]] == ["Complete Werke GmbH"]
    rows = _csv(rita_client.get(EXPORT, {"file": "csv", "screening": "potential_match"}))
    assert [r[0] for r in rows[1:]] == ["Flagged Artillery LLC"]
    rows = _xlsx(rita_client.get(EXPORT, {"file": "xlsx", "side": "ua", "min_completeness": "50"}))
    assert [r[0] for r in rows[1:]] == ["Half Done LLC"]
    everything = _csv(rita_client.get(EXPORT, {"file": "csv"}))
    assert len(everything) == 1 + Firm.objects.count()


def test_the_xlsx_export_is_in_ukrainian_for_a_ukrainian_reviewer(rita_client, rita, graded):
    rita.language = "uk"
    rita.save(update_fields=["language"])
    rows = _xlsx(rita_client.get(EXPORT, {"file": "xlsx", "q": "de-full"}))
    assert rows[0] == [
        "Назва", "Ідентифікатор", "EDRPOU", "LEI", "Країна", "Сторона", "Статус", "Санкційна перевірка",
        "Заповненість, відсотків", "Зареєстровано", "Підтвердження профілю", "Застарілий",
    ]  # fmt: skip
    assert rows[1][:9] == ["Complete Werke GmbH", "de-full", None, None, "DE", "Партнер", "Верифіковано", "Без збігів", 100]  # fmt: skip
    sheet = load_workbook(io.BytesIO(rita_client.get(EXPORT, {"file": "xlsx"}).content)).active
    assert sheet.title == "Компанії"


def test_the_xlsx_export_is_in_english_for_an_english_reviewer(adam_client, graded):
    rows = _xlsx(adam_client.get(EXPORT, {"file": "xlsx", "q": "ua-flagged"}, HTTP_ACCEPT_LANGUAGE="uk"))
    assert rows[0][0] == "Name" and rows[1][5:8] == ["Ukrainian", "Verified", "Potential match"]


def test_a_formula_in_a_firm_name_comes_out_as_text_in_csv_and_xlsx(rita_client, graded):
    rows = _csv(rita_client.get(EXPORT, {"file": "csv", "q": "de-evil"}))
    assert rows[1][0] == "'" + EVIL
    response = rita_client.get(EXPORT, {"file": "xlsx", "q": "de-evil"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "'" + EVIL and sheet["A2"].data_type == "s"


def test_list_and_export_take_a_constant_number_of_queries(rita_client, graded, django_assert_max_num_queries):
    def measure():
        with django_assert_max_num_queries(3):
            assert rita_client.get(URL, {"page_size": 100, "completeness": "low"}).status_code == 200
        with django_assert_max_num_queries(3):
            assert rita_client.get(EXPORT, {"file": "csv"}).status_code == 200
        with django_assert_max_num_queries(3):
            assert rita_client.get(EXPORT, {"file": "xlsx", "min_completeness": "10"}).status_code == 200

    measure()
    for i in range(30):
        firm = FirmFactory(ref=f"ua-more-{i}", name=f"More {i} LLC", description="Short.")
        FirmCapabilityFactory(firm=firm, kind="offer", capability=cap("repair.artillery"))
    measure()
