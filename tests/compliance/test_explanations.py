"""Screening explanations stored as codes and rendered in the reader's language: API and page, English and Ukrainian."""

import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from compliance.explanations import RULES, SYSTEMS, explanation_render
from compliance.models import ScreeningMatch
from compliance.namematch import RULES as MATCHER_RULES
from compliance.namematch import ScreeningIndex
from compliance.romanise import LABELS
from compliance.services import firm_screen
from registry.models import BeneficialOwner, Firm
from tests.factories import FirmFactory

EVAL = Path(__file__).resolve().parents[2] / "bench" / "screening_eval"
ENGLISH_WORDS = ("registered", "romanisation", "similar", "identifier", "acronym", "beneficial", "same words")


@pytest.fixture(scope="module")
def evaluation_hits():
    """Every hit of the labelled evaluation set (real entities, disguised firms, innocents), as firms and as owners."""
    sys.path.insert(0, str(EVAL))
    try:
        from entities import ENTITIES
        from firms import DISGUISED, INNOCENT
    finally:
        sys.path.remove(str(EVAL))
    index = ScreeningIndex()
    for entity_id, schema, name, aliases, countries, identifiers in ENTITIES:
        index.add(entity_id, name, aliases, identifiers, countries=countries, schema=schema)
    hits = []
    for _, _, name, country, identifiers in DISGUISED + INNOCENT:
        hits += index.screen(name, identifiers, country=country)
        hits += index.screen(name, country=country, persons_only=True)
    return hits


def test_the_systems_and_rules_are_the_matchers():
    assert {code: str(text) for code, text in SYSTEMS.items()} == LABELS
    assert {code: str(RULES[code]) for code in MATCHER_RULES} == MATCHER_RULES


def test_every_evaluation_hit_renders_in_english_exactly_as_the_matcher_wrote_it(evaluation_hits):
    codes_seen = {code for hit in evaluation_hits for code, _ in hit.codes}
    assert {"identifier", "read_as", "name", "acronym", "transit_country", "country_penalty"} <= codes_seen
    assert len(evaluation_hits) > 80
    with translation.override("en"):
        for hit in evaluation_hits:
            assert explanation_render(hit.codes) == hit.explanation


def test_every_evaluation_hit_renders_in_ukrainian_without_english_words(evaluation_hits):
    with translation.override("uk"):
        for hit in evaluation_hits:
            text = explanation_render(hit.codes)
            assert text and not any(word in text for word in ENGLISH_WORDS), text
            assert any(word in text for word in ("назва", "ідентифікатор", "абревіатура")), text


def test_a_ukrainian_explanation_names_the_variant_rule_country_and_score_with_a_decimal_comma():
    codes = [
        ["read_as", {"system": "uk"}],
        [
            "name",
            {"reason": "alias", "full": True, "kind": "romanisation", "system": "de", "rule": "same_words",
             "patronymic_missing": False, "score": 0.97},
        ],
        ["country_penalty", {"country": "DE", "penalty": 0.12}],
    ]  # fmt: skip
    with translation.override("uk"):
        text = explanation_render(codes)
    assert text == (
        "назву компанії латинізовано: BGN/PCGN (українська); інша назва (повна назва, латинізація: німецька): "
        "ті самі слова в іншому написанні 0,97; зареєстровано в країні DE, що не є ні країною транзиту, "
        "ні країною запису (-0,12)"
    )
    with translation.override("en"):
        assert explanation_render(codes) == (
            "firm name read as BGN/PCGN (Ukrainian); alias (full name, German romanisation): "
            "same words, spelled differently 0.97; registered in DE, neither a transit country nor the entry's (-0.12)"
        )


def test_an_unknown_code_or_parameter_is_skipped_not_an_error():
    with translation.override("uk"):
        assert explanation_render([["from_a_later_version", {}], ["transit_country", {"country": "CY"}]]) == (
            "зареєстровано в країні транзиту CY"
        )
        assert explanation_render([["name", {}]]).startswith("назва (як у списку): схожа назва 0,00")


@pytest.fixture
def suspect(small_list):
    firm = FirmFactory(ref="cy-kz", name="Optika Krasnaya Zvezda Trading Ltd", country="CY", edrpou="", partner=True)
    BeneficialOwner.objects.create(firm=firm, name="Ivan Sidorov", country="RU", share_percent=30)
    firm_screen(firm=firm)
    firm.refresh_from_db()
    assert firm.screening_status == Firm.ScreeningStatus.POTENTIAL_MATCH
    return firm


def test_matches_store_codes_beside_the_english_text(suspect):
    matches = list(ScreeningMatch.objects.filter(screening__firm=suspect))
    assert matches and all(m.explanation_codes for m in matches)
    with translation.override("en"):
        assert all(m.explanation_display == m.explanation for m in matches)
    owner = [m for m in matches if m.reason == "owner"]
    assert owner and owner[0].explanation_codes[0] == ["owner", {"name": "Ivan Sidorov"}]
    with translation.override("uk"):
        assert owner[0].explanation_display.startswith("кінцевий бенефіціарний власник Ivan Sidorov: ")


def test_a_match_stored_before_codes_existed_shows_its_english_text(suspect):
    match = ScreeningMatch.objects.filter(screening__firm=suspect).first()
    ScreeningMatch.objects.filter(pk=match.pk).update(explanation_codes=[], explanation="old text")
    match.refresh_from_db()
    with translation.override("uk"):
        assert match.explanation_display == "old text"


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", "registered in CY, a transit country", "країні транзиту"),
        ("uk", "зареєстровано в країні транзиту CY", "a transit country"),
    ],
)
def test_the_api_explains_in_the_readers_language(rita_client, suspect, language, expected, absent):
    response = rita_client.get(reverse("screening-firm", args=[suspect.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    matches = response.json()["screening"]["matches"]
    assert any(expected in m["explanation"] for m in matches)
    assert not any(absent in m["explanation"] for m in matches)
    assert all(m["explanation_codes"] for m in matches)  # the same, for programs
    codes = [code for m in matches for code, _ in m["explanation_codes"]]
    assert "transit_country" in codes and "owner" in codes


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", "list name contained, plus generic words", "разом із загальними словами"),
        ("uk", "назва зі списку міститься в назві компанії разом із загальними словами", "plus generic words"),
    ],
)
def test_the_screening_page_explains_in_the_reviewers_language(client, rita, suspect, language, expected, absent):
    rita.language = language
    rita.save()
    client.force_login(rita)
    response = client.get(reverse("web:review_screening"), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 200 and suspect.name in body
    assert expected in body and absent not in body
    assert ("кінцевий бенефіціарний власник Ivan Sidorov" in body) == (language == "uk")
