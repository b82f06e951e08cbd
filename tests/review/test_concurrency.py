"""Concurrent decisions on PostgreSQL: real transactions on separate connections, released together."""

import threading

import pytest
from django.db import connection

from core.errors import ConflictError
from matching.models import Proposal, ProposalEvent
from review.services import workflow as review
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


def test_suspending_a_firm_while_it_is_accepted_never_introduces_it(rita, adam, firm_a, alice, bob):
    """Security review issue 11: the suspension and the accept lock the firm row in the same order.
    Either the accept waits and finds the proposal withdrawn (409), or it connects first and the
    suspension then hides the contacts; a suspended firm is never shown a contact."""
    from rest_framework.test import APIClient

    from registry.selectors import firm_ids_contact_visible_to
    from registry.services import firm_suspend

    seen = set()
    for round_ in range(4):  # several rounds: whichever thread wins, the rule holds
        partner = FirmFactory(ref=f"de-suspended-{round_}", partner=True)
        bob.memberships.create(firm=partner, role="owner")
        proposal = review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=partner), reviewer=rita)
        review.proposal_accept(proposal=proposal, user=alice)  # bob's accept would connect them
        outcomes = race(
            lambda p=proposal, f=partner: review.proposal_accept(proposal=p.pk, user=bob, firm=f.pk),
            lambda f=partner: firm_suspend(firm=f, reviewer=adam, reason="Forged export licence"),
        )
        seen.add(outcomes[0])
        assert outcomes[1] == "ok"
        assert outcomes[0] in ("ok", "conflict:withdrawn"), outcomes
        proposal.refresh_from_db()
        assert proposal.status == (S.CONNECTED if outcomes[0] == "ok" else S.WITHDRAWN)
        for user in (alice, bob):
            client = APIClient()
            client.force_authenticate(user=user)
            body = client.get(f"/api/v1/proposals/{proposal.pk}/").json()
            if proposal.status == S.CONNECTED:
                assert body["ukrainian"]["contact"] is None and body["partner"]["contact"] is None
        assert firm_ids_contact_visible_to(firm_ids=[partner.pk], user=alice) == set()
        assert firm_ids_contact_visible_to(firm_ids=[firm_a.pk], user=bob) == set()
    assert seen <= {"ok", "conflict:withdrawn"}
