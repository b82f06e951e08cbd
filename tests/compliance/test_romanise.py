"""Romanisation tables and language detection, tested with real spellings of real names."""

import pytest

from compliance import romanise
from compliance.namematch import ScreeningIndex, firm_readings, list_readings


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ТОВ «ЗАЛА АЕРО»", "uk"),  # no Ukrainian-only letter: the legal form decides
        ("ААТ «Мінскі завод колавых цягачоў»", "be"),
        ("ААТ «Інтэграл»", "be"),
        ("«Алмаз-Антей» АД", "bg"),
        ("Рособоронекспорт ЕООД", "bg"),
        ("Калашњиков ДООЕЛ Скопје", "mk"),
        ("Кронштат ДООЕЛ Битола", "mk"),
        ("ПрАТ «Туполєв»", "uk"),
        ("АО «Концерн «Калашников»", "ru"),
    ],
)
def test_the_language_of_a_whole_name_comes_from_its_letters_and_legal_form(text, language):
    assert romanise.detect_language(text) == language


@pytest.mark.parametrize(
    ("cyrillic", "system", "expected"),
    [
        # German press and registry spellings
        ("Калашников", "de", "kalaschnikow"),
        ("Обуховский", "de", "obuchowski"),
        ("Севмаш", "de", "sewmasch"),
        ("Звёздочка", "de", "swjosdotschka"),
        ("Яковлев", "de", "jakowlew"),
        # Polish
        ("Калашников", "pl", "kałasznikow"),
        ("Севмаш", "pl", "siewmasz"),
        ("Туполев", "pl", "tupolew"),
        # Czech and Lithuanian
        ("Калашников", "cs", "kalašnikov"),
        ("Звёздочка", "cs", "zvjozdočka"),
        ("Калашников", "lt", "kalašnikov"),
        # French
        ("Звёздочка", "fr", "zviozdotchka"),
        ("Уралвагонзавод", "fr", "ouralvagonzavod"),
        ("Сухой", "fr", "soukhoï"),
        # Turkish
        ("Калашников", "tr", "kalaşnikof"),
        ("Севмаш", "tr", "sevmaş"),
        # Ukraine's national system applied to Russian names
        ("Уралвагонзавод", "ua", "uralvahonzavod"),
        ("Гранит", "ua", "hranyt"),
        ("Мытищинский", "ua", "mytyshchynskyi"),
    ],
)
def test_table_romanisations_give_the_spellings_registries_use(cyrillic, system, expected):
    assert romanise.table_romanise(cyrillic, system) == expected


def test_icu_supplies_bgn_and_iso9():
    assert romanise.icu_romanise("Звёздочка", "ru").lower() == "zvezdochka"
    assert romanise.icu_romanise("Яковлев", "iso9").lower() == "akovlev"  # Âkovlev, folded
    assert romanise.icu_romanise("Інтэграл", "be").lower() == "intehral"


def test_a_ukrainian_registration_is_read_with_ukrainian_rules_throughout():
    # Read per word with Russian rules, "АЕРО" would become "ayero".
    assert firm_readings("ТОВ «ЗАЛА АЕРО»")[0] == ("uk", ("aero", "zala"))


def test_list_names_lose_named_after_clauses_and_org_form_words_but_keep_the_full_reading():
    readings = dict(list_readings("АО «Научно-производственная корпорация «Уралвагонзавод» имени Ф.Э. Дзержинского»"))
    stripped = readings["BGN/PCGN (Russian) romanisation"]
    assert "dzerzhinskogo" not in stripped and "uralvagonzavod" in stripped
    assert any("dzerzhinskogo" in tokens for tokens in readings.values())  # the full name is indexed too
    assert ("radar",) in dict(list_readings("ОАО «КБ Радар»")).values()


@pytest.fixture
def index():
    idx = ScreeningIndex()
    idx.add("kalashnikov", "Kalashnikov Concern JSC", ["АО «Концерн «Калашников»"], countries=["ru"], schema="Company")
    idx.add("uvz", "Uralvagonzavod", ["UVZ", "Уралвагонзавод"], countries=["ru"], schema="Company")
    idx.add("roe", "Rosoboronexport JSC", ["АО «Рособоронэкспорт»"], ["LEI 253400EV0ROE00000A17"], countries=["ru"])
    idx.add(
        "novator", "OKB Novator", ["АО «Опытное конструкторское бюро «Новатор»"], countries=["ru"], schema="Company"
    )
    idx.add("slyusar", "Yury Borisovich Slyusar", ["Слюсарь Юрий Борисович"], countries=["ru"], schema="Person")
    idx.add("qods", "Qods Aviation Industries", countries=["ir"], schema="Company")
    return idx


@pytest.mark.parametrize(
    ("firm", "country", "entry", "words"),
    [
        ("Konzern Kalaschnikow GmbH", "DE", "kalashnikov", "German"),
        ("Kalaşnikof Ltd. Şti.", "TR", "kalashnikov", "Turkish"),
        ("Rosoboronexort FZE", "AE", "roe", "spelled differently"),  # one letter dropped
        ("UVZ Holding", "CY", "uvz", "acronym UVZ"),
        ("Uralvahonzavod LLC", "GE", "uvz", "Ukrainian national"),
        ("Ghods Aviation Industry Co", "AE", "qods", "transit country"),
        ("Yuri Slyusar", "KZ", "slyusar", "patronymic not given"),
    ],
)
def test_disguised_registrations_are_caught_and_explained(index, firm, country, entry, words):
    hits = index.screen(firm, country=country)
    assert [hit.entry for hit in hits][:1] == [entry]
    assert words in hits[0].explanation


@pytest.mark.parametrize(
    ("firm", "country", "identifiers"),
    [
        ("Kalashnikov USA LLC", "US", []),  # a homonym abroad: contained plus a location word, not a transit country
        ("ДП «Новатор»", "UA", ["EDRPOU 14308997"]),  # a Ukrainian state enterprise
        ("ФОП Слюсар Юрій Миколайович", "UA", []),  # another patronymic: another person
        ("Rosoboronexport Trading FZE", "AE", ["LEI 5493000KUSA000000X21"]),  # another LEI decides
    ],
)
def test_look_alikes_are_spared(index, firm, country, identifiers):
    assert index.screen(firm, identifiers, country=country) == []


def test_a_transit_country_keeps_the_score_another_country_costs_a_little(index):
    [transit] = index.screen("Kalashnikov Trading", country="CY")
    [elsewhere] = index.screen("Kalashnikov", country="DE")
    assert transit.score == pytest.approx(0.9) and "transit country" in transit.explanation
    assert elsewhere.score == pytest.approx(0.88) and "neither a transit country" in elsewhere.explanation
