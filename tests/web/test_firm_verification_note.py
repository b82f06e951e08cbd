"""The reviewer's note when verifying a firm is shown to the firm's members on its dashboard, and
figures there follow the page's language."""

from html import unescape

import pytest
from django.urls import reverse

from registry import services as registry
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified_a(firm_a, rita):
    firm_a.status = "pending"
    firm_a.save(update_fields=["status"])
    return registry.firm_verify(firm=firm_a, reviewer=rita, note="EDRPOU checked against the state register.")


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "Verified by a ministry reviewer on"), ("uk", "Верифіковано рецензентом міністерства")],
)
def test_members_see_the_reviewers_verification_note(page_alice_viewer, alice_viewer, verified_a, lang, said):
    alice_viewer.language = lang
    alice_viewer.save()
    body = unescape(page_alice_viewer.get(reverse("web:firm_dashboard", args=[verified_a.pk])).content.decode())
    note = body.split('id="verification-note"')[1].split("</p>")[0]
    assert said in note and "EDRPOU checked against the state register." in note
    assert ".." not in note  # the Ukrainian date format ends in "р.": no second full stop after it


def test_no_note_is_shown_once_the_firm_is_suspended(page_alice, verified_a, rita):
    registry.firm_suspend(firm=verified_a, reviewer=rita, reason="Sanctions review")
    body = page_alice.get(reverse("web:firm_dashboard", args=[verified_a.pk])).content.decode()
    assert 'id="verification-note"' not in body and "EDRPOU checked" not in body


def test_outsiders_do_not_see_the_note(page_bob, page_anon, verified_a):
    assert page_bob.get(reverse("web:firm_dashboard", args=[verified_a.pk])).status_code == 404
    assert page_anon.get(reverse("web:firm_dashboard", args=[verified_a.pk])).status_code == 302


@pytest.mark.parametrize(("lang", "shown", "not_shown"), [("en", "0.09", "0,09"), ("uk", "0,09", "0.09")])
def test_scores_on_the_firm_pages_use_the_pages_decimal_separator(
    page_alice, alice, firm_a, firm_b, lang, shown, not_shown
):
    alice.language = lang
    alice.save()
    p = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="approved", score=0.09)
    dashboard = page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk])).content.decode()
    assert f'<td class="num score">{shown}</td>' in dashboard and f">{not_shown}<" not in dashboard
    proposal = page_alice.get(reverse("web:firm_proposal", args=[firm_a.pk, p.pk])).content.decode()
    assert f": {shown}</span>" in proposal
