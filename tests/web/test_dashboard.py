"""The reviewers' dashboard: four server-rendered SVG charts from review_stats() and two aggregates."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from registry.models import Capability
from tests.factories import FirmCapabilityFactory, FirmFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def _data(n: int):
    fpv = Capability.objects.get(code="uav.fpv")
    for i in range(n):
        ua = FirmFactory()
        partner = FirmFactory(partner=True)
        FirmCapabilityFactory(firm=ua, capability=fpv, kind="seek")
        FirmCapabilityFactory(firm=partner, capability=fpv, kind="offer")
        ProposalFactory(
            ukrainian=ua, partner=partner, score=0.25 + (i % 7) / 10, status=["proposed", "partnership"][i % 2]
        )


def test_dashboard_draws_funnel_coverage_histogram_and_countries(page_rita):
    _data(4)
    response = page_rita.get(reverse("web:review_dashboard"))
    body = response.content.decode()
    assert body.count('<svg class="chart"') == 4
    for title in (
        "Pipeline funnel",
        "Capability coverage per domain",
        "Score distribution",
        "Partnerships by partner country",
    ):
        assert f">{title}</title>" in body
    assert "Unmanned aerial systems" in body  # coverage rows are domain names, translated
    assert "Germany: 2" in body  # partnerships by partner country, also readable as text
    assert dict(response.context["funnel"])["Proposed"] == 4


def test_dashboard_in_ukrainian(page_rita, rita):
    rita.language = "uk"
    rita.save()
    _data(1)
    body = page_rita.get(reverse("web:review_dashboard")).content.decode()
    assert "Воронка" in body and "Безпілотні авіаційні системи" in body


def test_dashboard_query_count_does_not_grow_with_data(page_rita, django_assert_max_num_queries):
    _data(2)
    with django_assert_max_num_queries(30) as small:
        page_rita.get(reverse("web:review_dashboard"))
    _data(20)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        page_rita.get(reverse("web:review_dashboard"))


def test_the_numbers_are_cached_for_a_minute(page_rita, django_assert_max_num_queries):
    page_rita.get(reverse("web:review_dashboard"))
    _data(1)
    with django_assert_max_num_queries(6):  # session, user, header: no aggregate runs again
        response = page_rita.get(reverse("web:review_dashboard"))
    assert response.context["stats"]["total"] == 0


def test_empty_dashboard_renders(page_rita):
    assert page_rita.get(reverse("web:review_dashboard")).status_code == 200


def test_the_beat_task_refreshes_the_cached_numbers_so_no_reviewer_waits(page_rita, django_assert_max_num_queries):
    from web.tasks import refresh_dashboard_numbers_task

    page_rita.get(reverse("web:review_dashboard"))  # cached: no proposals yet
    _data(2)
    refresh_dashboard_numbers_task.apply().get()  # what the worker runs every 30 s
    with django_assert_max_num_queries(6):  # session, user, header: the numbers come from the cache
        response = page_rita.get(reverse("web:review_dashboard"))
    assert response.context["stats"]["total"] == 2


def test_the_refresh_is_scheduled_well_inside_the_cache_lifetime():
    from alliance.celery import app
    from web.selectors import DASHBOARD_CACHE_SECONDS

    entry = app.conf.beat_schedule["refresh-reviewer-dashboard"]
    assert entry["task"] == "web.tasks.refresh_dashboard_numbers_task"
    assert entry["schedule"] * 2 <= DASHBOARD_CACHE_SECONDS
    assert entry["options"]["expires"] < entry["schedule"]


def test_score_histogram_puts_edges_in_the_upper_bucket_and_1_in_the_last():
    from web.selectors import score_histogram

    for score in (0.0, 0.1, 0.3, 0.2999, 0.7, 0.95, 1.0):
        ProposalFactory(score=score)
    ProposalFactory(score=0.5, status="superseded")  # replaced by a later run: not counted
    counts = [b["count"] for b in score_histogram()]
    assert counts == [1, 1, 1, 1, 0, 0, 0, 1, 0, 2]
    assert score_histogram()[0] == {"lo": 0.0, "hi": 0.1, "count": 1}
