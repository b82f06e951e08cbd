"""The Django-free matching core: normalisation, candidate index, scores."""

import pytest

from compliance.namematch import ScreeningIndex, name_score, normalise_identifier, normalise_name


def test_legal_forms_case_and_punctuation_are_removed():
    assert normalise_name("ТОВ «Алмаз-Антей»") == normalise_name("almaz antey")
    assert normalise_name("Zhuravl Avionika OOO") == normalise_name("ZHURAVL, Avionika S.A.")
    assert normalise_name("Optronik Systems GmbH") == ("optronik", "systems")


def test_cyrillic_and_latin_spellings_meet():
    assert normalise_name("ООО «Уралтехприбор»") == ("uraltekhpribor",)
    assert name_score(normalise_name("Uraltekhpribor GmbH"), normalise_name("ООО «Уралтехприбор»")) == 1.0


def test_ukrainian_and_russian_spellings_meet():
    ukrainian = normalise_name("ТОВ Харківський завод Електротяжмаш")
    russian = normalise_name("ООО Харьковский завод Электротяжмаш")
    assert name_score(ukrainian, russian) >= 0.9


def test_word_order_does_not_matter():
    assert name_score(normalise_name("Optika Krasnaya Zvezda"), normalise_name("Krasnaya Zvezda Optika JSC")) == 1.0


@pytest.mark.parametrize(
    ("firm", "entry"),
    [
        ("Defence Systems Group Ltd", "Almaz Defence Systems JSC"),  # generic words only
        ("Global Trading International Centre", "International Trading Centre Almaz"),
        ("Alma Trading", "Almaz Trading"),  # short common prefix
        ("Almazia Foods", "Almaz Foods"),
        ("Zhuravlev Consulting", "Zhuravl Avionika"),
        ("Krasnaya Zarya Foods", "Krasnaya Zvezda Optika"),
        ("Rostelecom Solutions", "Rostec"),
    ],
)
def test_look_alike_names_do_not_score_as_a_match(firm, entry):
    assert name_score(normalise_name(firm), normalise_name(entry)) < 0.8


def test_identifiers_are_compared_without_spaces_and_case():
    assert normalise_identifier("2138 00qz-xr4b") == "213800QZXR4B"


@pytest.fixture
def index():
    idx = ScreeningIndex()
    idx.add("almaz", "Almaz Defence Systems JSC", ["Алмаз Дефенс Системс"])
    idx.add("obscure", "Obscure Holdings Ltd", [], ["LEI 213800QZXR4B9CJ7KL55"])
    idx.add("person", "Сидоров Иван Петрович", ["Ivan Petrovich Sidorov"])
    idx.add("generic", "Aerospace Engineering Industries Trading")
    return idx


def test_index_finds_an_identifier_only_match(index):
    [hit] = index.screen("Westbridge Precision BV", ["213800QZXR4B9CJ7KL55"])
    assert (hit.entry, hit.reason, hit.score) == ("obscure", "identifier", 1.0)


def test_index_finds_an_alias_and_a_person(index):
    [hit] = index.screen("ФОП Сидоров Іван Петрович")
    assert hit.entry == "person"
    [hit] = index.screen("Almaz Defense Systems")
    assert hit.entry == "almaz"


def test_index_gives_no_candidate_for_generic_words_only(index):
    assert index.screen("Defence Systems Group") == []
    assert index.screen("Engineering Industries Trading Group") == []
    # ... but an identical all-generic name is still found.
    assert [h.entry for h in index.screen("Aerospace Engineering Industries Trading LLC")] == ["generic"]


def test_index_scores_only_candidates_sharing_a_key():
    idx = ScreeningIndex()
    for n in range(5000):
        idx.add(n, f"Company {n} Zyx{n:05d}")
    hits = idx.screen("Zyx00042 Ltd")
    assert [h.entry for h in hits] == [42]
