"""The bilingual text analyzer (matching/scoring/text.py) and its use in the model's TF-IDF."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.scoring import MatchParams, Model, SideFeatures, Taxonomy
from matching.scoring.text import Analyzer, lemma, platforms_named

EN_SHELLS = "We produce 155 mm artillery ammunition and shell bodies for NATO customers."
UK_SHELLS = "Виробляємо артилерійські боєприпаси 155 мм та корпуси снарядів."


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.from_csv()


@pytest.fixture(scope="module")
def analyzer(taxonomy):
    return Analyzer.for_taxonomy(taxonomy)


def cosine(analyzer, a: str, b: str, *others: str) -> float:
    x = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True).fit_transform([a, b, *others])
    return float((x[0] @ x[1].T).toarray()[0, 0])


def test_ukrainian_inflections_meet_in_one_lemma(analyzer):
    assert analyzer("артилерійських снарядів") == analyzer("артилерійський снаряд")
    assert lemma("снарядів") == lemma("снаряди") == "снаряд"


def test_an_english_and_a_ukrainian_description_of_155_mm_shells_share_a_concept(analyzer):
    en, uk = set(analyzer(EN_SHELLS)), set(analyzer(UK_SHELLS))
    assert "cap:munitions.artillery_155" in en & uk
    assert "plat:munition.155mm" in en & uk
    assert {"artillery", "shell", "155", "mm"} <= en & uk  # the glossary puts Ukrainian words into English too
    assert cosine(analyzer, EN_SHELLS, UK_SHELLS, "Tactical radios for infantry") > 0.3


@pytest.mark.parametrize("other", ["Overhaul of PzH2000 howitzers", "Ремонт ПзГ-2000", "Запчастини до САУ PzH 2000"])
def test_a_platform_named_with_other_spacing_or_script_meets(analyzer, other):
    assert platforms_named("Spare parts for the PzH 2000") == {"spg.pzh2000"}
    assert "spg.pzh2000" in platforms_named(other)
    assert "plat:spg.pzh2000" in set(analyzer("Spare parts for the PzH 2000")) & set(analyzer(other))


def test_product_names_meet_across_languages_and_inflections():
    assert platforms_named("Обслуговуємо «Цезарі» та «Богдани»") == {"spg.caesar", "spg.bohdana"}
    assert platforms_named("CAESAR and 2S22 Bohdana howitzers") == {"spg.caesar", "spg.bohdana"}
    assert {"tank.leopard_2a4", "tank.leopard_2a6"} <= platforms_named("ремонт Леопардів")
    assert platforms_named("Leopard 2A6 tracks") >= {"tank.leopard_2a6"}
    assert platforms_named("Т-64БВ and T-72 engines") == {"tank.t_64bv", "tank.t_72"}


def test_words_that_name_no_platform_alone_do_not(analyzer):
    assert platforms_named("storm drains, light guns, sea drones and air surveillance radars") == set()
    assert platforms_named("бронеавтомобіль власної розробки") == set()


def test_stop_words_do_not_make_texts_similar(analyzer):
    a = "We are the one and only company that is in the business"  # business is the only content word
    b = "Ми є та сама компанія, яка була і буде"
    assert analyzer("the and of це та що і для") == []
    assert cosine(analyzer, "and the of with for", "і та що для з", "radar parts") == 0.0
    assert cosine(analyzer, a, b, "radar parts") == 0.0


def test_analysis_is_deterministic(analyzer, taxonomy):
    texts = [EN_SHELLS, UK_SHELLS, "Ремонт «Богдани», CAESAR, PzH 2000; 7,62х39 мм набої"]
    first = [analyzer(t) for t in texts]
    assert first == [Analyzer(taxonomy.names_en, taxonomy.names_uk, taxonomy.codes)(t) for t in texts]
    assert first == [analyzer(t) for t in texts]


def _uncached(analyzer: Analyzer, text: str) -> list[str]:
    """The analyzer's terms worked out word by word: no sentence or token cache, an n-gram walk from every word."""
    import re

    from matching.scoring.text import _normalise, _tokens, word

    g = analyzer.gazetteer
    terms: list[str] = []
    concepts: set[str] = set()
    for segment in re.split(r"[;!?\n]|[.:](?!\d)", _normalise(text)):
        words = [word(t) for t in _tokens(segment)]
        sentence_terms = [x for w in words for x in w.terms]
        seen = {w.lemma for w in words}.union(sentence_terms)
        concepts.update(term for term, need in analyzer.concepts if need <= seen)
        for seq in ([w.latin for w in words], [w.latin_lemma for w in words]):
            for i in range(len(seq)):
                for j in range(i + 1, min(i + g.MAX_N, len(seq)) + 1):
                    if "".join(seq[i:j]) not in g.prefixes:
                        break
                    concepts.update(f"plat:{c}" for c in g.keys.get("".join(seq[i:j]), ()))
        concepts.update(f"plat:{c}" for w in words if w.stem for c in g.stems.get(w.stem, ()))
        terms += sentence_terms
    return terms + sorted(concepts)


@pytest.mark.parametrize(
    "text",
    [
        EN_SHELLS,
        UK_SHELLS,
        "Ремонт «Богдани», CAESAR, PzH 2000; 7,62х39 мм набої. Обслуговуємо «Цезарі» та Леопардів",
        "Spare parts for the PzH2000 and Leopard 2A6: 5.56x45 rounds, 12.7мм; storm drains. Body armour",
        "Виробляємо дрони-камікадзе та засоби РЕБ для ЗСУ. Ремонт Т-64БВ і T-72; ПзГ-2000",
        "",
    ],
)
def test_the_cached_analysis_is_the_uncached_one(analyzer, taxonomy, text):
    fresh = Analyzer(taxonomy.names_en, taxonomy.names_uk, taxonomy.codes)
    expected = _uncached(fresh, text)
    assert fresh(text) == expected  # cold caches
    assert fresh(text) == expected  # from the sentence cache
    assert analyzer(text + "\n" + text) == _uncached(fresh, text + "\n" + text)


def test_the_model_scores_a_ukrainian_and_an_english_profile_by_their_shared_concepts(taxonomy):
    def side(rows):
        return SideFeatures.from_records(
            [{"id": i, "name": f"F{i}", "description": t, "offers": [], "seeks": []} for i, t in rows], taxonomy
        )

    ua = side([(1, UK_SHELLS), (2, "Розробляємо програмне забезпечення для штабів")])
    partners = side([(11, EN_SHELLS), (12, "Tactical radios and datalinks"), (13, "Body armour and helmets")])
    model = Model(ua, partners, taxonomy, MatchParams())
    text = model.score_rows(np.array([0, 1])).component("text")
    assert text[0, 0] > 0.3 and text[0, 0] > text[0, 1:].max()
    assert "155 mm artillery ammunition" in set(model.vocabulary().tolist())  # concepts shown by name


def test_lemmatising_2000_descriptions_is_quick(analyzer):
    """No timing assertion (shared machine); the figure is reported by `pytest -s`."""
    import time

    from matching.scoring.synthetic import generate_population

    ua, partners, _ = generate_population(200, 1800, 3, Taxonomy.from_csv())
    texts = list(ua.texts) + list(partners.texts) + [UK_SHELLS + f" {i}" for i in range(200)]
    start = time.perf_counter()
    terms = [analyzer(t) for t in texts]
    print(f"\nanalysed {len(texts)} descriptions in {time.perf_counter() - start:.2f} s")
    assert all(isinstance(t, list) for t in terms)
