"""Reviewers' pages: the list of every firm (search, filters, pages) and the downloads of the proposal
queue, the firm list and the dashboard's numbers, as CSV and XLSX in the reviewer's language."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from matching.models import Proposal
from registry.models import Capability, Firm, FirmCapability, FirmPlatform, Platform
from tests.factories import FirmFactory, ProposalFactory
from tests.web.conftest import PAGE_PERSONAS

EVIL = '=HYPERLINK("http://evil.example","click")'
FIRM_LIST = "/review/firms/all/"
FIRM_EXPORT = "/review/firms/all/export/"
QUEUE = "/review/"
QUEUE_EXPORT = "/review/export/"
DASHBOARD = "/review/dashboard/"
DASHBOARD_EXPORT = "/review/dashboard/export/"
EXPORTS = [FIRM_EXPORT, QUEUE_EXPORT, DASHBOARD_EXPORT]


@pytest.fixture
def firms(firm_a, firm_b, alice, bob, rita, adam):
    """Firms of every status, side and screening, at 100 % and 0 % completeness, one named like a formula."""
    full = FirmFactory(
        ref="fr-full",
        name="Complete Optique SA",
        country="FR",
        edrpou="",
        lei="5299000J2N45DDNE4Y28",
        description="x" * 250,
        certifications=["AQAP-2110"],
        employees=40,
        website="https://full.example",
    )
    FirmCapability.objects.create(
        firm=full, capability=Capability.objects.get(code="uav.fpv"), kind="offer", monthly_capacity=50
    )
    FirmCapability.objects.create(firm=full, capability=Capability.objects.get(code="sensors.radar"), kind="seek")
    FirmPlatform.objects.create(firm=full, platform=Platform.objects.order_by("code").first(), role="repairs")
    return {
        "a": firm_a,
        "b": firm_b,
        "full": full,
        "pending": FirmFactory(
            ref="pl-pending", name="Pending Amunicja", country="PL", edrpou="", status=Firm.Status.PENDING
        ),
        "suspended": FirmFactory(
            ref="ua-suspended", name="Suspended Zavod", edrpou="00032945", status=Firm.Status.SUSPENDED
        ),
        "flagged": FirmFactory(
            ref="ua-flagged", name="Flagged Zavod", screening_status=Firm.ScreeningStatus.POTENTIAL_MATCH
        ),
        "evil": FirmFactory(ref="de-evil", name=EVIL, country="DE", edrpou=""),
    }


@pytest.fixture
def queue(firms):
    a, b, full, evil = firms["a"], firms["b"], firms["full"], firms["evil"]
    return {
        "ab": ProposalFactory(ukrainian=a, partner=b, score=0.81),
        "a_full": ProposalFactory(ukrainian=a, partner=full, score=0.64),
        "flagged_evil": ProposalFactory(ukrainian=firms["flagged"], partner=evil, score=0.5),
        "approved": ProposalFactory(ukrainian=firms["flagged"], partner=full, score=0.9, status="approved"),
    }


def _as(client, user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return client


def _names(response) -> list[str]:
    """Firm names of the list page's table, in order."""
    assert response.status_code == 200, response.content[:500]
    page = response.context["page"]
    return [f.name for f in page]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


# --- Who may see and download --------------------------------------------------------------------


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_only_reviewers_and_administrators_see_the_firm_list_and_download(page_persona, request, queue):
    name = request.node.callspec.params["page_persona"]
    reviewer = name in ("page_rita", "page_adam")
    signed_in = name not in ("page_anon", "page_alice_token")
    for url, params in [(FIRM_LIST, {}), *((u, {"file": f}) for u in EXPORTS for f in ("csv", "xlsx"))]:
        response = page_persona.get(url, params)
        if reviewer:
            assert response.status_code == 200, url
        elif signed_in:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302 and response["Location"].startswith(reverse("web:login")), url
        if not reviewer:
            assert b"Complete Optique" not in response.content and b"HYPERLINK" not in response.content


def test_downloads_are_get_only_and_need_a_file_type(page_rita, queue):
    for url in EXPORTS:
        assert page_rita.post(url, {"file": "csv"}).status_code == 405
        assert page_rita.get(url).status_code == 400
        assert page_rita.get(url, {"file": "pdf"}).status_code == 400


# --- The firm list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["All firms", "Completeness", "Screening", "Potential match", "Download"]),
        ("uk", ["Усі компанії", "Заповненість", "Санкційна перевірка", "Можливий збіг", "Завантажити"]),
    ],
)
def test_the_firm_list_page_in_both_languages(page_rita, rita, firms, language, texts):
    response = _as(page_rita, rita, language).get(FIRM_LIST, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    for text in texts:
        assert text in html, text
    assert f'href="{reverse("web:review_firm", args=[firms["full"].pk])}"' in html
    assert "100%" in html  # the complete profile's score


def test_the_firm_list_finds_by_name_edrpou_lei_or_ref(page_rita, firms):
    assert _names(page_rita.get(FIRM_LIST, {"q": "optique"})) == ["Complete Optique SA"]
    assert _names(page_rita.get(FIRM_LIST, {"q": "5299000j2n45ddne4y28"})) == ["Complete Optique SA"]
    assert _names(page_rita.get(FIRM_LIST, {"q": "PL-PENDING"})) == ["Pending Amunicja"]
    assert _names(page_rita.get(FIRM_LIST, {"q": "00032945"})) == ["Suspended Zavod"]


def test_every_filter_of_the_firm_list_filters(page_rita, firms):
    pending = _names(page_rita.get(FIRM_LIST, {"status": "pending"}))
    assert pending == ["Pending Amunicja"]
    partners = _names(page_rita.get(FIRM_LIST, {"side": "partner"}))
    assert "Complete Optique SA" in partners and "SkyForge Robotics LLC" not in partners
    assert _names(page_rita.get(FIRM_LIST, {"country": "pl"})) == ["Pending Amunicja"]
    assert _names(page_rita.get(FIRM_LIST, {"screening": "potential_match"})) == ["Flagged Zavod"]
    assert _names(page_rita.get(FIRM_LIST, {"completeness": "high"})) == ["Complete Optique SA"]
    low = _names(page_rita.get(FIRM_LIST, {"completeness": "low"}))
    assert "Complete Optique SA" not in low and "SkyForge Robotics LLC" in low
    assert _names(page_rita.get(FIRM_LIST, {"min_completeness": "90", "side": "ua"})) == []


def test_bad_filters_are_named_and_show_no_firm(page_rita, firms):
    response = page_rita.get(FIRM_LIST, {"completeness": "most", "min_completeness": "500"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"completeness", "min_completeness"}
    assert list(response.context["page"]) == []
    assert page_rita.get(FIRM_EXPORT, {"file": "csv", "completeness": "most"}).status_code == 400


def test_the_firm_list_has_pages_that_keep_the_filters(page_rita, firms):
    for i in range(55):
        FirmFactory(ref=f"ua-many-{i:02}", name=f"Many {i:02} LLC")
    first = page_rita.get(FIRM_LIST, {"side": "ua", "q": "many"})
    assert len(_names(first)) == 50 and first.context["page"].paginator.count == 55
    html = first.content.decode()
    assert "?side=ua&amp;q=many&amp;page=2" in html
    assert 'href="/review/firms/all/export/?side=ua&amp;q=many&amp;file=xlsx"' in html
    assert _names(page_rita.get(FIRM_LIST, {"side": "ua", "q": "many", "page": 2})) == [
        f"Many {i} LLC" for i in range(50, 55)
    ]


def test_the_firm_list_page_takes_a_constant_number_of_queries(page_rita, firms, django_assert_max_num_queries):
    page_rita.get(FIRM_LIST)

    def measure():
        with django_assert_max_num_queries(8):
            assert page_rita.get(FIRM_LIST, {"completeness": "low"}).status_code == 200
        with django_assert_max_num_queries(8):
            assert page_rita.get(FIRM_LIST).status_code == 200

    measure()
    for i in range(40):
        firm = FirmFactory(ref=f"ua-more-{i}", name=f"More {i} LLC")
        FirmCapability.objects.create(firm=firm, capability=Capability.objects.get(code="uav.fpv"), kind="offer")
    measure()


def test_the_verification_queue_links_to_the_firm_list(page_rita, firms):
    html = page_rita.get("/review/firms/").content.decode()
    assert f'href="{FIRM_LIST}"' in html


# --- The firm list's download -------------------------------------------------------------------------


def test_the_firm_list_download_has_the_pages_filters(page_rita, firms):
    rows = _csv(page_rita.get(FIRM_EXPORT, {"file": "csv", "completeness": "high"}))
    assert [r[0] for r in rows[1:]] == ["Complete Optique SA"]
    rows = _xlsx(page_rita.get(FIRM_EXPORT, {"file": "xlsx", "status": "suspended"}))
    assert [r[0] for r in rows[1:]] == ["Suspended Zavod"]
    everything = _csv(page_rita.get(FIRM_EXPORT, {"file": "csv"}))
    assert len(everything) == 1 + Firm.objects.count()


def test_the_firm_list_download_is_in_ukrainian_for_a_ukrainian_reviewer(page_rita, rita, firms):
    response = _as(page_rita, rita, "uk").get(FIRM_EXPORT, {"file": "xlsx", "q": "fr-full"})
    assert response["Content-Disposition"] == 'attachment; filename="firms.xlsx"'
    rows = _xlsx(response)
    assert rows[0][:3] == ["Назва", "Ідентифікатор", "EDRPOU"] and rows[0][8] == "Заповненість, відсотків"
    assert rows[1][4:9] == ["FR", "Партнер", "Верифіковано", "Без збігів", 100]


def test_a_formula_firm_name_is_text_in_the_firm_list_downloads(page_rita, firms):
    assert _csv(page_rita.get(FIRM_EXPORT, {"file": "csv", "q": "de-evil"}))[1][0] == "'" + EVIL
    sheet = load_workbook(io.BytesIO(page_rita.get(FIRM_EXPORT, {"file": "xlsx", "q": "de-evil"}).content)).active
    assert sheet["A2"].value == "'" + EVIL and sheet["A2"].data_type == "s"


# --- The proposal queue's download ---------------------------------------------------------------


def test_the_queue_links_to_downloads_of_its_current_filters(page_rita, queue):
    html = page_rita.get(QUEUE, {"min_score": "0.6", "sort": "score"}).content.decode()
    assert 'href="/review/export/?min_score=0.6&amp;sort=score&amp;status=proposed&amp;file=csv"' in html
    assert 'href="/review/export/?min_score=0.6&amp;sort=score&amp;status=proposed&amp;file=xlsx"' in html


def test_the_queue_download_is_what_the_queue_shows_every_page_of_it(page_rita, queue):
    # No state chosen: the page shows proposals waiting for a reviewer, and so does the download.
    assert [int(r[0]) for r in _csv(page_rita.get(QUEUE_EXPORT, {"file": "csv"}))[1:]] == [
        queue["ab"].pk,
        queue["a_full"].pk,
        queue["flagged_evil"].pk,
    ]
    any_state = _csv(page_rita.get(QUEUE_EXPORT, {"file": "csv", "status": "", "min_score": "0.6", "sort": "score"}))
    assert [int(r[0]) for r in any_state[1:]] == [queue["a_full"].pk, queue["ab"].pk, queue["approved"].pk]
    by_country = _xlsx(page_rita.get(QUEUE_EXPORT, {"file": "xlsx", "status": "", "country": "FR"}))
    assert [r[0] for r in by_country[1:]] == [queue["approved"].pk, queue["a_full"].pk]
    in_domain = _csv(page_rita.get(QUEUE_EXPORT, {"file": "csv", "domain": "uav"}))
    assert [int(r[0]) for r in in_domain[1:]] == [queue["a_full"].pk]


def test_the_queue_download_is_in_ukrainian_and_neutralises_formulas(page_rita, rita, queue):
    rows = _xlsx(_as(page_rita, rita, "uk").get(QUEUE_EXPORT, {"file": "xlsx"}))
    assert rows[0][:5] == ["Пропозиція", "Оцінка", "Стан", "Походження", "Українська компанія"]
    evil_row = next(r for r in rows if r[0] == queue["flagged_evil"].pk)
    assert evil_row[2] == "Запропоновано" and evil_row[6] == "'" + EVIL and evil_row[9] == "Обидві мають AQAP-2110"
    csv_rows = _csv(page_rita.get(QUEUE_EXPORT, {"file": "csv"}))
    assert next(r for r in csv_rows if r[0] == str(queue["flagged_evil"].pk))[6] == "'" + EVIL


def test_the_queue_download_takes_a_constant_number_of_queries(page_rita, queue, django_assert_max_num_queries):
    def measure():
        for file in ("csv", "xlsx"):
            with django_assert_max_num_queries(7):
                assert page_rita.get(QUEUE_EXPORT, {"file": file, "status": ""}).status_code == 200

    measure()
    for _ in range(40):
        ProposalFactory(partner=queue["ab"].partner)
    measure()
    assert len(_csv(page_rita.get(QUEUE_EXPORT, {"file": "csv", "status": ""}))) == 1 + Proposal.objects.count()


# --- The dashboard's download ------------------------------------------------------------------------


def test_the_dashboard_links_to_its_downloads(page_rita, queue):
    html = page_rita.get(DASHBOARD).content.decode()
    assert 'href="/review/dashboard/export/?file=csv"' in html and 'href="/review/dashboard/export/?file=xlsx"' in html


def test_the_dashboard_download_holds_the_pages_numbers_in_the_reviewers_language(page_rita, rita, queue):
    page = page_rita.get(DASHBOARD)
    stats = page.context["stats"]
    rows = _csv(page_rita.get(DASHBOARD_EXPORT, {"file": "csv"}))
    figures = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert figures[("Proposals", "Total")] == str(stats["total"]) == "4"
    assert figures[("Proposals by state", "Proposed")] == str(stats["counts"]["proposed"])
    for label, n in page.context["funnel"]:
        assert figures[("Pipeline funnel", str(label))] == str(n)
    assert figures[("Ukrainian firms seeking", "Sensors")] == "0"
    assert figures[("Partner firms offering", "Unmanned aerial systems")] == "1"
    assert figures[("Score distribution", "0.8–0.9")] == "1"

    rows = _xlsx(_as(page_rita, rita, "uk").get(DASHBOARD_EXPORT, {"file": "xlsx"}))
    figures = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert rows[0] == ["Показник", "Деталізація", "Значення"]
    assert figures[("Пропозиції", "Усього")] == 4
    assert figures[("Компанії-партнери, що пропонують", "Безпілотні авіаційні системи")] == 1


def test_the_dashboard_download_takes_a_constant_number_of_queries(page_rita, queue, django_assert_max_num_queries):
    page_rita.get(DASHBOARD_EXPORT, {"file": "csv"})
    with django_assert_max_num_queries(4):  # the figures come from the dashboard's cache
        assert page_rita.get(DASHBOARD_EXPORT, {"file": "xlsx"}).status_code == 200


def test_a_list_longer_than_an_xlsx_file_holds_offers_csv_only(page_rita, rita, queue, monkeypatch):
    from core import exports
    from web.views import review

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    monkeypatch.setattr(review, "XLSX_MAX_ROWS", 2)
    html = page_rita.get(QUEUE).content.decode()  # three proposals wait for a reviewer
    assert "file=csv" in html and "/review/export/?status=proposed&amp;file=xlsx" not in html
    assert "XLSX up to 2 rows" in html
    assert (
        "/review/firms/all/export/?q=optique&amp;file=xlsx"
        in page_rita.get(FIRM_LIST, {"q": "optique"}).content.decode()
    )
    refused = _as(page_rita, rita, "uk").get(QUEUE_EXPORT, {"file": "xlsx"})
    assert refused.status_code == 400 and "щонайбільше 2 рядків" in refused.content.decode()
    assert len(_csv(page_rita.get(QUEUE_EXPORT, {"file": "csv"}))) == 4
