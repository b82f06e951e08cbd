"""The fast paths of the matcher give exactly what the plain ones give: similarities, score bounds, index keys."""

import random

import pytest

from compliance.namematch import (
    GENERIC_TOKENS,
    ScreeningIndex,
    _name_score,
    _score_bound,
    _similarity_rows,
    _token_similarity,
    entry_keys,
    identifier_keys,
)

WORDS = [
    "kalashnikov", "kalaschnikow", "sevmash", "sewmasch", "zawod", "sawod", "zavod", "plant42", "plant422",
    "ghods", "qods", "holding", "holdings", "systems", "sistemy", "ab", "abc", "abd", "abcdefgh", "abcdefxy",
    "ivanov", "ivanovich", "petrovich", "uralvagonzavod", "ouralvagonzavod",
]  # fmt: skip


def _token(rng: random.Random) -> str:
    if rng.random() < 0.6:
        token = rng.choice(WORDS)
        for _ in range(rng.randint(0, 2)):
            at = rng.randrange(len(token))
            letter = rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
            token = rng.choice([token[:at] + letter + token[at + 1 :], token[:at] + letter + token[at:]])
        return token
    return "".join(rng.choice("aeioubdgkvszhcy1") for _ in range(rng.randint(2, 11)))


def test_similarity_rows_are_token_similarity_pair_by_pair():
    rng = random.Random(17)
    pairs = 0
    for _ in range(1500):
        firm = [_token(rng) for _ in range(rng.randint(1, 4))]
        tokens = list({_token(rng) for _ in range(rng.randint(1, 25))})
        rows = _similarity_rows(firm, tokens)
        for token in tokens:
            assert rows[token] == [_token_similarity(f, token) for f in firm]
            pairs += len(firm)
    assert pairs > 40_000


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("sawod", "zawod", 0.0), ("abcdefgh", "abcdefxy", 0.75), ("plant42", "plant422", 0.0), ("qods", "ghods", 1.0)],
)
def test_the_edges_of_similarity_stay_where_they_were(a, b, expected):
    # rapidfuzz drops exactly 0.8 at a cutoff of 0.8 but keeps 0.75 at 0.75; the rows must do the same.
    assert _token_similarity(a, b) == expected == _similarity_rows([a], [b])[b][0]


def test_the_score_bound_is_never_below_the_score():
    rng = random.Random(42)
    vocabulary = WORDS + sorted(GENERIC_TOKENS)[:40]
    checked = 0
    for _ in range(4000):
        firm = tuple(
            sorted(rng.choice(vocabulary) if rng.random() < 0.5 else _token(rng) for _ in range(rng.randint(1, 4)))
        )
        entry = tuple(
            sorted(rng.choice(vocabulary) if rng.random() < 0.5 else _token(rng) for _ in range(rng.randint(1, 5)))
        )
        rows = _similarity_rows(firm, list(set(entry)))
        score, _ = _name_score(firm, entry, rows)
        bound = _score_bound(firm, entry, rows)
        if bound is not None:
            assert score <= bound + 0.0001, (firm, entry)  # the score is rounded to 4 places
            checked += score > 0
        # Pruned or not, a score that reaches the floor is the same.
        floored, _ = _name_score(firm, entry, rows, 0.8)
        assert floored == score if score >= 0.8 else floored in (0.0, score)
    assert checked > 100


def test_the_index_returns_every_key_of_its_entries():
    index = ScreeningIndex()
    entries = [
        ("a", "Kalashnikov Concern JSC", ["АО «Концерн «Калашников»", "Kalashnikov Group"], ["INN 1832090230"]),
        ("b", "Almaz-Antey Air and Space Defence Corporation", ["Алмаз-Антей"], []),
        ("c", "Ivanov Ivan Ivanovich", [], []),
    ]
    for entity, name, aliases, identifiers in entries:
        keys = index.add(entity, name, aliases, identifiers, countries=["ru"])
        assert keys == entry_keys(name, aliases, ["ru"]) | identifier_keys(identifiers)
