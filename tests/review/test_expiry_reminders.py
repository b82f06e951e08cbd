"""Reminders before an approved proposal expires (issue 15): 7 and 1 days before, only to the firms
that have not answered, once per threshold, in each recipient's language, with a working link."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from matching.models import Notification, Proposal
from review.services import workflow as review
from review.services.notifications import proposal_expiry_reminders_send
from tests.factories import FirmFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def approved(proposal_ab, rita, alice, bob, settings):
    settings.REVIEW = {**settings.REVIEW, "EXPIRY_DAYS": 30, "EXPIRY_REMINDER_DAYS": (7, 1)}
    settings.SITE_URL = "https://alliance.example"
    bob.language = "uk"
    bob.save(update_fields=["language"])
    return review.proposal_approve(proposal=proposal_ab, reviewer=rita)


def _reminders():
    return Notification.objects.filter(kind="expiry_reminder").order_by("user__username", "pk")


def test_no_reminder_while_more_than_a_week_is_left(approved):
    assert proposal_expiry_reminders_send(now=approved.status_changed_at + 22 * DAY) == 0
    assert not _reminders().exists()


def test_a_week_before_both_firms_are_reminded_once_each_in_their_language(
    approved, alice, bob, django_capture_on_commit_callbacks
):
    now = approved.status_changed_at + 24 * DAY
    with django_capture_on_commit_callbacks(execute=True):
        assert proposal_expiry_reminders_send(now=now) == 2
    assert proposal_expiry_reminders_send(now=now + dt.timedelta(hours=1)) == 0  # the hourly task repeats
    english, ukrainian = _reminders()
    assert english.user == alice and english.proposal_id == approved.pk
    assert english.title == "Reminder: the proposal with Optronik Systems GmbH expires in 6 days"
    assert "SkyForge Robotics LLC has not yet answered proposal" in english.body
    assert ukrainian.user == bob and "Нагадування" in ukrainian.title and "6 днів" in ukrainian.title
    link = f"https://alliance.example/proposals/{approved.pk}/"
    by_address = {m.to[0]: m for m in mail.outbox}
    assert link in by_address[alice.email].body and "Open the proposal" in by_address[alice.email].body
    assert link in by_address[bob.email].body and "Відкрити пропозицію" in by_address[bob.email].body


def test_the_last_day_reminds_only_the_firm_that_has_not_accepted(approved, alice, bob):
    proposal_expiry_reminders_send(now=approved.status_changed_at + 24 * DAY)
    review.proposal_accept(proposal=approved, user=alice)
    assert proposal_expiry_reminders_send(now=approved.status_changed_at + 29 * DAY + dt.timedelta(hours=12)) == 1
    last = _reminders().last()
    assert last.user == bob and "1 день" in last.title


def test_expired_connected_or_unapproved_proposals_get_no_reminder(approved, alice, bob, firm_a):
    other = Proposal.objects.create(
        ukrainian=firm_a, partner=FirmFactory(partner=True), score=0.5, rank_for_ukrainian=2, rank_for_partner=2
    )  # still proposed
    review.proposal_accept(proposal=approved, user=alice)
    review.proposal_accept(proposal=approved, user=bob)  # connected
    assert proposal_expiry_reminders_send(now=timezone.now() + 24 * DAY) == 0
    assert not _reminders().filter(proposal=other).exists()


def test_the_proposal_link_opens_the_right_page_for_each_person(approved, client, alice, bob, rita, firm_a, firm_b):
    url = f"/proposals/{approved.pk}/"
    assert client.get(url).status_code == 302 and "/login/" in client.get(url)["Location"]  # anonymous
    client.force_login(alice)
    assert client.get(url)["Location"] == f"/firms/{firm_a.pk}/proposals/{approved.pk}/"
    client.force_login(bob)
    assert client.get(url)["Location"] == f"/firms/{firm_b.pk}/proposals/{approved.pk}/"
    client.force_login(rita)
    assert client.get(url)["Location"] == f"/review/proposals/{approved.pk}/"
    outsider = UserFactory(username="carol")
    MembershipFactory(user=outsider, firm=FirmFactory(partner=True), role="owner")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get("/proposals/999999/").status_code == 404


def test_the_notifications_page_links_each_notification_to_its_proposal(approved, client, alice):
    client.force_login(alice)
    page = client.get("/notifications/").content.decode()
    assert f'href="/proposals/{approved.pk}/"' in page


# --- A constant number of queries -----------------------------------------------------------------


def _approved_pairs(rita, n: int, *, accepted_by_ukrainian: int = 0) -> list[Proposal]:
    """`n` more approved proposals between new firms, each firm with an owner and an editor; the
    Ukrainian firm of the first `accepted_by_ukrainian` of them has accepted."""
    from tests.factories import ProposalFactory

    out = []
    for i in range(n):
        proposal = ProposalFactory(
            ukrainian=FirmFactory(ref=f"ua-due-{i}", name=f"Due Works {i}"),
            partner=FirmFactory(ref=f"de-due-{i}", name=f"Due GmbH {i}", partner=True),
        )
        members = {}
        for firm in (proposal.ukrainian, proposal.partner):
            for role in ("owner", "editor"):
                user = UserFactory(username=f"{firm.ref}-{role}")
                MembershipFactory(user=user, firm=firm, role=role)
                members[firm.pk, role] = user
        review.proposal_approve(proposal=proposal, reviewer=rita)
        if i < accepted_by_ukrainian:
            review.proposal_accept(proposal=proposal, user=members[proposal.ukrainian_id, "owner"])
        out.append(proposal)
    return out


def test_reminders_take_six_queries_however_many_proposals_are_due(
    approved, rita, alice, bob, django_assert_num_queries
):
    now = approved.status_changed_at + 24 * DAY
    with django_assert_num_queries(6):
        assert proposal_expiry_reminders_send(now=now) == 2
    _reminders().delete()
    more = _approved_pairs(rita, 6, accepted_by_ukrainian=2)
    Proposal.objects.filter(pk__in=[p.pk for p in more]).update(status_changed_at=approved.status_changed_at)
    with django_assert_num_queries(6):
        # A and B (alice, bob), then 6 pairs of firms with 2 members each, less 2 firms that accepted.
        assert proposal_expiry_reminders_send(now=now) == 2 + 6 * 4 - 2 * 2
    with django_assert_num_queries(3):  # all sent already: nothing is written
        assert proposal_expiry_reminders_send(now=now + dt.timedelta(hours=1)) == 0
    accepted = {p.ukrainian_id for p in more[:2]}
    reminded = set(_reminders().values_list("user__memberships__firm_id", flat=True))
    assert not accepted & reminded and {p.partner_id for p in more} <= reminded


def test_nothing_due_is_one_query(approved, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert proposal_expiry_reminders_send(now=approved.status_changed_at + 22 * DAY) == 0


def test_a_person_in_both_firms_gets_one_reminder_per_proposal(approved, alice, firm_b):
    MembershipFactory(user=alice, firm=firm_b, role="editor")
    assert proposal_expiry_reminders_send(now=approved.status_changed_at + 24 * DAY) == 2  # alice once, bob once
    assert _reminders().filter(user=alice).count() == 1


def test_each_reminder_is_emailed_once_after_commit(approved, alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert proposal_expiry_reminders_send(now=approved.status_changed_at + 24 * DAY) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    assert all(n.emailed_at is not None for n in _reminders())
