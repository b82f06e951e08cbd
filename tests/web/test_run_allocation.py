"""A full run keeps its allocation: which weighed pairs a full firm turned away (a capacity miss) and
which were proposed, on the run's page and as a CSV / XLSX download for reviewers, in both languages."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from matching.models import MatchRun, Proposal
from matching.services.allocation import KEEP_RUNS, allocation_get, allocation_summary
from matching.services.runs import match_run_start
from registry.models import Capability, FirmCapability
from tests.factories import FirmCapabilityFactory, FirmFactory
from tests.matching.population import DESCRIPTIONS, make_population
from tests.web.conftest import PAGE_PERSONAS

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def hub_run(settings, django_capture_on_commit_callbacks):
    """SkyForge takes one introduction at once; three partners want it (each ranks it first)."""
    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 2, "MIN_SCORE": 0.05}
    firms = make_population()
    caps = dict(Capability.objects.values_list("code", "id"))
    for ref, name in (("de-optik-zwei", "Optik Zwei GmbH"), ("fr-evil", EVIL)):
        firm = FirmFactory(
            ref=ref,
            name=name,
            country=ref[:2].upper(),
            edrpou="",
            contact_phone="+4930123456",
            description=DESCRIPTIONS["sensors"],
            partnership_types=["co_production", "supply"],
            certifications=["AQAP-2110"],
        )
        FirmCapabilityFactory(
            firm=firm,
            capability_id=caps["sensors.optics_thermal"],
            kind=FirmCapability.Kind.OFFER,
            monthly_capacity=100,
        )
        FirmCapabilityFactory(
            firm=firm, capability_id=caps["uav.fixed_wing_isr"], kind=FirmCapability.Kind.SEEK, monthly_capacity=50
        )
        firms[ref] = firm
    hub = firms["ua-skyforge"]
    hub.intro_capacity = 1
    hub.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = match_run_start()
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run, firms


def test_a_full_run_keeps_which_pairs_the_hubs_capacity_turned_away(hub_run):
    run, firms = hub_run
    hub = firms["ua-skyforge"]
    allocation = allocation_get(run=run)
    assert allocation is not None
    mine = allocation.ua_ids == hub.pk
    assert mine.sum() == 3  # the three optics partners all weighed
    assert allocation.selected[mine].sum() == 1  # one slot
    assert allocation.ua_full[mine].all() and not allocation.partner_full[mine & ~allocation.selected].any()
    assert Proposal.objects.filter(ukrainian=hub, status="proposed").count() == 1
    summary = allocation_summary(allocation=allocation)
    top = summary.firms[0]
    assert (top.firm_id, top.side, top.capacity, top.chosen, top.turned_away) == (hub.pk, "ua", 1, 1, 2)
    assert top.first_choice_of == 2  # each turned-away partner ranked the hub first
    assert summary.turned_away == int((~allocation.selected).sum()) >= 2


def test_only_the_latest_full_runs_keep_their_allocation(hub_run, django_capture_on_commit_callbacks):
    first, _ = hub_run
    runs = [first]
    for _ in range(KEEP_RUNS):
        with django_capture_on_commit_callbacks(execute=True):
            runs.append(match_run_start())
    kept = [r.pk for r in runs if allocation_get(run=r) is not None]
    assert kept == [r.pk for r in runs[-KEEP_RUNS:]]


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["Introductions capacity", "turned away because a firm was at capacity", "Of them, ranked it first"]),
        (
            "uk",
            [
                "Пропускна здатність",
                "відхилено, бо компанія вичерпала свою пропускну здатність",
                "З них поставили її першою",
            ],
        ),
    ],
)
def test_the_run_page_names_the_firms_at_capacity(page_rita, rita, hub_run, language, texts):
    run, firms = hub_run
    rita.language = language
    rita.save(update_fields=["language"])
    body = page_rita.get(reverse("web:review_run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in texts:
        assert text in body, text
    assert firms["ua-skyforge"].name in body
    assert reverse("web:review_run_allocation", args=[run.pk]) + "?file=csv" in body


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_download_lists_every_weighed_pair_with_ranks_and_why(page_rita, hub_run):
    run, firms = hub_run
    response = page_rita.get(reverse("web:review_run_allocation", args=[run.pk]), {"file": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0][:5] == ["Ukrainian firm ref", "Ukrainian firm", "Partner firm ref", "Partner firm", "Score"]
    assert len(rows) - 1 == len(allocation_get(run=run))
    hub_rows = [r for r in rows[1:] if r[0] == "ua-skyforge"]
    assert sorted(r[7] for r in hub_rows) == ["no", "no", "yes"]
    assert {r[8] for r in hub_rows if r[7] == "no"} == {"Ukrainian firm at capacity"}
    assert all(r[9] == "1" for r in hub_rows)
    # A firm named like a formula is text, never a formula.
    assert any(r[3] == "'" + EVIL for r in rows[1:])


def test_the_download_is_in_ukrainian_for_a_ukrainian_reviewer_and_as_xlsx(page_rita, rita, hub_run):
    run, _ = hub_run
    rita.language = "uk"
    rita.save(update_fields=["language"])
    url = reverse("web:review_run_allocation", args=[run.pk])
    rows = _rows(page_rita.get(url, {"file": "csv"}))
    assert rows[0][0] == "Ідентифікатор української компанії"
    assert "Українська компанія вичерпала пропускну здатність" in {r[8] for r in rows[1:]}
    book = load_workbook(io.BytesIO(page_rita.get(url, {"file": "xlsx"}).content))
    sheet = book.active
    assert sheet.cell(1, 9).value == "Чому не запропоновано"
    assert sheet.max_row == len(rows)


def test_a_bad_file_type_or_a_run_without_allocation_is_a_clear_answer(page_rita, hub_run):
    run, _ = hub_run
    url = reverse("web:review_run_allocation", args=[run.pk])
    response = page_rita.get(url, {"file": "pdf"})
    assert response.status_code == 400 and "CSV or an XLSX" in response.content.decode()
    old = MatchRun.objects.create(kind="full", status="succeeded")
    response = page_rita.get(reverse("web:review_run_allocation", args=[old.pk]), {"file": "csv"})
    assert response.status_code == 404
    assert page_rita.get(reverse("web:review_run", args=[old.pk])).status_code == 200  # no section, no error


EXPECTED = {
    "page_anon": 302,
    "page_alice": 403,
    "page_alice_viewer": 403,
    "page_bob": 403,
    "page_rita": 200,
    "page_adam": 200,
}


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_only_reviewers_download_a_runs_allocation(page_persona, request, hub_run):
    persona = request.node.callspec.params["page_persona"]
    run, _ = hub_run
    response = page_persona.get(reverse("web:review_run_allocation", args=[run.pk]), {"file": "csv"})
    expected = EXPECTED.get(persona, 302)
    assert response.status_code == expected, (persona, response.status_code)
    if expected != 200:  # the 403 page's header may name the visitor's own firms; the page itself nothing
        main = response.content.decode(errors="ignore").partition("<main")[2].partition("</main>")[0]
        assert "SkyForge" not in main


def _download_queries(client, run) -> tuple[int, int]:
    """(queries, data rows) of one CSV download of the run's allocation."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("web:review_run_allocation", args=[run.pk]), {"file": "csv"})
    assert response.status_code == 200
    return len(queries), len(_rows(response)) - 1


def test_the_download_takes_a_constant_number_of_queries(page_rita, hub_run, django_capture_on_commit_callbacks):
    run, firms = hub_run
    few_queries, few_rows = _download_queries(page_rita, run)
    caps = dict(Capability.objects.values_list("code", "id"))
    for i in range(12):  # twelve more partners that want SkyForge: more weighed pairs, more firm names
        firm = FirmFactory(
            ref=f"de-more-{i}", name=f"More Optics {i} GmbH", country="DE", edrpou="", contact_phone="+4930123456",
            description=DESCRIPTIONS["sensors"], partnership_types=["co_production"],
        )  # fmt: skip
        FirmCapabilityFactory(firm=firm, capability_id=caps["sensors.optics_thermal"], kind=FirmCapability.Kind.OFFER)
        FirmCapabilityFactory(firm=firm, capability_id=caps["uav.fixed_wing_isr"], kind=FirmCapability.Kind.SEEK)
    with django_capture_on_commit_callbacks(execute=True):
        bigger = match_run_start()
    bigger.refresh_from_db()
    many_queries, many_rows = _download_queries(page_rita, bigger)
    assert many_rows >= few_rows + 12
    assert many_queries == few_queries <= 12
