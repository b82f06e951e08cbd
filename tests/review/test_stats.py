"""Review statistics (review.selectors.review_stats and GET /api/v1/stats/)."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from matching.models import Proposal
from registry.models import Capability, FirmCapability
from review.selectors import review_stats
from review.services import workflow as review
from tests.conftest import PERSONAS
from tests.factories import FirmFactory, ProposalFactory

S = Proposal.Status
T0 = timezone.now().replace(microsecond=0) - dt.timedelta(days=10)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _at(hours):
    """Run services as if `hours` after T0: events are append-only, so their time is set as they are written."""
    return mock.patch("django.utils.timezone.now", return_value=T0 + dt.timedelta(hours=hours))


@pytest.fixture
def history(firm_a, firm_b, alice, bob, rita):
    firm_c = FirmFactory(ref="pl-carpathia", country="PL", edrpou="")
    other_ua = FirmFactory(ref="ua-other")
    firm_d = FirmFactory(ref="fr-delta", country="FR", edrpou="")
    FirmCapability.objects.create(firm=firm_a, capability=Capability.objects.get(code="uav.fpv"), kind="offer")

    p1 = ProposalFactory(ukrainian=firm_a, partner=firm_b)
    with _at(2):
        review.proposal_approve(proposal=p1, reviewer=rita)
    with _at(5):  # the acceptance event also goes "to approved"
        review.proposal_accept(proposal=p1, user=alice)
    with _at(12):  # connected 10 h after approval
        review.proposal_accept(proposal=p1, user=bob)
    review.proposal_record_outcome(proposal=p1, user=bob, kind="mou", date=timezone.localdate())

    p2 = ProposalFactory(ukrainian=firm_a, partner=firm_c)
    with _at(4):
        review.proposal_reject(proposal=p2, reviewer=rita, reason="Out of scope")

    p3 = ProposalFactory(ukrainian=other_ua, partner=firm_b)
    with _at(6):
        review.proposal_approve(proposal=p3, reviewer=rita)
    review.proposal_decline(proposal=p3, user=bob, reason="No capacity")

    p4 = ProposalFactory(ukrainian=firm_a, partner=firm_d)  # still waiting for a reviewer
    # Both firms touch `uav` (counted once); the partner adds `ew`.
    FirmCapability.objects.create(firm=firm_d, capability=Capability.objects.get(code="uav.fpv"), kind="seek")
    ew = Capability.objects.filter(domain="ew").first()
    FirmCapability.objects.create(firm=firm_d, capability=ew, kind="offer")
    Proposal.objects.filter(pk__in=[p1.pk, p2.pk, p3.pk, p4.pk]).update(created_at=T0)
    return [p1, p2, p3, p4]


def test_review_stats_shape_and_numbers(history):
    stats = review_stats()
    assert stats["counts"] == {
        "proposed": 1,
        "approved": 0,
        "rejected": 1,
        "connected": 0,
        "declined": 1,
        "expired": 0,
        "superseded": 0,
        "partnership": 1,
        "closed": 0,
        "withdrawn": 0,
    }
    assert stats["total"] == 4
    assert stats["median_hours_to_decision"] == 4.0  # 2 h, 4 h, 6 h
    assert stats["median_hours_to_connection"] == 10.0
    assert stats["acceptance_rate"] == 0.5  # 1 reached connected, 1 declined
    assert stats["partnerships_by_kind"] == {"mou": 1}
    assert stats["partnerships_by_country_pair"] == [{"ukrainian_country": "UA", "partner_country": "DE", "count": 1}]
    assert stats["open_by_domain"] == {"ew": 1, "uav": 1}


def test_review_stats_on_an_empty_database(db):
    stats = review_stats()
    assert stats["total"] == 0
    assert stats["median_hours_to_decision"] is None
    assert stats["median_hours_to_connection"] is None
    assert stats["acceptance_rate"] is None
    assert stats["open_by_domain"] == {}


def test_review_stats_query_count_does_not_grow_with_data(history, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        review_stats()


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_stats_endpoint_is_for_reviewers_and_administrators(persona, request, history):
    name = request.node.callspec.params["persona"]
    expected = {"anon": 401, "rita_client": 200, "adam_client": 200}.get(name, 403)
    response = persona.get("/api/v1/stats/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["counts"]["partnership"] == 1
    else:
        assert "counts" not in response.json()


def _open_by_domain_by_hand() -> dict[str, int]:
    """The definition, row by row: open proposals whose either firm has a capability in the domain."""
    domains_of: dict[int, set[str]] = {}
    for firm_id, domain in FirmCapability.objects.values_list("firm_id", "capability__domain"):
        domains_of.setdefault(firm_id, set()).add(domain)
    counts: dict[str, int] = {}
    for ua, partner in Proposal.objects.filter(status__in=[S.PROPOSED, S.APPROVED]).values_list(
        "ukrainian_id", "partner_id"
    ):
        for domain in domains_of.get(ua, set()) | domains_of.get(partner, set()):
            counts[domain] = counts.get(domain, 0) + 1
    return dict(sorted(counts.items()))


@pytest.fixture
def mixed_capabilities(db):
    """Firms with several capabilities in one domain, in both firms, none at all; open and closed proposals."""
    caps = list(Capability.objects.order_by("code"))
    uas = [FirmFactory(ref=f"ua-mix-{i}") for i in range(4)]
    partners = [FirmFactory(ref=f"p-mix-{i}", partner=True) for i in range(5)]
    for i, firm in enumerate(uas + partners):
        if i == 3:
            continue  # a firm without capabilities
        for j in range(i % 4 + 1):
            FirmCapability.objects.create(firm=firm, capability=caps[(i * 7 + j * 3) % len(caps)], kind="offer")
            FirmCapability.objects.create(firm=firm, capability=caps[(i * 5 + j) % len(caps)], kind="seek")
    statuses = [S.PROPOSED, S.APPROVED, S.REJECTED, S.PARTNERSHIP, S.PROPOSED]
    for i, ua in enumerate(uas):
        for k, partner in enumerate(partners):
            ProposalFactory(ukrainian=ua, partner=partner, status=statuses[(i + k) % len(statuses)])


def test_open_by_domain_counts_each_open_proposal_once_per_domain_of_either_firm(mixed_capabilities):
    expected = _open_by_domain_by_hand()
    assert len(expected) > 5
    assert review_stats()["open_by_domain"] == expected


def test_open_by_domain_is_the_same_when_the_taxonomy_needs_several_bitmasks(mixed_capabilities, monkeypatch):
    # A bigint holds 62 domains; a larger taxonomy is counted 62 domains per query.
    import review.selectors

    monkeypatch.setattr(review.selectors, "_DOMAIN_BITS", 3)
    assert review_stats()["open_by_domain"] == _open_by_domain_by_hand()
