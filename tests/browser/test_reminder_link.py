"""A reminder email before a proposal expires, followed in a real browser (issue 15, "done when"): the
link in the email opens the recipient's own page of the proposal, where it can be accepted; in English
and Ukrainian, with axe on every page."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from matching.models import Proposal
from review.services import workflow as review
from review.services.notifications import proposal_expiry_reminders_send
from tests.browser.conftest import log_in
from tests.factories import FirmFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEXTS = {
    "en-GB": {"open": "Open the proposal", "accept": "Accept", "confirm": "Yes, accept", "done": "accepted"},
    "uk-UA": {"open": "Відкрити пропозицію", "accept": "Прийняти", "confirm": "Так, прийняти", "done": "прийняли"},
}


@pytest.mark.parametrize("locale", ["en-GB", "uk-UA"])
def test_the_link_in_a_reminder_email_opens_the_proposal_to_accept(new_page, shots, live_server, settings, locale):
    text = TEXTS[locale]
    settings.SITE_URL = live_server.url
    settings.REVIEW = {**settings.REVIEW, "EXPIRY_DAYS": 30, "EXPIRY_REMINDER_DAYS": (7, 1)}
    ua = FirmFactory(ref="ua-skyforge", name="SkyForge Robotics LLC")
    partner = FirmFactory(ref="de-optronik", name="Optronik Systems GmbH", partner=True)
    olena = UserFactory(username="olena", email="olena@skyforge.example", language=locale[:2])
    MembershipFactory(user=olena, firm=ua, role="owner")
    MembershipFactory(user=UserFactory(username="jonas", email="jonas@optronik.example"), firm=partner, role="owner")
    rita = UserFactory(username="rita", is_reviewer=True)
    proposal = Proposal.objects.create(
        ukrainian=ua, partner=partner, score=0.8, rank_for_ukrainian=1, rank_for_partner=1
    )
    proposal = review.proposal_approve(proposal=proposal, reviewer=rita)
    mail.outbox.clear()

    assert proposal_expiry_reminders_send(now=proposal.status_changed_at + dt.timedelta(days=24)) == 2
    email = next(m for m in mail.outbox if m.to == [olena.email])
    assert text["open"] in email.body
    link = re.search(rf"{re.escape(live_server.url)}/proposals/\d+/", email.body).group(0)

    page = new_page(locale=locale)
    log_in(page, "olena")
    page.goto(link)
    expect(page).to_have_url(re.compile(rf"/firms/{ua.pk}/proposals/{proposal.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Optronik Systems GmbH")
    shots(page, "proposal-from-the-reminder")
    page.get_by_role("link", name=text["accept"], exact=True).click()
    shots(page, "confirm")
    page.get_by_role("button", name=text["confirm"]).click()
    expect(page.locator(".message-success")).to_contain_text(text["done"])
    shots(page, "accepted")
    assert Proposal.objects.get(pk=proposal.pk).ukrainian_accepted_at is not None
