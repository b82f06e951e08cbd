"""A prepared model with one side replaced (`Model.with_side`): the single-firm rematch's fast path.

Every score must equal those of a Model prepared from scratch over the same firms (with the same
TF-IDF fit, as a rematch keeps the run's vocabulary), for either side, edited or not.
"""

import dataclasses

import numpy as np
import pytest

from matching.scoring import MatchParams, Model, SideFeatures, Taxonomy
from matching.scoring.platforms import PlatformCatalogue
from matching.scoring.synthetic import generate_population


@pytest.fixture(scope="module")
def world():
    taxonomy = Taxonomy.from_csv()
    ua, partners, _ = generate_population(60, 300, 11, taxonomy)
    rng = np.random.default_rng(11)

    def sized(side: SideFeatures) -> SideFeatures:  # sizes, some unknown: capacity by size applies
        employees = np.round(10 ** rng.uniform(0.5, 4.5, len(side)))
        employees[rng.random(len(side)) < 0.3] = np.nan
        return dataclasses.replace(side, employees=employees)

    return taxonomy, sized(ua), sized(partners)


def _edited(side: SideFeatures, row: int, other: SideFeatures) -> SideFeatures:
    """`side` with firm `row`'s profile swapped for another firm's (new offers, needs, text, types...)."""
    donor = other.take([5])
    rows = np.arange(len(side))
    merged = side.take(rows)
    values = {}
    for name in ("offers", "seeks", "offer_capacity", "seek_capacity"):
        m = getattr(merged, name).tolil()
        m[row] = getattr(donor, name)[0]
        values[name] = m.tocsr()
    types = merged.partnership_types.copy()
    types[row] = donor.partnership_types[0]
    texts = list(merged.texts)
    texts[row] = donor.texts[0] + " Ми ремонтуємо самохідні гаубиці PzH 2000."
    employees = merged.employees.copy()
    employees[row] = 12000.0  # grew
    fields_ = {**values, "partnership_types": types, "texts": texts, "employees": employees}
    return SideFeatures(**{**vars(merged), **fields_})


@pytest.mark.parametrize("side", ["ua", "partner"])
@pytest.mark.parametrize("edit", [False, True])
def test_replacing_one_firm_scores_exactly_as_a_model_prepared_from_scratch(world, side, edit):
    taxonomy, ua, partners = world
    params = MatchParams()
    cached = Model(ua, partners, taxonomy, params)
    row = 7
    own, other = (ua, partners) if side == "ua" else (partners, ua)
    now = _edited(own, row, other) if edit else own
    fresh = Model(
        now if side == "ua" else ua, partners if side == "ua" else now, taxonomy, params, reuse_text_from=cached
    )
    fast = cached.with_side(side, now.take([row]))

    expected = fresh.rematch(side, row)
    got = fast.rematch(side, 0)
    assert len(got) == len(expected) > 0
    own_rows = (got.ua_rows, expected.ua_rows) if side == "partner" else (got.partner_rows, expected.partner_rows)
    np.testing.assert_array_equal(own_rows[0], own_rows[1])
    np.testing.assert_allclose(got.scores, expected.scores, rtol=1e-6)
    np.testing.assert_allclose(got.components, expected.components, rtol=1e-6, atol=1e-7)
    if side == "ua":
        np.testing.assert_allclose(
            fast.score_rows(np.array([0])).total, fresh.score_rows(np.array([row])).total, rtol=1e-6
        )
    else:
        np.testing.assert_allclose(
            fast.score_rows(np.arange(len(ua)), np.array([0])).total,
            fresh.score_rows(np.arange(len(ua)), np.array([row])).total,
            rtol=1e-6,
        )


def test_the_cached_model_is_left_as_it_was(world):
    taxonomy, ua, partners = world
    cached = Model(ua, partners, taxonomy, MatchParams())
    before = cached.score_rows(np.arange(5)).total.copy()
    cached.with_side("ua", _edited(ua, 2, partners).take([2]))
    np.testing.assert_array_equal(cached.score_rows(np.arange(5)).total, before)
    assert len(cached.ua) == len(ua)


def test_an_unknown_side_is_refused(world):
    taxonomy, ua, partners = world
    with pytest.raises(ValueError, match="side"):
        Model(ua, partners, taxonomy, MatchParams()).with_side("both", ua)


def _firm(id, name, country, offers, platforms=(), text=""):
    return {
        "id": id,
        "name": name,
        "country": country,
        "description": text or name,
        "offers": [{"capability": c} for c in offers],
        "seeks": [],
        "partnership_types": ["supply", "licensed_production"],
        "platforms": [{"platform": p, "role": r} for p, r in platforms],
    }


@pytest.mark.parametrize("side", ["ua", "partner"])
def test_platform_declarations_and_names_survive_the_replacement(side):
    taxonomy, catalogue = Taxonomy.from_csv(), PlatformCatalogue.from_csv()
    ua_records = [
        _firm(1, "Remont", "UA", ["industry.machining"], [("spg.pzh2000", "repairs")]),
        _firm(2, "Zavod", "UA", ["industry.machining"], text="Ремонтуємо САУ PzH 2000 та M109."),
        _firm(3, "Other", "UA", ["industry.machining"]),
    ]
    pa_records = [
        _firm(11, "KMW", "DE", ["industry.machining"], [("spg.pzh2000", "oem")]),
        _firm(12, "Teile", "DE", ["industry.machining"], text="Parts for the PzH 2000 and M109 howitzers."),
        _firm(13, "Nobody", "NL", ["industry.machining"]),
    ]
    ua = SideFeatures.from_records(ua_records, taxonomy, catalogue)
    partners = SideFeatures.from_records(pa_records, taxonomy, catalogue)
    cached = Model(ua, partners, taxonomy, MatchParams())
    own = ua if side == "ua" else partners
    for row in range(len(own)):
        fast = cached.with_side(side, own.take([row]))
        if side == "ua":
            got, want = fast.score_rows(np.array([0])), cached.score_rows(np.array([row]))
        else:
            got, want = fast.score_rows(np.arange(3), np.array([0])), cached.score_rows(np.arange(3), np.array([row]))
        np.testing.assert_allclose(got.total, want.total, rtol=1e-6)
        np.testing.assert_allclose(got.components, want.components, rtol=1e-6, atol=1e-7)
    assert cached.has_platforms
