"""List pagination: rows and `next` always current; totals exact up to EXACT_COUNT_UP_TO rows and on
the last page, larger totals cached briefly per query (core/api/pagination.py)."""

import pytest

from core.api import pagination
from registry.models import Firm
from tests.factories import FirmFactory


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_COUNT_UP_TO", 3)


def _count(client, query="") -> int:
    response = client.get(f"/api/v1/firms/{query}")
    assert response.status_code == 200
    return response.json()["count"]


def test_small_totals_are_exact_and_current(firm_a, firm_b, rita_client):
    assert _count(rita_client) == 2
    FirmFactory(status=Firm.Status.VERIFIED)
    assert _count(rita_client) == 3


def test_a_large_total_is_counted_once_then_served_from_the_cache(small_cap, firm_a, firm_b, rita_client):
    FirmFactory.create_batch(3, status=Firm.Status.VERIFIED)
    assert _count(rita_client, "?page_size=2") == 5  # more than 3: counted in full and cached
    FirmFactory(status=Firm.Status.VERIFIED)
    assert _count(rita_client, "?page_size=2") == 5  # a full page: the cached total (30 s)
    last = rita_client.get("/api/v1/firms/?page_size=2&page=3").json()
    # The last page reads its rows fresh (both, where a count-bound slice would show one) and
    # so knows the exact total.
    assert len(last["results"]) == 2 and last["next"] is None and last["count"] == 6
    assert _count(rita_client, "?page_size=200") == 6  # everything on one page: exact
    assert rita_client.get("/api/v1/firms/?page_size=2&page=4").status_code == 404


def test_a_page_past_the_end_is_404_and_next_links_follow_the_rows(firm_a, firm_b, rita_client):
    assert rita_client.get("/api/v1/firms/?page=2").status_code == 404
    assert rita_client.get("/api/v1/firms/?page=0").status_code == 400  # names `page` (test_api_firms)
    assert rita_client.get("/api/v1/firms/?page=x").status_code == 400
    assert rita_client.get(f"/api/v1/firms/?page={10**18}").status_code == 404  # not a bigint overflow
    response = rita_client.get("/api/v1/firms/?page_size=1")
    assert response.json()["count"] == 2 and response.json()["next"].endswith("page=2&page_size=1")


def test_the_cached_total_is_per_caller_visibility(small_cap, firm_a, firm_b, rita_client, bob_client):
    FirmFactory.create_batch(4, status=Firm.Status.PENDING)
    FirmFactory.create_batch(4, status=Firm.Status.VERIFIED)
    assert _count(rita_client) == 10  # reviewers see every firm
    # bob (member of firm B) sees verified firms and his own: a different query, never rita's total.
    verified = Firm.objects.filter(status=Firm.Status.VERIFIED).count()
    own_unverified = 0 if Firm.objects.get(pk=firm_b.pk).status == Firm.Status.VERIFIED else 1
    assert _count(bob_client) == verified + own_unverified < 10
