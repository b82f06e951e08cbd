"""Change feeds: `updated_since` and an opaque `cursor` on proposals, firms and notifications."""

import datetime as dt

from django.utils import timezone

from matching.models import Notification, Proposal
from registry.models import Firm
from tests.factories import FirmFactory, ProposalFactory


def _sync(client, url, **params):
    """Follow `next` to the end; returns every id seen, in order."""
    seen, pages = [], 0
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        pages += 1
        if not body["next"]:
            return seen, pages
        assert "cursor=" in body["next"] and "page=" not in body["next"].split("?", 1)[1].split("&")
        response = client.get(body["next"])


def test_a_partner_syncs_proposals_page_by_page_without_missing_or_repeating(alice_token, firm_a, rita):
    base = timezone.now() - dt.timedelta(days=1)
    ids = []
    for n in range(7):
        p = ProposalFactory(ukrainian=firm_a, status=Proposal.Status.APPROVED, score=0.5)
        Proposal.objects.filter(pk=p.pk).update(updated_at=base + dt.timedelta(minutes=n % 3))  # ties on purpose
        ids.append(p.pk)
    seen, pages = _sync(
        alice_token, "/api/v1/proposals/", updated_since=(base - dt.timedelta(seconds=1)).isoformat(), page_size=2
    )
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) and pages == 4
    # Ordered by (updated_at, id): ties broken by id.
    order = sorted(ids, key=lambda pk: (Proposal.objects.get(pk=pk).updated_at, pk))
    assert seen == order


def test_a_row_changed_during_a_sync_comes_again_later_never_lost(alice_token, firm_a):
    base = timezone.now() - dt.timedelta(hours=1)
    rows = [ProposalFactory(ukrainian=firm_a, status=Proposal.Status.APPROVED) for _ in range(4)]
    for n, p in enumerate(rows):
        Proposal.objects.filter(pk=p.pk).update(updated_at=base + dt.timedelta(minutes=n))
    first = alice_token.get("/api/v1/proposals/", {"ordering": "updated_at,id", "page_size": 2}).json()
    assert [r["id"] for r in first["results"]] == [rows[0].pk, rows[1].pk]
    Proposal.objects.filter(pk=rows[0].pk).update(updated_at=timezone.now())  # changes while syncing
    second = alice_token.get(first["next"]).json()
    third = alice_token.get(second["next"]).json() if second["next"] else {"results": []}
    later = [r["id"] for r in second["results"] + third["results"]]
    assert later == [rows[2].pk, rows[3].pk, rows[0].pk]


def test_firms_and_notifications_sync_too(alice_token, alice, firm_a):
    since = timezone.now() - dt.timedelta(minutes=5)
    Firm.objects.update(updated_at=since - dt.timedelta(days=1))
    fresh = FirmFactory(partner=True)
    seen, _ = _sync(alice_token, "/api/v1/firms/", updated_since=since.isoformat())
    assert seen == [fresh.pk]
    for n in range(3):
        Notification.objects.create(user=alice, kind="approved", title=f"N{n}", idempotency_key=f"sync-{n}")
    seen, pages = _sync(alice_token, "/api/v1/notifications/", updated_since=since.isoformat(), page_size=1)
    assert len(seen) == 3 and pages == 3


def test_page_numbers_still_work_without_sync_parameters(alice_token, firm_a):
    for _ in range(3):
        ProposalFactory(ukrainian=firm_a, status=Proposal.Status.APPROVED)
    body = alice_token.get("/api/v1/proposals/", {"page_size": 2}).json()
    assert body["count"] == 3 and "page=2" in body["next"]


def test_bad_sync_parameters_are_400s_naming_them(alice_token):
    bad_since = alice_token.get("/api/v1/proposals/", {"updated_since": "yesterday"})
    assert bad_since.status_code == 400 and "updated_since" in bad_since.json()["error"]["fields"]
    naive = alice_token.get("/api/v1/proposals/", {"updated_since": "2026-12-01T09:30:00"})
    assert naive.status_code == 400
    bad_cursor = alice_token.get("/api/v1/firms/", {"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json()["error"]["fields"]


def test_a_sync_page_costs_a_constant_number_of_queries(alice_token, firm_a, django_assert_max_num_queries):
    for _ in range(20):
        ProposalFactory(ukrainian=firm_a, status=Proposal.Status.APPROVED)
    with django_assert_max_num_queries(8):
        response = alice_token.get("/api/v1/proposals/", {"updated_since": "2020-01-01T00:00:00Z", "page_size": 20})
    assert len(response.json()["results"]) == 20


def test_an_absurd_offset_or_year_is_a_400_not_a_server_error(alice_token):
    for value in ("0148-02-16T16:29:03+18:49", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"):
        response = alice_token.get("/api/v1/proposals/", {"updated_since": value})
        assert response.status_code in (200, 400), (value, response.status_code)


def _a_proposals_cursor(alice_token, firm_a) -> str:
    from urllib.parse import parse_qs, urlsplit

    for _ in range(3):
        ProposalFactory(ukrainian=firm_a, status=Proposal.Status.APPROVED)
    body = alice_token.get("/api/v1/proposals/", {"updated_since": "2020-01-01T00:00:00Z", "page_size": 1}).json()
    return parse_qs(urlsplit(body["next"]).query)["cursor"][0]


def test_ordering_or_page_with_a_sync_is_a_400_naming_it_not_ignored(alice_token, firm_a):
    cursor = _a_proposals_cursor(alice_token, firm_a)
    for params, name in (
        ({"cursor": cursor, "ordering": "-score"}, "ordering"),
        ({"updated_since": "2020-01-01T00:00:00Z", "ordering": "-score"}, "ordering"),
        ({"cursor": cursor, "page": "3"}, "page"),
        ({"ordering": "updated_at,id", "page": "2"}, "page"),
    ):
        response = alice_token.get("/api/v1/proposals/", params)
        assert response.status_code == 400, (params, response.content)
        assert list(response.json()["error"]["fields"]) == [name]
    same = alice_token.get("/api/v1/proposals/", {"cursor": cursor, "ordering": "updated_at, id"})
    assert same.status_code == 200  # the sync's own order may be named


def test_a_cursor_of_another_list_is_a_400_naming_cursor(alice_token, firm_a):
    cursor = _a_proposals_cursor(alice_token, firm_a)
    assert alice_token.get("/api/v1/proposals/", {"cursor": cursor}).status_code == 200
    for url in ("/api/v1/firms/", "/api/v1/notifications/"):
        response = alice_token.get(url, {"cursor": cursor})
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["cursor"] == [
            "This cursor belongs to another list: use it only with the list whose `next` link gave it."
        ]


def test_a_time_outside_the_years_is_named_for_what_it_is(alice_token):
    for value in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-05:00"):
        for language, message in (
            (
                "en",
                "Give a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z: this one is outside those years in UTC.",
            ),
            ("uk", "Вкажіть час від 0001-01-01T00:00:00Z до 9999-12-31T23:59:59Z: цей час за UTC виходить за ці межі."),
        ):
            response = alice_token.get("/api/v1/proposals/", {"updated_since": value}, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 400
            assert response.json()["error"]["fields"] == {"updated_since": [message]}
