"""Reviewers' exports of the review workflow (`review/services/exports.py`): the proposal list with its
filters (GET /api/v1/proposals/export/) and the dashboard's numbers (GET /api/v1/stats/export/ and the
service the dashboard page calls), as CSV and XLSX in the reviewer's language."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.errors import ApplicationError
from matching.models import Proposal
from registry.models import Capability, FirmCapability
from review.selectors import review_funnel, review_stats
from review.services.exports import proposal_queue_export, review_dashboard_export
from tests.conftest import PERSONAS
from tests.factories import FirmFactory, ProposalFactory

EXPORT = "/api/v1/proposals/export/"
STATS_EXPORT = "/api/v1/stats/export/"
EVIL = '=HYPERLINK("http://evil.example","click")'
S = Proposal.Status


@pytest.fixture
def queue(firm_a, firm_b, alice, bob, rita):
    """Proposals in several states; one from a firm named like a formula, one requested with a message."""
    evil = FirmFactory(ref="ua-evil", name=EVIL)
    pl = FirmFactory(ref="pl-partner", name="Polska Amunicja S.A.", country="PL", edrpou="")
    FirmCapability.objects.create(firm=pl, capability=Capability.objects.get(code="uav.fpv"), kind="offer")
    return {
        "waiting": ProposalFactory(ukrainian=firm_a, partner=firm_b, score=0.91),
        "evil": ProposalFactory(ukrainian=evil, partner=firm_b, score=0.55),
        "requested": ProposalFactory(
            ukrainian=firm_a,
            partner=pl,
            score=0.42,
            origin=Proposal.Origin.REQUESTED,
            request_message="@team: we would like to co-produce 155 mm shells with you.",
        ),
        "approved": ProposalFactory(ukrainian=evil, partner=pl, score=0.77, status=S.APPROVED),
        "rejected": ProposalFactory(ukrainian=FirmFactory(), partner=pl, score=0.3, status=S.REJECTED),
    }


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200, response.content
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


def _ids(rows) -> list[int]:
    return [int(r[0]) for r in rows[1:]]


# --- Who may export ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_only_reviewers_and_administrators_export_proposals_and_statistics(persona, request, queue):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "rita_client": 200, "adam_client": 200}.get(name, 403)
    for url in (EXPORT, STATS_EXPORT):
        for file in ("csv", "xlsx"):
            response = persona.get(url, {"file": file})
            assert response.status_code == expected, (url, file)
            if expected != 200:
                assert "HYPERLINK" not in response.content.decode(errors="replace")


def test_the_services_refuse_anyone_but_a_reviewer(alice, queue):
    with pytest.raises(ApplicationError) as refused:
        proposal_queue_export(user=alice, proposals=Proposal.objects.all(), file="csv")
    assert refused.value.status == 403
    with pytest.raises(ApplicationError):
        review_dashboard_export(user=alice, numbers={"stats": review_stats()}, file="csv")


def test_a_missing_or_unknown_file_type_is_a_400_naming_it(rita_client, queue):
    for url in (EXPORT, STATS_EXPORT):
        for params in ({}, {"file": "pdf"}):
            response = rita_client.get(url, params)
            assert response.status_code == 400 and "file" in response.json()["error"]["fields"]


CSV_MEDIA, XLSX_MEDIA = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("url", [EXPORT, STATS_EXPORT, "/api/v1/directory/reviewer/firms/export/"])
@pytest.mark.parametrize(
    "file, accept",
    [
        ("csv", CSV_MEDIA),
        ("xlsx", XLSX_MEDIA),
        ("csv", "*/*"),
        ("xlsx", "application/json"),
        ("csv", f"{CSV_MEDIA}, application/json;q=0.5"),
        ("xlsx", f"{CSV_MEDIA}, {XLSX_MEDIA}"),
        ("xlsx", "text/*, application/*"),
    ],
)
def test_a_download_accepts_the_media_types_the_schema_advertises(rita_client, queue, url, file, accept):
    response = rita_client.get(url, {"file": file}, HTTP_ACCEPT=accept)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].split(";")[0] == (CSV_MEDIA if file == "csv" else XLSX_MEDIA)


@pytest.mark.parametrize("url", [EXPORT, STATS_EXPORT, "/api/v1/directory/reviewer/firms/export/"])
def test_a_download_error_is_json_whatever_was_accepted(rita_client, queue, url):
    for accept in (CSV_MEDIA, XLSX_MEDIA):
        response = rita_client.get(url, {"file": "pdf"}, HTTP_ACCEPT=accept)
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
        assert response.json()["error"]["fields"]["file"] == ['"pdf" is not a valid choice. Must be one of: csv, xlsx.']
    mismatch = rita_client.get(url, {"file": "xlsx"}, HTTP_ACCEPT=CSV_MEDIA)
    assert mismatch.status_code == 406 and "file=xlsx" in mismatch.json()["error"]["message"]
    assert rita_client.get(url, {"file": "csv"}, HTTP_ACCEPT="image/png").status_code == 406


@pytest.mark.parametrize("url", [EXPORT, STATS_EXPORT, "/api/v1/directory/reviewer/firms/export/"])
@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "This parameter is required: file=csv or file=xlsx."),
        ("uk", "Цей параметр обовʼязковий: file=csv або file=xlsx."),
    ],
)
def test_a_download_without_file_says_it_is_required_and_lists_the_types(rita_client, queue, url, language, message):
    response = rita_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"file": [message]}


# --- The proposal list -----------------------------------------------------------------------------


def test_the_export_takes_the_lists_filters_and_order(rita_client, queue):
    assert _ids(_csv(rita_client.get(EXPORT, {"file": "csv"}))) == [
        queue[k].pk for k in ("waiting", "approved", "evil", "requested", "rejected")
    ]
    proposed = _ids(_csv(rita_client.get(EXPORT, {"file": "csv", "status": "proposed"})))
    assert proposed == [queue["waiting"].pk, queue["evil"].pk, queue["requested"].pk]
    both = _ids(_csv(rita_client.get(EXPORT, {"file": "csv", "status": ["approved", "rejected"]})))
    assert both == [queue["approved"].pk, queue["rejected"].pk]
    assert _ids(_xlsx(rita_client.get(EXPORT, {"file": "xlsx", "min_score": "0.6"}))) == [
        queue["waiting"].pk,
        queue["approved"].pk,
    ]
    in_uav = _ids(_csv(rita_client.get(EXPORT, {"file": "csv", "domain": "uav", "ordering": "score"})))
    assert in_uav == [queue["rejected"].pk, queue["requested"].pk, queue["approved"].pk]
    of_firm = _ids(_csv(rita_client.get(EXPORT, {"file": "csv", "firm": queue["waiting"].ukrainian_id})))
    assert of_firm == [queue["waiting"].pk, queue["requested"].pk]


def test_a_bad_filter_is_a_400_naming_it(rita_client, queue):
    response = rita_client.get(EXPORT, {"file": "csv", "status": "sleeping"})
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]


def test_proposals_export_in_english_with_the_requested_mark_and_message(rita_client, queue):
    rows = _csv(rita_client.get(EXPORT, {"file": "csv", "status": "proposed"}))
    assert rows[0] == [
        "Proposal", "Score", "State", "Origin", "Ukrainian firm", "Ukrainian firm's ref", "Partner firm",
        "Partner firm's ref", "Partner country", "Why", "Export-control flags", "The firm's message", "Created",
    ]  # fmt: skip
    requested = next(r for r in rows if r[0] == str(queue["requested"].pk))
    assert requested[1:4] == ["0.42", "Proposed", "Requested by a firm"]
    assert requested[6:9] == ["Polska Amunicja S.A.", "pl-partner", "PL"]
    assert requested[9] == "Both hold AQAP-2110"
    assert requested[11] == "'@team: we would like to co-produce 155 mm shells with you."


def test_proposals_xlsx_is_in_ukrainian_for_a_ukrainian_reviewer(rita_client, rita, queue):
    rita.language = "uk"
    rita.save(update_fields=["language"])
    response = rita_client.get(EXPORT, {"file": "xlsx", "status": "proposed"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Disposition"] == 'attachment; filename="proposals.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.active.title == "Пропозиції"
    rows = _xlsx(response)
    assert rows[0][:6] == [
        "Пропозиція",
        "Оцінка",
        "Стан",
        "Походження",
        "Українська компанія",
        "Ідентифікатор української компанії",
    ]
    waiting = next(r for r in rows if r[0] == queue["waiting"].pk)
    assert waiting[1:4] == [0.91, "Запропоновано", "Запропоновано за результатами підбору"]
    assert waiting[9] == "Обидві мають AQAP-2110"


def test_a_formula_in_a_firm_name_comes_out_as_text_in_csv_and_xlsx(rita_client, queue):
    rows = _csv(rita_client.get(EXPORT, {"file": "csv", "firm": queue["evil"].ukrainian_id}))
    assert {r[4] for r in rows[1:]} == {"'" + EVIL}
    sheet = load_workbook(io.BytesIO(rita_client.get(EXPORT, {"file": "xlsx"}).content)).active
    evil_cells = [row[4] for row in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(row[4].value)]
    assert len(evil_cells) == 2
    assert all(c.value == "'" + EVIL and c.data_type == "s" for c in evil_cells)


def test_the_proposals_export_takes_a_constant_number_of_queries(rita_client, queue, django_assert_max_num_queries):
    def measure():
        for file in ("csv", "xlsx"):
            with django_assert_max_num_queries(2):
                assert rita_client.get(EXPORT, {"file": file, "domain": "uav"}).status_code == 200

    measure()
    for _ in range(30):
        ProposalFactory(partner=queue["requested"].partner, flags={"en": ["ITAR"], "uk": ["ITAR"], "codes": ["itar"]})
    measure()
    assert len(_csv(rita_client.get(EXPORT, {"file": "csv"}))) == 1 + Proposal.objects.count()


# --- The dashboard's numbers -------------------------------------------------------------------------


def test_the_funnel_counts_each_stage_every_proposal_reached():
    counts = dict.fromkeys(S.values, 0) | {
        S.PROPOSED: 5, S.REJECTED: 2, S.APPROVED: 3, S.DECLINED: 1, S.EXPIRED: 1, S.CONNECTED: 2,
        S.PARTNERSHIP: 1, S.CLOSED: 1, S.SUPERSEDED: 9, S.WITHDRAWN: 4,
    }  # fmt: skip
    assert review_funnel(counts=counts) == [("proposed", 16), ("approved", 9), ("connected", 4), ("partnership", 1)]


def _dashboard_numbers():
    import datetime as dt

    from django.utils import timezone

    stats = review_stats()
    stats["partnerships_by_country_pair"] = [
        {"ukrainian_country": "UA", "partner_country": "PL", "count": 2},
        {"ukrainian_country": "UA", "partner_country": "DE", "count": 1},
    ]
    stats["partnerships_by_kind"] = {"joint_venture": 2, "mou": 1}
    return {
        "stats": stats,
        "coverage": [
            {"domain": "uav", "ua_seek": 4, "partner_offer": 7},
            {"domain": "ew", "ua_seek": 1, "partner_offer": 0},
        ],
        "histogram": [{"lo": i / 10, "hi": (i + 1) / 10, "count": i} for i in range(10)],
        "computed_at": timezone.make_aware(dt.datetime(2026, 11, 2, 9, 30)),
    }


def test_the_dashboard_export_holds_every_figure_of_the_page(rita, queue):
    numbers = _dashboard_numbers()
    labels = {"uav": "Unmanned aerial systems", "ew": "Electronic warfare"}
    export = review_dashboard_export(user=rita, numbers=numbers, file="csv", domain_label=labels.get)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"), newline="")))
    assert export.filename == "dashboard.csv" and rows[0] == ["Figure", "Breakdown", "Value"]
    figures = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert figures[("Proposals", "Total")] == "5"
    assert figures[("Proposals by state", "Proposed")] == "3"
    assert figures[("Pipeline funnel", "Proposed")] == "5" and figures[("Pipeline funnel", "Approved")] == "1"
    assert figures[("Ukrainian firms seeking", "Unmanned aerial systems")] == "4"
    assert figures[("Partner firms offering", "Electronic warfare")] == "0"
    assert figures[("Score distribution", "0.9–1.0")] == "9"
    assert figures[("Partnerships by partner country", "Poland")] == "2"
    assert figures[("Partnerships by kind", "Joint venture")] == "2"
    assert figures[("Open proposals by domain", "Unmanned aerial systems")] == "2"  # requested, approved
    assert figures[("Figures as of", "")].startswith("2026-11-02T")


def test_the_dashboard_xlsx_is_in_ukrainian_for_a_ukrainian_reviewer(rita, queue):
    from web.domains import domain_label

    rita.language = "uk"
    export = review_dashboard_export(user=rita, numbers=_dashboard_numbers(), file="xlsx", domain_label=domain_label)
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(export.content)).active.iter_rows()]
    assert rows[0] == ["Показник", "Деталізація", "Значення"]
    figures = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert figures[("Пропозиції", "Усього")] == 5
    assert figures[("Воронка", "Запропоновано")] == 5
    assert figures[("Українські компанії, що шукають", "Безпілотні авіаційні системи")] == 4
    assert figures[("Партнерства за видом", "Спільне підприємство")] == 2
    assert figures[("Партнерства за країною партнера", "Польща")] == 2


def test_the_statistics_export_is_the_stats_endpoints_numbers(rita_client, queue):
    stats = rita_client.get("/api/v1/stats/").json()
    rows = _csv(rita_client.get(STATS_EXPORT, {"file": "csv"}))
    figures = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert figures[("Proposals", "Total")] == str(stats["total"])
    for status, n in stats["counts"].items():
        assert figures[("Proposals by state", str(S(status).label))] == str(n)
    assert figures[("Open proposals by domain", "uav")] == str(stats["open_by_domain"]["uav"])


def test_the_statistics_export_takes_a_constant_number_of_queries(rita_client, queue, django_assert_max_num_queries):
    rita_client.get(STATS_EXPORT, {"file": "xlsx"})
    for _ in range(20):
        ProposalFactory(partner=queue["requested"].partner, status=S.PARTNERSHIP, outcome_kind="mou")
    with django_assert_max_num_queries(8):
        assert rita_client.get(STATS_EXPORT, {"file": "xlsx"}).status_code == 200


def test_an_xlsx_export_longer_than_the_limit_is_a_400_and_csv_still_works(rita_client, queue, monkeypatch):
    from core import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    refused = rita_client.get(EXPORT, {"file": "xlsx"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "export_too_large"
    assert len(_csv(rita_client.get(EXPORT, {"file": "csv"}))) == 1 + len(queue)
    assert rita_client.get(EXPORT, {"file": "xlsx", "status": "approved"}).status_code == 200
