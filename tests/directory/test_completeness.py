"""Profile completeness: a score with hints that link to the fields, shown to the firm's own members."""

from django.test import Client
from django.urls import reverse

from directory.completeness import firm_completeness
from registry.models import FirmPlatform, Platform
from tests.directory.conftest import cap
from tests.factories import FirmCapabilityFactory, FirmFactory


def test_an_empty_profile_scores_low_and_gets_every_hint_first_what_it_seeks(db):
    firm = FirmFactory(ref="ua-empty", description="Short.", partnership_types=[])
    score, hints = firm_completeness(firm=firm)
    assert score == 0
    assert [h.key for h in hints][:2] == ["seeks", "offers"]
    assert hints[0].url == reverse("web:firm_edit", args=[firm.pk]) + "#id_seeks_filter"


def test_a_full_profile_scores_100_with_no_hints(db):
    firm = FirmFactory(
        ref="ua-full", description="x" * 250, certifications=["AQAP-2110"], employees=40, website="https://a.example"
    )
    FirmCapabilityFactory(firm=firm, kind="offer", capability=cap("munitions.artillery_155"), monthly_capacity=900)
    FirmCapabilityFactory(firm=firm, kind="seek", capability=cap("sensors.radar"))
    FirmPlatform.objects.create(firm=firm, platform=Platform.objects.first(), role="repairs")
    assert firm_completeness(firm=firm) == (100, [])


def test_own_members_see_the_score_and_hints_in_both_languages_others_do_not(market, firm_a, alice, bob):
    url = reverse("web:directory_firm", args=[firm_a.pk])
    own = Client()
    own.force_login(alice)
    english = own.get(url).content.decode()
    assert "% complete" in english and "Add what you seek" in english  # A lists no need yet
    ukrainian = own.get(url, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Ваш профіль заповнено на" in ukrainian and "Опишіть компанію докладніше" in ukrainian
    assert "3x" not in english and "3 рази" not in ukrainian
    other = Client()
    other.force_login(bob)
    assert "complete" not in other.get(url).content.decode()
