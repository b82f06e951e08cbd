"""Issue 14's journey in a real browser, in Ukrainian: a partner firm finds a Ukrainian producer of
155 mm artillery ammunition in the directory, asks for an introduction, a reviewer approves, the
Ukrainian firm accepts, and both see each other's contact."""

import re

import pytest
from playwright.sync_api import expect

from matching.models import Proposal
from registry.models import Capability
from tests.browser.conftest import log_in, log_out
from tests.factories import FirmCapabilityFactory, FirmFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
UK = "uk-UA"
MESSAGE = (
    "Ми виробляємо 155-мм снаряди за ліцензією НАТО і пропонуємо спільне виробництво корпусів та споряджання в Україні."
)


def _cap(code: str) -> Capability:
    return Capability.objects.get(code=code)


def test_a_partner_finds_a_ukrainian_producer_asks_and_both_see_contacts_after_acceptance(new_page, shots):
    arsenal = FirmFactory(
        ref="ua-arsenal",
        name="Арсенал Півдня ТОВ",
        edrpou="00032945",
        description="Виробництво артилерійських снарядів 155 мм, ремонт гармат і стволів.",
        contact_email="olena@arsenal.example",
    )
    FirmCapabilityFactory(firm=arsenal, kind="offer", capability=_cap("munitions.artillery_155"))
    # Another Ukrainian firm the search must not return.
    FirmFactory(ref="ua-drones", name="Дрони Заходу ТОВ", description="Розвідувальні дрони.")
    partner = FirmFactory(
        ref="pl-huta",
        name="Huta Stalowa Partner Sp. z o.o.",
        partner=True,
        country="PL",
        description="Steel shell bodies and filling lines for 155 mm artillery ammunition.",
        contact_email="jan@huta.example",
    )
    FirmCapabilityFactory(firm=partner, kind="seek", capability=_cap("munitions.artillery_155"))
    MembershipFactory(user=UserFactory(username="jan"), firm=partner, role="owner")
    MembershipFactory(user=UserFactory(username="olena"), firm=arsenal, role="owner")
    UserFactory(username="rita", is_reviewer=True)

    # 1. The partner searches the directory, in Ukrainian.
    page = new_page(locale=UK)
    log_in(page, "jan")
    page.get_by_role("link", name="Довідник", exact=True).click()
    expect(page.get_by_role("heading", name="Довідник компаній")).to_be_visible()
    page.get_by_label("Пошук", exact=True).fill("артилерійських 155")
    page.get_by_role("button", name="Пошук", exact=True).click()
    results = page.locator("main table tbody")
    expect(results).to_contain_text("Арсенал Півдня ТОВ")
    expect(results).not_to_contain_text("Дрони Заходу ТОВ")
    shots(page, "directory-search")

    # 2. Opens the profile (no contact yet) and asks for an introduction.
    page.get_by_role("link", name="Арсенал Півдня ТОВ").click()
    expect(page.get_by_role("heading", name="Арсенал Півдня ТОВ")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("olena@arsenal.example")
    page.get_by_label("Ваше повідомлення").fill("Коротко")
    page.get_by_role("button", name="Надіслати запит").click()
    # Ukrainian groups thousands with a (non-breaking) space: "1 000".
    expect(page.locator("#id_message_error")).to_contain_text(re.compile(r"Напишіть від 20 до 1\s000 символів"))
    shots(page, "request-too-short")
    page.get_by_label("Ваше повідомлення").fill(MESSAGE)
    page.get_by_role("button", name="Надіслати запит").click()
    expect(page.locator(".message-success")).to_contain_text("пропозицію партнерства надіслано")
    shots(page, "request-sent")
    proposal = Proposal.objects.get()
    assert (proposal.origin, proposal.status, proposal.request_message) == ("requested", "proposed", MESSAGE)
    log_out(page)

    # 3. The reviewer sees it marked as requested, with the message, and approves it.
    page = new_page(locale=UK)
    log_in(page, "rita")
    page.goto("/review/")
    expect(page.locator("main")).to_contain_text("Запит компанії")
    page.get_by_role("link", name=re.compile(r"\d")).first.click()
    expect(page.locator(".request-message")).to_contain_text("спільне виробництво")
    shots(page, "review-requested")
    page.get_by_role("button", name="Схвалити", exact=True).click()
    page.wait_for_load_state()
    shots(page, "review-approved")
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.partner_accepted_at is not None  # implied for the requester
    log_out(page)

    # 4. The Ukrainian firm accepts; it is the only acceptance needed.
    page = new_page(locale=UK)
    log_in(page, "olena")
    page.goto(f"/firms/{arsenal.pk}/proposals/{proposal.pk}/")
    expect(page.locator(".request-message")).to_contain_text("спільне виробництво")
    expect(page.locator(".contact")).to_have_count(0)
    page.get_by_role("link", name="Прийняти").click()
    page.get_by_role("button", name="Так, прийняти").click()
    expect(page.locator(".message-success")).to_contain_text("прийняли")
    expect(page.locator(".contact")).to_contain_text("jan@huta.example")
    shots(page, "ukrainian-accepted")
    log_out(page)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CONNECTED

    # Both see the contacts: the partner on its proposal page.
    page = new_page(locale=UK)
    log_in(page, "jan")
    page.goto(f"/firms/{partner.pk}/proposals/{proposal.pk}/")
    expect(page.locator(".contact")).to_contain_text("olena@arsenal.example")
    shots(page, "partner-sees-contact")
