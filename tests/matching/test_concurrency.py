"""Concurrent decisions on PostgreSQL: real transactions on separate connections, released together."""

import threading

import pytest
from django.db import connection

from alliance.errors import ConflictError
from matching.models import Proposal, ProposalEvent
from matching.services import review
from tests.factories import FirmFactory, ProposalFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
S = Proposal.Status


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def race(*actions):
    """Run each action in its own thread (own DB connection), all released at once by a barrier."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str | None] = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes[i] = "ok"
        except ConflictError as exc:
            outcomes[i] = f"conflict:{exc.extra['current_state']}"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            outcomes[i] = f"error:{type(exc).__name__}:{exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_two_reviewers_approving_at_once_give_one_approval_and_one_conflict(rita, adam):
    for _ in range(3):  # several rounds: whichever thread wins, the result is the same
        proposal = ProposalFactory()
        outcomes = race(
            lambda p=proposal: review.proposal_approve(proposal=p.pk, reviewer=rita),
            lambda p=proposal: review.proposal_approve(proposal=p.pk, reviewer=adam),
        )
        assert sorted(outcomes) == ["conflict:approved", "ok"]
        assert ProposalEvent.objects.filter(proposal=proposal).count() == 1
        assert Proposal.objects.get(pk=proposal.pk).status == S.APPROVED


def test_both_firms_accepting_at_once_give_exactly_one_connected(rita, firm_a, alice, bob):
    for round_ in range(3):  # several rounds: whichever thread wins, the result is the same
        partner = FirmFactory(ref=f"de-partner-{round_}", partner=True)
        bob.memberships.create(firm=partner, role="editor")
        proposal = review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=partner), reviewer=rita)
        outcomes = race(
            lambda p=proposal: review.proposal_accept(proposal=p.pk, user=alice),
            lambda p=proposal: review.proposal_accept(proposal=p.pk, user=bob),
        )
        assert outcomes == ["ok", "ok"]
        proposal.refresh_from_db()
        assert proposal.status == S.CONNECTED
        transitions = list(proposal.events.values_list("from_status", "to_status"))
        assert transitions == [("proposed", "approved"), ("approved", "approved"), ("approved", "connected")]


def test_the_same_firm_accepting_twice_at_once_records_one_acceptance(rita, firm_a, firm_b, alice, alice_editor):
    proposal = review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=firm_b), reviewer=rita)
    outcomes = race(
        lambda: review.proposal_accept(proposal=proposal.pk, user=alice),
        lambda: review.proposal_accept(proposal=proposal.pk, user=alice_editor),
    )
    assert sorted(outcomes) == ["conflict:approved", "ok"]
    assert proposal.events.filter(data__action="accept").count() == 1


def test_accept_racing_decline_leaves_one_consistent_history(rita, firm_a, firm_b, alice, bob):
    proposal = review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=firm_b), reviewer=rita)
    outcomes = race(
        lambda: review.proposal_accept(proposal=proposal.pk, user=alice),
        lambda: review.proposal_decline(proposal=proposal.pk, user=bob, reason="No capacity"),
    )
    proposal.refresh_from_db()
    assert proposal.status == S.DECLINED
    # Either alice accepted first (both ok) or bob's decline came first (alice's accept is a conflict).
    assert outcomes in (["ok", "ok"], ["conflict:declined", "ok"])
    assert proposal.events.last().to_status == S.DECLINED
