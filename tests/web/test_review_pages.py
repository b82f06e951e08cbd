"""Reviewer workspace pages: who may open them, filters, decisions, bulk decisions, verification, runs."""

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import MatchRun, Proposal, ProposalEvent
from registry.models import Capability, Firm
from tests.factories import FirmCapabilityFactory, FirmFactory, ProposalFactory
from tests.web.conftest import PAGE_PERSONAS

pytestmark = pytest.mark.django_db

# What each persona gets on a reviewer-only page.
EXPECTED = {
    "page_anon": 302,
    "page_alice_token": 302,  # a Bearer token is not a page session
    "page_alice": 403,
    "page_alice_viewer": 403,
    "page_bob": 403,
    "page_rita": 200,
    "page_adam": 200,
}


@pytest.fixture
def review_urls(proposal_pending_ab, firm_a):
    run = MatchRun.objects.create(kind="full", status="succeeded", chunks_total=4, chunks_done=4)
    return [
        reverse("web:review_queue"),
        reverse("web:review_proposal", args=[proposal_pending_ab.pk]),
        reverse("web:review_firms"),
        reverse("web:review_firm", args=[firm_a.pk]),
        reverse("web:review_runs"),
        reverse("web:review_run", args=[run.pk]),
        reverse("web:review_run_progress", args=[run.pk]),
        reverse("web:review_dashboard"),
    ]


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_reviewer_pages_are_for_reviewers_only(page_persona, review_urls, request):
    persona = request.node.callspec.params["page_persona"]
    for url in review_urls:
        response = page_persona.get(url)
        assert response.status_code == EXPECTED[persona], (persona, url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_reviewer_actions_are_refused_to_everyone_else(page_persona, proposal_pending_ab, firm_a, request):
    persona = request.node.callspec.params["page_persona"]
    posts = [
        (reverse("web:review_proposal_decide", args=[proposal_pending_ab.pk]), {"action": "approve"}),
        (reverse("web:review_bulk"), {"action": "approve", "proposal_ids": [proposal_pending_ab.pk]}),
        (reverse("web:review_firm_status", args=[firm_a.pk]), {"action": "suspend", "note": "x"}),
        (reverse("web:review_runs"), {}),
    ]
    for url, data in posts:
        response = page_persona.post(url, data)
        if persona in ("page_rita", "page_adam"):
            assert response.status_code == 302, (url, response.status_code)
        else:
            assert response.status_code == EXPECTED[persona], (persona, url, response.status_code)
    if persona not in ("page_rita", "page_adam"):
        proposal_pending_ab.refresh_from_db()
        assert proposal_pending_ab.status == "proposed"
        assert not MatchRun.objects.exists()


def _queue(n: int, **kwargs):
    ua = FirmFactory()
    return [ProposalFactory(ukrainian=ua, score=0.3 + i / (2 * n), **kwargs) for i in range(n)]


def test_queue_lists_proposed_pairs_best_first_with_reasons_in_english(page_rita):
    _queue(3)
    response = page_rita.get(reverse("web:review_queue"))
    rows = list(response.context["page"])
    assert [p.score for p in rows] == sorted((p.score for p in rows), reverse=True)
    assert "Both hold AQAP-2110" in response.content.decode()


def test_queue_shows_reasons_in_ukrainian_for_a_ukrainian_reviewer(page_rita, rita):
    _queue(1)
    rita.language = "uk"
    rita.save()
    body = page_rita.get(reverse("web:review_queue")).content.decode()
    assert "Обидві мають AQAP-2110" in body
    assert "Черга пропозицій" in body


def test_queue_filters_by_state_domain_country_score_and_age(page_rita, firm_a):
    cap = Capability.objects.get(code="uav.fpv")
    FirmCapabilityFactory(firm=firm_a, capability=cap, kind="offer")
    fr_partner = FirmFactory(country="FR", edrpou="", partner=True)
    fr_partner.country = "FR"
    fr_partner.save()
    wanted = ProposalFactory(ukrainian=firm_a, partner=fr_partner, score=0.9)
    ProposalFactory(score=0.95)  # another domain and country
    ProposalFactory(score=0.1)
    ProposalFactory(score=0.99, status="rejected")

    def ids(**params):
        return [p.pk for p in page_rita.get(reverse("web:review_queue"), params).context["page"]]

    assert ids(domain="uav", country="FR", min_score="0.5", max_age_days="7") == [wanted.pk]
    assert len(ids(status="rejected")) == 1
    assert len(ids(min_score="0.5")) == 2
    assert ids(sort="score")[0] != ids(sort="-score")[0]


def test_queue_reports_an_invalid_filter_by_field(page_rita):
    response = page_rita.get(reverse("web:review_queue"), {"min_score": "2"})
    assert response.status_code == 200
    assert "min_score" in response.context["form"].errors


def test_queue_query_count_does_not_grow_with_the_number_of_proposals(page_rita, django_assert_max_num_queries):
    _queue(3)
    with django_assert_max_num_queries(12) as small:
        page_rita.get(reverse("web:review_queue"))
    _queue(60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = page_rita.get(reverse("web:review_queue"))
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.num_pages == 2


def test_proposal_page_shows_both_firms_the_score_chart_and_export_flags(page_rita, firm_a, firm_b):
    proposal = ProposalFactory(
        ukrainian=firm_a,
        partner=firm_b,
        components={"complementarity": 0.9, "text": 0.3},
        flags={
            "en": ["EU military export licence likely needed (ML10)"],
            "uk": ["Ймовірно потрібна ліцензія"],
            "codes": ["ML10"],
        },
    )
    body = page_rita.get(reverse("web:review_proposal", args=[proposal.pk])).content.decode()
    assert firm_a.name in body and firm_b.name in body
    assert '<svg class="chart"' in body and "<title" in body and "Complementarity: 0.90" in body
    assert "EU military export licence likely needed" in body


def test_rita_approves_a_proposal_with_a_note(page_rita, proposal_pending_ab):
    url = reverse("web:review_proposal_decide", args=[proposal_pending_ab.pk])
    response = page_rita.post(url, {"action": "approve", "note": "Good fit"})
    assert response.status_code == 302
    proposal_pending_ab.refresh_from_db()
    assert proposal_pending_ab.status == "approved"
    assert ProposalEvent.objects.get(proposal=proposal_pending_ab, to_status="approved").note == "Good fit"


@pytest.mark.parametrize(("language", "required"), [("en", "This field is required"), ("uk", "Це поле обовʼязкове")])
@pytest.mark.parametrize("note", ["", "   "])
def test_rejecting_without_a_reason_is_a_400_naming_the_note_and_changes_nothing(
    rita, proposal_pending_ab, note, language, required
):
    """A reviewer rejecting one proposal gives a reason, as in the bulk form (400 beside the note; it
    answered 200 with the error, which a client or a test reads as success)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(rita)
    url = reverse("web:review_proposal_decide", args=[proposal_pending_ab.pk])
    response = client.post(url, {"action": "reject", "note": note})
    assert response.status_code == 400
    assert response.context["form"].errors == {"note": [f"{required}."]}
    assert required in response.content.decode()
    proposal_pending_ab.refresh_from_db()
    assert proposal_pending_ab.status == "proposed"
    assert not ProposalEvent.objects.filter(proposal=proposal_pending_ab, to_status="rejected").exists()


def test_approving_twice_tells_the_reviewer_instead_of_failing(page_rita, proposal_pending_ab):
    url = reverse("web:review_proposal_decide", args=[proposal_pending_ab.pk])
    page_rita.post(url, {"action": "approve"})
    response = page_rita.post(url, {"action": "approve"})
    assert response.status_code == 409  # the page says why; the status says it did not happen
    assert response.context["form"].non_field_errors()


def test_bulk_approve_and_reject_report_each_proposal(page_rita):
    a, b, c = _queue(3)
    response = page_rita.post(
        reverse("web:review_bulk"), {"action": "approve", "proposal_ids": [a.pk, b.pk], "query": "status=proposed"}
    )
    assert response.status_code == 302 and response["Location"] == "/review/?status=proposed"
    assert set(Proposal.objects.filter(status="approved").values_list("pk", flat=True)) == {a.pk, b.pk}
    page_rita.post(reverse("web:review_bulk"), {"action": "reject", "proposal_ids": [c.pk, a.pk], "note": "Not now"})
    c.refresh_from_db()
    assert c.status == "rejected"
    messages = [str(m) for m in page_rita.get(reverse("web:review_queue")).context["messages"]]
    assert any(f"#{a.pk}" in m for m in messages)  # a was approved already: said, not hidden


def test_bulk_reject_without_a_reason_changes_nothing(page_rita):
    (a,) = _queue(1)
    page_rita.post(reverse("web:review_bulk"), {"action": "reject", "proposal_ids": [a.pk]})
    a.refresh_from_db()
    assert a.status == "proposed"


def test_bulk_without_a_selection_says_so(page_rita):
    response = page_rita.post(reverse("web:review_bulk"), {"action": "approve"}, follow=True)
    assert "Select at least one proposal." in [str(m) for m in response.context["messages"]]


def test_firm_queue_lists_pending_firms_and_rita_verifies_one(page_rita):
    pending = FirmFactory(status=Firm.Status.PENDING, name="Pending Works LLC")
    FirmFactory(name="Verified Works LLC")
    response = page_rita.get(reverse("web:review_firms"))
    assert [f.name for f in response.context["firms"]] == ["Pending Works LLC"]
    page_rita.post(reverse("web:review_firm_status", args=[pending.pk]), {"action": "verify"})
    pending.refresh_from_db()
    assert pending.status == Firm.Status.VERIFIED


def test_suspending_needs_a_reason(page_rita, firm_a):
    response = page_rita.post(
        reverse("web:review_firm_status", args=[firm_a.pk]), {"action": "suspend", "back": "firm"}, follow=True
    )
    firm_a.refresh_from_db()
    assert firm_a.status == Firm.Status.VERIFIED
    assert any("reason" in str(m) for m in response.context["messages"])
    page_rita.post(reverse("web:review_firm_status", args=[firm_a.pk]), {"action": "suspend", "note": "Sanctions hit"})
    firm_a.refresh_from_db()
    assert firm_a.status == Firm.Status.SUSPENDED


def test_starting_a_run_leads_to_its_progress_page(page_rita, firm_a, firm_b):
    response = page_rita.post(reverse("web:review_runs"))
    run = MatchRun.objects.get()
    assert response["Location"] == reverse("web:review_run", args=[run.pk])
    body = page_rita.get(response["Location"]).content.decode()
    assert 'id="run-bar"' in body


def test_a_second_run_while_one_is_active_is_refused_with_a_message(page_rita):
    MatchRun.objects.create(kind="full", status="running")
    response = page_rita.post(reverse("web:review_runs"), follow=True)
    assert MatchRun.objects.count() == 1
    assert any("already in progress" in str(m) for m in response.context["messages"])


def test_the_progress_fragment_polls_while_running_and_stops_when_finished(page_rita):
    run = MatchRun.objects.create(kind="full", status="running", chunks_total=8, chunks_done=2)
    url = reverse("web:review_run_progress", args=[run.pk])
    body = page_rita.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="25"' in body
    MatchRun.objects.filter(pk=run.pk).update(status="succeeded", chunks_done=8)
    body = page_rita.get(url).content.decode()
    assert "hx-trigger" not in body and 'value="100"' in body and "Succeeded" in body


def test_a_broad_queue_shows_a_capped_count(page_rita, monkeypatch):
    from web.views import review as review_views

    monkeypatch.setattr(review_views, "COUNT_CAP", 5)
    _queue(8)
    response = page_rita.get(reverse("web:review_queue"))
    assert response.context["page"].paginator.capped
    assert "More than 5 proposals" in response.content.decode()


@pytest.mark.parametrize("sort", ["-score", "score", "-created_at", "created_at"])
def test_queue_pages_walk_the_filtered_proposals_in_order_without_gaps(page_rita, monkeypatch, sort):
    # The page's ids are picked in a subquery and their rows loaded apart: the pages together must
    # still be exactly the filtered queue, in its order, ties in score broken by id.
    from web import selectors
    from web.views import review as review_views

    monkeypatch.setattr(review_views, "PAGE_SIZE", 3)
    de = [FirmFactory(partner=True) for _ in range(3)]
    fr = FirmFactory(country="FR", edrpou="", partner=True)
    for i, ua in enumerate(FirmFactory() for _ in range(4)):
        for partner in [*de, fr]:
            ProposalFactory(ukrainian=ua, partner=partner, score=[0.6, 0.7, 0.7, 0.9][i], status="proposed")
    ProposalFactory(partner=de[0], score=0.8, status="rejected")
    expected = [p.pk for p in selectors.review_queue(status="proposed", country="DE", min_score=0.65, sort=sort)]
    assert len(expected) == 9

    seen = []
    for number in (1, 2, 3):
        params = {"status": "proposed", "country": "DE", "min_score": "0.65", "sort": sort, "page": number}
        page = page_rita.get(reverse("web:review_queue"), params).context["page"]
        assert page.paginator.count == 9
        seen += [p.pk for p in page]
    assert seen == expected


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Introductions at once"), ("uk", "Пропозицій партнерства одночасно")]
)
def test_a_reviewer_sees_the_effective_capacity_and_sets_then_clears_the_override(
    page_rita, rita, firm_a, language, heading
):
    rita.language = language
    rita.save()
    firm_a.employees, firm_a.intro_capacity = 30, 2
    firm_a.save()
    url = reverse("web:review_firm", args=[firm_a.pk])
    body = page_rita.get(url).content.decode()
    assert heading in body and 'name="value"' in body and "csrfmiddlewaretoken" in body
    assert page_rita.get(url).context["capacity"] == {"own": 2, "override": None, "effective": 2, "source": "firm"}
    response = page_rita.post(reverse("web:review_firm_capacity", args=[firm_a.pk]), {"value": "9"})
    assert response.status_code == 302
    firm_a.refresh_from_db()
    assert firm_a.intro_capacity_override == 9
    assert page_rita.get(url).context["capacity"]["source"] == "override"
    page_rita.post(reverse("web:review_firm_capacity", args=[firm_a.pk]), {"value": ""})
    firm_a.refresh_from_db()
    assert firm_a.intro_capacity_override is None


def test_an_override_over_50_is_named_and_not_saved(page_rita, firm_a):
    response = page_rita.post(reverse("web:review_firm_capacity", args=[firm_a.pk]), {"value": "51"})
    assert response.status_code == 400
    assert response.context["capacity_form"].errors["value"]
    firm_a.refresh_from_db()
    assert firm_a.intro_capacity_override is None


def test_a_firm_member_cannot_post_an_override(page_alice, firm_a):
    response = page_alice.post(reverse("web:review_firm_capacity", args=[firm_a.pk]), {"value": "9"})
    assert response.status_code == 403
    firm_a.refresh_from_db()
    assert firm_a.intro_capacity_override is None
