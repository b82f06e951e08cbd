"""Export-control flags for a pairing, in English and Ukrainian."""

import pytest

from compliance.export_control import proposal_flags
from compliance.selectors import proposal_flags_for_pair, proposal_flags_for_pairs


def test_one_flag_per_distinct_ml_category_sorted_naturally():
    flags = proposal_flags(
        partner_offer_ml_categories=["ML10", "ML2", "ML10", ""], partner_export_regimes=[], partner_country="DE"
    )
    assert flags["codes"] == ["ML2", "ML10"]
    assert flags["en"] == [
        "EU military export licence likely needed (ML2)",
        "EU military export licence likely needed (ML10)",
    ]
    assert flags["uk"][1] == "Ймовірно, потрібна ліцензія ЄС на експорт товарів військового призначення (ML10)"


def test_regimes_add_itar_ear_and_dual_use_flags():
    flags = proposal_flags(
        partner_offer_ml_categories=[], partner_export_regimes=["EU_DUAL_USE", "ITAR", "EAR"], partner_country="US"
    )
    assert flags["codes"] == ["ITAR", "EAR", "EU_DUAL_USE"]
    assert flags["en"] == [
        "ITAR: US government approval needed for technical data",
        "EAR: US export licence may be needed",
        "EU dual-use: export authorisation under Regulation (EU) 2021/821",
    ]
    assert all(text for text in flags["uk"]) and len(flags["uk"]) == 3


def test_outside_the_eu_the_ml_flag_names_the_partner_country():
    flags = proposal_flags(partner_offer_ml_categories=["ML4"], partner_export_regimes=[], partner_country="GB")
    assert flags["en"] == ["Military export licence of GB likely needed (ML4)"]
    assert flags["uk"] == [
        "Ймовірно, потрібна ліцензія Великої Британії на експорт товарів військового призначення (ML4)"
    ]


@pytest.mark.parametrize("country, genitive", [("US", "США"), ("NO", "Норвегії"), ("KR", "Республіки Корея")])
def test_the_ukrainian_ml_flag_names_the_country_in_ukrainian_not_by_its_code(country, genitive):
    flags = proposal_flags(partner_offer_ml_categories=["ML4"], partner_export_regimes=[], partner_country=country)
    assert flags["uk"] == [f"Ймовірно, потрібна ліцензія {genitive} на експорт товарів військового призначення (ML4)"]


def test_every_eligible_non_eu_partner_country_has_a_ukrainian_name_for_its_licence(settings):
    from compliance.export_control import COUNTRY_GENITIVE_UK, EU_COUNTRIES

    non_eu = set(settings.ELIGIBLE_PARTNER_COUNTRIES) - EU_COUNTRIES
    assert non_eu <= set(COUNTRY_GENITIVE_UK)


def test_eu_military_regime_without_ml_category_gets_a_generic_flag():
    flags = proposal_flags(partner_offer_ml_categories=[], partner_export_regimes=["EU_MILITARY"], partner_country="FR")
    assert flags["codes"] == ["EU_MILITARY"]


def test_no_flags_for_an_unlisted_partner():
    assert proposal_flags(partner_offer_ml_categories=[], partner_export_regimes=[], partner_country="DE") == {
        "codes": [],
        "en": [],
        "uk": [],
    }


def test_flags_for_pairs_read_the_partner_offers_in_constant_queries(db, django_assert_max_num_queries):
    from registry.models import Capability
    from tests.factories import FirmCapabilityFactory, FirmFactory

    ua = FirmFactory(ref="ua-1")
    partners = [FirmFactory(ref=f"de-{n}", partner=True, export_regimes=["ITAR"]) for n in range(5)]
    ml10 = Capability.objects.filter(ml_category="ML10").first()
    civil = Capability.objects.filter(ml_category="").first()
    for partner in partners:
        FirmCapabilityFactory(firm=partner, capability=ml10)
        if civil:
            FirmCapabilityFactory(firm=partner, capability=civil)
    with django_assert_max_num_queries(2):
        flags = proposal_flags_for_pairs(pairs=[(ua.pk, p.pk) for p in partners])
    assert flags[(ua.pk, partners[0].pk)]["codes"] == ["ML10", "ITAR"]
    assert proposal_flags_for_pair(ukrainian=ua, partner=partners[1])["en"][0] == (
        "EU military export licence likely needed (ML10)"
    )
