"""Issue 15 in a real browser: no page scrolls sideways at 390 px, the notification badge follows
"mark as read" (with and without JavaScript), an owner invites a colleague and sets and removes
their role, and the reviewers' dashboard drills down to the queue. Both languages, axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from matching.models import Notification
from registry.models import Capability
from tests.browser.conftest import log_in, log_out
from tests.factories import FirmCapabilityFactory, FirmFactory, MembershipFactory, ProposalFactory, UserFactory
from tests.web.test_run_allocation import hub_run  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LANGS = ["en", "uk"]
NARROW = 390


def _world(lang: str):
    """A Ukrainian firm with an owner, a partner, proposals in several states, and a reviewer."""
    ua = FirmFactory(ref="ua-skyforge", name="SkyForge Robotics LLC", contact_email="olena@skyforge.example")
    FirmCapabilityFactory(firm=ua, kind="offer", capability=Capability.objects.get(code="uav.fpv"))
    partner = FirmFactory(
        ref="de-optronik", name="Optronik Systems Gesellschaft mit beschränkter Haftung", partner=True
    )
    MembershipFactory(user=UserFactory(username="alice", language=lang), firm=ua, role="owner")
    UserFactory(username="rita", is_reviewer=True, language=lang)
    approved = ProposalFactory(ukrainian=ua, partner=partner, status="approved", score=0.09)
    for i, status in enumerate(["proposed", "proposed", "rejected", "partnership"]):
        ProposalFactory(
            ukrainian=FirmFactory(ref=f"ua-extra-{i}", name=f"Extra Ukrainian Firm Number {i} LLC"),
            partner=partner if i else FirmFactory(ref=f"pl-extra-{i}", partner=True, country="PL"),
            status=status,
            score=0.4 + i / 10,
        )
    return ua, approved


def _assert_no_sideways_scroll(page, where: str) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    culprits = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit + 0.5)
            .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= limit + 0.5)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))""",
        NARROW,
    )
    assert width <= NARROW, f"{where} scrolls sideways at {NARROW} px: scrollWidth {width}; {culprits}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_scrolls_sideways_at_390_px(new_page, shots, lang):
    ua, approved = _world(lang)
    page = new_page(locale="uk-UA" if lang == "uk" else "en-GB", width=NARROW)
    log_in(page, "alice")
    for path, label in (
        (f"/firms/{ua.pk}/", "firm-dashboard"),
        (f"/firms/{ua.pk}/proposals/{approved.pk}/", "proposal"),
        (f"/firms/{ua.pk}/edit/", "firm-form"),
    ):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        shots(page, f"{label}-{lang}-390")
        _assert_no_sideways_scroll(page, f"{path} ({lang})")
    log_out(page)
    log_in(page, "rita")
    for path, label in (
        ("/review/?status=", "review-queue"),
        (f"/review/proposals/{approved.pk}/", "review-proposal"),
        ("/review/dashboard/", "review-dashboard"),
    ):
        page.goto(path)
        shots(page, f"{label}-{lang}-390")
        _assert_no_sideways_scroll(page, f"{path} ({lang})")


def _notes(user, n=2):
    for i in range(n):
        Notification.objects.create(user=user, kind="approved", title=f"Proposal approved {i}", idempotency_key=f"k{i}")


@pytest.mark.parametrize("lang", LANGS)
def test_marking_a_notification_read_updates_the_header_badge_at_once(new_page, shots, lang):
    alice = UserFactory(username="alice", language=lang)
    _notes(alice)
    page = new_page()
    log_in(page, "alice")
    page.goto("/notifications/")
    badge = page.locator("header #nav-unread .badge")
    expect(badge).to_have_text("2")
    shots(page, f"notifications-{lang}")
    page.locator("#main form[hx-post] button").first.click()  # htmx: no page load
    expect(badge).to_have_text("1")
    expect(page.locator("#main .notification.unread")).to_have_count(1)
    shots(page, f"one-read-{lang}")
    page.locator("#main form[hx-post] button").first.click()
    expect(badge).to_have_count(0)
    shots(page, f"all-read-{lang}")
    assert not alice.notifications.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_marking_read_reloads_the_page_with_the_new_count(new_page, shots, lang):
    alice = UserFactory(username="alice", language=lang)
    _notes(alice)
    page = new_page(javascript=False)
    log_in(page, "alice")
    page.goto("/notifications/")
    expect(page.locator("header #nav-unread .badge")).to_have_text("2")
    with page.expect_navigation():
        page.locator("#main form button").nth(1).click()  # the first is "mark all as read"
    expect(page.locator("header #nav-unread .badge")).to_have_text("1")
    shots(page, f"nojs-one-read-{lang}", run_axe=False)  # the same page with JavaScript is checked above


@pytest.mark.parametrize("lang", LANGS)
def test_an_owner_invites_a_colleague_who_signs_up_joins_and_has_the_role_changed_and_removed(
    new_page, shots, mailoutbox, settings, live_server, lang
):
    settings.SITE_URL = live_server.url  # the emailed link points at this server
    ua = FirmFactory(ref="ua-skyforge", name="SkyForge Robotics LLC")
    MembershipFactory(user=UserFactory(username="alice", language=lang), firm=ua, role="owner")
    locale = "uk-UA" if lang == "uk" else "en-GB"
    owner = new_page(locale=locale)
    log_in(owner, "alice")
    owner.goto(f"/firms/{ua.pk}/members/")
    expect(owner.locator("html")).to_have_attribute("lang", lang)
    shots(owner, f"members-{lang}")
    owner.locator("#id_email").fill("mykola@skyforge.example")
    owner.locator("#id_role").select_option("viewer")
    owner.locator("#invite-h ~ form button[type=submit]").click()
    expect(owner.locator(".message-success")).to_contain_text("mykola@skyforge.example")
    shots(owner, f"invited-{lang}")

    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["mykola@skyforge.example"]
    link = re.search(r"https?://\S+/invitations/\S+/", mailoutbox[0].body).group(0)

    invitee = new_page(locale=locale)
    invitee.goto(link)
    expect(invitee.locator("main strong")).to_have_text("SkyForge Robotics LLC")
    shots(invitee, f"invitation-anonymous-{lang}")
    invitee.locator("main a[href^='/accounts/signup/']").click()
    invitee.locator("#id_username").fill("mykola")
    invitee.locator("#id_email").fill("mykola@skyforge.example")
    invitee.locator("#id_password1").fill("Vyshyvanka-2024!")
    invitee.locator("#id_password2").fill("Vyshyvanka-2024!")
    shots(invitee, f"signup-{lang}")
    invitee.locator("main form button[type=submit]").click()
    invitee.wait_for_load_state()
    log_in(invitee, "mykola", "Vyshyvanka-2024!")
    invitee.goto(link)
    shots(invitee, f"invitation-signed-in-{lang}")
    invitee.locator("main form button[type=submit]").click()
    expect(invitee.get_by_role("heading", name="SkyForge Robotics LLC")).to_be_visible()
    shots(invitee, f"joined-{lang}")
    membership = Membership.objects.get(firm=ua, user__username="mykola")
    assert membership.role == "viewer"

    owner.goto(f"/firms/{ua.pk}/members/")
    row = owner.locator(f"#member-{membership.pk}")
    row.locator("select[name=role]").select_option("editor")
    row.locator(".member-role button").click()
    expect(owner.locator(".message-success")).to_contain_text("mykola")
    shots(owner, f"role-changed-{lang}")
    membership.refresh_from_db()
    assert membership.role == "editor"
    owner.locator(f"#member-{membership.pk} .btn-bad").click()
    expect(owner.locator(".message-success")).to_contain_text("mykola")
    expect(owner.locator(f"#member-{membership.pk}")).to_have_count(0)
    shots(owner, f"member-removed-{lang}")
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("lang", LANGS)
def test_the_reviewer_drills_down_from_the_dashboard_to_the_queue(new_page, shots, lang):
    _world(lang)
    page = new_page()
    log_in(page, "rita")
    page.goto("/review/dashboard/")
    expect(page.locator("#funnel-sums")).to_be_visible()
    shots(page, f"dashboard-{lang}")
    page.locator("#funnel-h ~ svg a").nth(1).click()  # the "approved" stage of the funnel
    expect(page).to_have_url(re.compile(r"/review/\?status=approved"))
    expect(page.locator("#main tbody tr")).to_have_count(1)
    shots(page, f"queue-approved-{lang}")
    page.goto("/review/dashboard/?created_from=2026-03-10&created_to=2026-03-01")
    expect(page.locator("#id_created_to_error")).to_be_visible()
    shots(page, f"dashboard-bad-range-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_a_match_run_with_its_allocation_table_does_not_scroll_sideways_at_390_px(new_page, shots, lang, request):
    """The allocation table (six columns) scrolls inside its own `.table-wrap`, not the page."""
    from django.urls import reverse

    run, _firms = request.getfixturevalue("hub_run")
    UserFactory(username="rita", is_reviewer=True, language=lang)
    page = new_page(locale="uk-UA" if lang == "uk" else "en-GB", width=NARROW)
    log_in(page, "rita")
    path = reverse("web:review_run", args=[run.pk])
    page.goto(path)
    expect(page.locator("#allocation-heading")).to_be_visible()
    shots(page, f"match-run-{lang}-390")
    _assert_no_sideways_scroll(page, f"{path} ({lang})")
    expect(page.locator(".table-wrap > table")).to_have_count(1)
