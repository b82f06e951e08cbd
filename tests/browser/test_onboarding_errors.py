"""Onboarding in a real browser, in English and Ukrainian (issue 15): every mistake reported after one
submit, beside its section and in a summary that takes the focus; then fixed and saved. The
"Selected:" list follows the picks, and a pick is removed from it. axe runs on every page (shots)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from matching.models import Proposal
from registry.models import Firm
from tests.browser.conftest import log_in
from tests.factories import FirmFactory, MembershipFactory, ProposalFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEXTS = {
    "en-GB": {
        "problems": "There are 5 problems to correct",
        "edrpou": "This EDRPOU is not valid: check the 8 digits on your extract from the state register",
        "capabilities": "Pick at least one capability the firm offers or seeks.",
        "phone": "is not a phone number we can read",
        "selected": "Selected:",
        "remove": "Remove: ",
        "pending": "Pending verification",
    },
    "uk-UA": {
        "problems": "Потрібно виправити 5 помилок",
        "edrpou": "Цей код ЄДРПОУ недійсний: звірте 8 цифр із витягом з державного реєстру",
        "capabilities": "Оберіть принаймні одну спроможність, яку компанія пропонує або шукає.",
        "phone": "не вдається прочитати як номер телефону",
        "selected": "Обрано:",
        "remove": "Вилучити: ",
        "pending": "Очікує верифікації",
    },
}


@pytest.mark.parametrize("locale", ["en-GB", "uk-UA"])
def test_onboarding_reports_every_mistake_at_once_then_saves_once_fixed(new_page, shots, locale):
    text = TEXTS[locale]
    UserFactory(username="olena", language=locale[:2])
    page = new_page(locale=locale)
    log_in(page, "olena")
    expect(page.locator("#id_name")).to_be_visible()
    page.locator("#id_name").fill("Kyiv Drone Works LLC")
    page.locator("#id_country").select_option("UA")
    page.locator("#id_edrpou").fill("32855968")  # wrong check digit
    page.locator("#id_description").fill("Drones.")  # too short
    page.locator("#id_partnership_types_0").check()
    page.locator("#id_contact_name").fill("Olena Petrenko")
    page.locator("#id_contact_email").fill("olena-at-kyivdrone")
    page.locator("#id_contact_phone").fill("067 12")
    shots(page, "profile-with-mistakes")
    page.locator("main form button[type=submit]").click()

    # One round: the summary names all five, each beside its section too; the focus is on the summary.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text(text["problems"])
    expect(summary).to_be_focused()
    for anchor in ("id_edrpou", "id_description", "id_offers", "id_contact_email", "id_contact_phone"):
        expect(summary.locator(f'a[href="#{anchor}"]')).to_have_count(1)
    expect(page.locator("#id_edrpou_error")).to_have_text(text["edrpou"])
    expect(page.locator("#id_offers_error")).to_have_text(text["capabilities"])
    expect(page.locator("#id_contact_phone_error")).to_contain_text(text["phone"])
    expect(page.locator("#id_description_error")).to_be_visible()
    expect(page.locator("#id_contact_email_error")).to_be_visible()
    shots(page, "one-round-of-errors")

    # A link of the summary takes the focus to its field.
    summary.locator('a[href="#id_edrpou"]').click()
    expect(page.locator("#id_edrpou")).to_be_focused()
    summary.locator('a[href="#id_offers"]').click()
    expect(page.locator("#id_offers input.cap-check").first).to_be_focused()

    # Fix everything; the picks appear under "Selected:", and one is removed from there.
    page.locator("#id_edrpou").fill("32855961")
    page.locator("#id_description").fill("Builds multirotor reconnaissance drones for the front line.")
    page.locator("#id_offers-uav\\.multirotor_isr").check()
    page.locator("#id_offers-uav\\.fpv").check()
    selected = page.locator('[data-cap-selected="id_offers_picker"]')
    expect(selected).to_contain_text(text["selected"])
    expect(selected.get_by_role("button")).to_have_count(2)
    fpv = page.locator('label[for="id_offers-uav.fpv"]').inner_text().strip()
    selected.get_by_role("button", name=text["remove"] + fpv, exact=True).click()
    expect(selected.get_by_role("button")).to_have_count(1)
    expect(page.locator("#id_offers-uav\\.fpv")).not_to_be_checked()
    expect(page.locator("#id_offers-uav\\.multirotor_isr")).to_be_checked()
    page.locator("#id_contact_email").fill("olena@kyivdrone.example")
    page.locator("#id_contact_phone").fill("067 123 45 67")
    page.locator("#id_owners-0-name").fill("Olena Petrenko")
    page.locator("#id_owners-0-country").select_option("UA")
    page.locator("#id_owners-0-share_percent").fill("60")
    shots(page, "profile-fixed")
    page.locator("main form button[type=submit]").click()

    expect(page.locator(".banner-pending")).to_contain_text(text["pending"])
    shots(page, "dashboard-pending")
    firm = Firm.objects.get(name="Kyiv Drone Works LLC")
    assert firm.memberships.get().user == User.objects.get(username="olena")
    assert str(firm.contact_phone) == "+380671234567"
    assert list(firm.capabilities.values_list("capability__code", flat=True)) == ["uav.multirotor_isr"]
    assert list(firm.beneficial_owners.values_list("name", flat=True)) == ["Olena Petrenko"]


@pytest.mark.parametrize("locale", ["en-GB", "uk-UA"])
def test_sign_up_reports_both_password_mistakes_and_focuses_the_summary(new_page, shots, locale):
    page = new_page(locale=locale)
    page.goto("/accounts/signup/")
    page.locator("#id_username").fill("olena")
    page.locator("#id_email").fill("olena@kyivdrone.example")
    page.locator("#id_password1").fill("short1")
    page.locator("#id_password2").fill("short2")
    page.locator("main form button[type=submit]").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.locator('a[href="#id_password1"]')).not_to_have_count(0)  # too short (and maybe common)
    expect(summary.locator('a[href="#id_password2"]')).to_have_count(1)  # the two differ
    shots(page, "signup-errors")


@pytest.mark.parametrize("locale", ["en-GB", "uk-UA"])
def test_a_firm_records_the_outcome_of_a_connected_introduction(new_page, shots, locale):
    ua = FirmFactory(ref="ua-dnipro", name="Dnipro Drone Works")
    partner = FirmFactory(ref="de-optronik", name="Optronik Systems GmbH", partner=True)
    MembershipFactory(user=UserFactory(username="alice", language=locale[:2]), firm=ua, role="owner")
    proposal = ProposalFactory(ukrainian=ua, partner=partner, status="connected", score=0.8)
    page = new_page(locale=locale)
    log_in(page, "alice")
    page.goto(f"/firms/{ua.pk}/proposals/{proposal.pk}/")
    outcome = page.locator("#outcome")
    outcome.locator('input[value="joint_venture"]').check()
    outcome.locator("button[type=submit]").click()  # no date: refused beside the field
    expect(page.locator("#id_date_error")).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    shots(page, "outcome-error")
    page.locator("#id_date").fill(str(timezone.localdate()))  # not before the introduction (made today)
    page.locator("#outcome button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("ol.history")).to_contain_text("Dnipro Drone Works")
    shots(page, "outcome-recorded")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.outcome_kind) == (Proposal.Status.PARTNERSHIP, "joint_venture")
