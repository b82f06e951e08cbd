"""The four journeys of the web interface, in a real browser (issue #5)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from matching.models import MatchRun, Proposal
from registry.models import Capability, Firm
from tests.browser.conftest import log_in, log_out
from tests.factories import FirmCapabilityFactory, FirmFactory, MembershipFactory, ProposalFactory, UserFactory

# serialized_rollback: the flush between transactional tests would otherwise drop the
# capability taxonomy that a data migration loads.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _cap(code: str) -> Capability:
    return Capability.objects.get(code=code)


def test_a_firm_representative_signs_up_and_registers_the_firm(new_page, shots):
    page = new_page()
    page.goto("/")
    shots(page, "login-redirect")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Username").fill("olena")
    page.get_by_label("Email").fill("olena@kyivdrone.example")
    page.locator("#id_password1").fill("Vyshyvanka-2024!")
    page.get_by_label("Password again").fill("Vyshyvanka-2024!")
    shots(page, "signup")
    page.get_by_role("button", name="Sign up").click()
    # Sign-up signs no one in (a known address must get the same page): check the email, log in.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    log_in(page, "olena", "Vyshyvanka-2024!")

    expect(page.get_by_role("heading", name="Register your firm")).to_be_visible()
    page.get_by_label("Legal name").fill("Kyiv Drone Works LLC")
    page.get_by_label(re.compile(r"^Country")).select_option("UA")  # not "Owner's country"
    page.get_by_label("EDRPOU code").fill("32855968")  # wrong check digit
    page.get_by_label("What the firm does").fill("Builds multirotor reconnaissance drones for the front line.")
    # The capability picker filters as one types, in the page's language.
    page.locator("#id_offers_filter").fill("multirotor")
    capacity = page.locator('[name="offers-capacity-uav.multirotor_isr"]')
    expect(capacity).to_be_hidden()  # a capability's capacity and detail open once it is picked
    page.locator("#id_offers_picker").get_by_label("Multirotor reconnaissance drones").check()
    expect(capacity).to_be_visible()
    capacity.fill("40")
    page.locator('[name="offers-detail-uav.multirotor_isr"]').fill("Shark-M, 60 km datalink")
    page.locator("#id_seeks_filter").fill("thermal")
    expect(page.locator("#id_seeks_picker").get_by_label("FPV strike drones")).to_be_hidden()
    page.locator("#id_seeks_picker").get_by_label(re.compile("thermal", re.I)).first.check()
    page.get_by_label("Co-production").check()
    page.get_by_label("Contact person").fill("Olena Petrenko")
    page.get_by_label("Contact email").fill("olena@kyivdrone.example")
    shots(page, "profile-filled")
    page.get_by_role("button", name="Submit for verification").click()

    # The registry's validator names the rule next to the field; what was typed is kept.
    error = page.locator("#id_edrpou_error")
    expect(error).to_contain_text("check the 8 digits on your extract")
    expect(page.get_by_label("Legal name")).to_have_value("Kyiv Drone Works LLC")
    expect(page.locator("#id_offers_picker").get_by_label("Multirotor reconnaissance drones")).to_be_checked()
    expect(capacity).to_have_value("40")
    shots(page, "profile-error")
    page.get_by_label("EDRPOU code").fill("32855961")
    page.get_by_role("button", name="Submit for verification").click()

    expect(page.locator(".banner-pending")).to_contain_text("Pending verification")
    expect(page.get_by_role("heading", name="Kyiv Drone Works LLC")).to_be_visible()
    shots(page, "dashboard-pending")
    firm = Firm.objects.get(name="Kyiv Drone Works LLC")
    assert firm.status == Firm.Status.PENDING
    assert firm.memberships.get().user.username == "olena"
    offer = firm.capabilities.get(kind="offer")
    assert (offer.capability.code, offer.detail, offer.monthly_capacity) == (
        "uav.multirotor_isr",
        "Shark-M, 60 km datalink",
        40,
    )
    expect(page.get_by_text("Shark-M, 60 km datalink (40 a month)")).to_be_visible()


def test_a_reviewer_verifies_a_firm_runs_matching_and_approves_a_proposal(new_page, shots):
    UserFactory(username="rita", is_reviewer=True)
    ua = FirmFactory(ref="ua-kyivdrone", name="Kyiv Drone Works LLC", status=Firm.Status.PENDING)
    FirmCapabilityFactory(firm=ua, kind="offer", capability=_cap("uav.multirotor_isr"))
    FirmCapabilityFactory(firm=ua, kind="seek", capability=_cap("sensors.optics_thermal"))
    partner = FirmFactory(ref="de-optronik", name="Optronik Systems GmbH", partner=True)
    FirmCapabilityFactory(firm=partner, kind="offer", capability=_cap("sensors.optics_thermal"))
    FirmCapabilityFactory(firm=partner, kind="seek", capability=_cap("uav.multirotor_isr"))

    page = new_page()
    log_in(page, "rita")
    page.get_by_role("link", name="Verification").click()
    shots(page, "verification-queue")
    page.get_by_role("button", name="Verify Kyiv Drone Works LLC").click()
    expect(page.locator(".message-success")).to_contain_text("verified")
    ua.refresh_from_db()
    assert ua.status == Firm.Status.VERIFIED

    page.get_by_role("link", name="Match runs").click()
    page.get_by_role("button", name="Start a match run").click()
    # Tasks are eager in tests: the run has finished by the time the page loads; the bar says so.
    expect(page.locator("#run-status")).to_have_text("Succeeded")
    expect(page.locator("#run-percent")).to_have_text("100%")
    expect(page.locator("#run-bar")).to_have_attribute("value", "100")
    shots(page, "run-finished")
    assert MatchRun.objects.filter(kind="full", status="succeeded").exists()

    page.get_by_role("link", name="Open the proposal queue").click()
    shots(page, "queue")
    page.locator("td.score a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kyiv Drone Works LLC")
    expect(page.locator("svg.chart")).to_be_visible()
    shots(page, "proposal")
    page.get_by_label("Note").fill("Strong thermal-core fit.")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("approved")
    shots(page, "proposal-approved")
    proposal = Proposal.objects.get(ukrainian=ua, partner=partner)
    assert proposal.status == Proposal.Status.APPROVED

    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("svg.chart")).to_have_count(3)  # no partnership yet: no country chart
    shots(page, "dashboard")


def test_both_firms_accept_and_then_see_each_others_contact(new_page, shots):
    ua = FirmFactory(ref="ua-skyforge", name="SkyForge Robotics LLC", contact_email="olena@skyforge.example")
    partner = FirmFactory(
        ref="de-optronik", name="Optronik Systems GmbH", partner=True, contact_email="jonas@optronik.example"
    )
    MembershipFactory(user=UserFactory(username="alice"), firm=ua, role="owner")
    MembershipFactory(user=UserFactory(username="bob"), firm=partner, role="owner")
    ProposalFactory(ukrainian=ua, partner=partner, status="approved", score=0.81)

    for username, me, other_email, label in (
        ("alice", "SkyForge Robotics LLC", "jonas@optronik.example", "alice"),
        ("bob", "Optronik Systems GmbH", "olena@skyforge.example", "bob"),
    ):
        page = new_page()
        log_in(page, username)
        expect(page.get_by_role("heading", name=me)).to_be_visible()
        expect(page.locator(".contact")).to_have_count(0)  # not connected yet: no contacts anywhere
        shots(page, f"{label}-dashboard")
        page.get_by_role("link", name="Open").first.click()
        shots(page, f"{label}-proposal")
        page.get_by_role("link", name="Accept").click()
        shots(page, f"{label}-confirm")
        page.get_by_role("button", name="Yes, accept").click()
        expect(page.locator(".message-success")).to_contain_text("accepted")
        shots(page, f"{label}-accepted")
        if username == "bob":
            expect(page.locator(".contact")).to_contain_text(other_email)
        log_out(page)

    page = new_page()
    log_in(page, "alice")
    expect(page.locator(".contact")).to_contain_text("jonas@optronik.example")
    shots(page, "alice-sees-contact")
    assert Proposal.objects.get().status == Proposal.Status.CONNECTED


def test_the_language_switch_shows_the_pages_in_ukrainian(new_page, shots):
    ua = FirmFactory(ref="ua-skyforge", name="SkyForge Robotics LLC")
    FirmCapabilityFactory(firm=ua, kind="offer", capability=_cap("uav.fpv"))
    MembershipFactory(user=UserFactory(username="alice"), firm=ua, role="owner")

    page = new_page(locale="en-GB")
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Language").select_option("uk")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", name="Увійти")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    shots(page, "login-uk")

    log_in(page, "alice")
    expect(page.get_by_role("heading", name="Профіль", exact=True)).to_be_visible()
    expect(page.get_by_text("Ударні FPV-дрони")).to_be_visible()  # capability names in the page's language
    shots(page, "dashboard-uk")
    page.get_by_role("link", name="Редагувати профіль").click()
    expect(page.get_by_role("heading", name="Редагувати профіль компанії")).to_be_visible()
    shots(page, "profile-uk")

    # Switching while signed in is remembered on the account, for the next device.
    page.get_by_label("Мова").select_option("en")
    page.get_by_role("button", name="Змінити").click()
    expect(page.get_by_role("heading", name="Edit firm profile")).to_be_visible()
    assert User.objects.get(username="alice").language == "en"


def test_a_browser_asking_for_ukrainian_gets_ukrainian_pages(new_page, shots):
    page = new_page(locale="uk-UA")
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Увійти")).to_be_visible()
    shots(page, "login-browser-default-uk")


def test_the_run_progress_bar_updates_live_until_the_run_finishes(new_page, shots):
    """A run on a real worker takes a while: the page polls (htmx, every second) and the bar follows."""
    UserFactory(username="rita", is_reviewer=True)
    run = MatchRun.objects.create(kind="full", status="running", chunks_total=4, chunks_done=1)
    page = new_page()
    log_in(page, "rita")
    page.goto(f"/review/runs/{run.pk}/")
    expect(page.locator("#run-percent")).to_have_text("25%")
    shots(page, "run-running")
    MatchRun.objects.filter(pk=run.pk).update(chunks_done=3)
    expect(page.locator("#run-percent")).to_have_text("75%")
    MatchRun.objects.filter(pk=run.pk).update(chunks_done=4, status="succeeded", proposals_created=12)
    expect(page.locator("#run-status")).to_have_text("Succeeded")
    expect(page.locator("#run-bar")).to_have_attribute("value", "100")
    shots(page, "run-succeeded")
    # Finished: the fragment no longer carries the polling trigger.
    expect(page.locator("#run-progress")).not_to_have_attribute("hx-trigger", "every 1s")
