"""The platform component: makers against firms that repair, supply, need or could license a platform."""

import numpy as np
import pytest

from matching.scoring import MatchParams, Model, SideFeatures, Taxonomy, explain
from matching.scoring.platforms import PlatformCatalogue


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.from_csv()


@pytest.fixture(scope="module")
def catalogue():
    return PlatformCatalogue.from_csv()


def firm(id, name, country="DE", offers=("industry.machining",), platforms=(), types=("supply",), seeks=()):
    return {
        "id": id,
        "name": name,
        "country": country,
        "description": name,
        "offers": [{"capability": c} for c in offers],
        "seeks": [{"capability": c} for c in seeks],
        "partnership_types": list(types),
        "platforms": [{"platform": p, "role": r} for p, r in platforms],
    }


def block_for(taxonomy, catalogue, ua, pa, **params):
    model = Model(
        SideFeatures.from_records(ua, taxonomy, catalogue),
        SideFeatures.from_records(pa, taxonomy, catalogue),
        taxonomy,
        MatchParams(**params),
    )
    return model, model.score_rows(np.arange(len(ua)))


REPAIRER = firm(1, "Remont", "UA", platforms=[("spg.pzh2000", "repairs"), ("spg.m109", "repairs")])


def test_a_maker_against_a_repairer_of_the_same_platform_scores_one(taxonomy, catalogue):
    pa = [
        firm(2, "KMW", "DE", platforms=[("spg.pzh2000", "oem")]),
        firm(3, "Caesar", "FR", platforms=[("spg.caesar", "oem")]),  # same kind and calibre: family
        firm(4, "Tanks", "FR", platforms=[("tank.leopard_2a6", "oem")]),  # unrelated
        firm(5, "Nothing", "NL"),  # no platform at all
    ]
    _, block = block_for(taxonomy, catalogue, [REPAIRER], pa)
    p = block.component("platforms")[0]
    assert p[0] == pytest.approx(1.0)
    assert p[1] == pytest.approx(MatchParams().platform_family_credit)  # repairs two of the family: still partial
    assert p[2] == 0
    assert p[3] == 0


def test_same_family_gets_partial_credit(taxonomy, catalogue):
    ua = [firm(1, "Remont", "UA", platforms=[("spg.m109", "repairs")])]
    pa = [firm(2, "Caesar", "FR", platforms=[("spg.caesar", "oem")])]
    _, block = block_for(taxonomy, catalogue, ua, pa, platform_family_credit=0.4)
    assert block.component("platforms")[0, 0] == pytest.approx(0.4)


def test_platform_weight_drops_out_when_neither_firm_declared_a_platform(taxonomy, catalogue):
    ua = [firm(1, "A", "UA", offers=["artillery.barrels"], seeks=["artillery.systems"])]
    pa = [firm(2, "B", "DE", offers=["artillery.systems"]), firm(3, "C", "DE", platforms=[("spg.pzh2000", "oem")])]
    model, block = block_for(taxonomy, catalogue, ua, pa)
    assert not block.platforms_applicable[0, 0] and block.platforms_applicable[0, 1]
    assert block.total[0, 0] > 0
    w = model.params.weights
    num = sum(w[c] * block.component(c)[0, 0] for c in w)
    assert block.total[0, 0] == pytest.approx(num / (sum(w.values()) - w["capacity"] - w["platforms"]), rel=1e-6)
    # Same pair without any platform data at all: the same total.
    plain = Model(
        SideFeatures.from_records(ua, taxonomy), SideFeatures.from_records(pa[:1], taxonomy), taxonomy, MatchParams()
    ).score_rows(np.arange(1))
    assert plain.platforms_applicable is None
    assert plain.total[0, 0] == block.total[0, 0]


def test_national_industry_and_licensing_count_partially(taxonomy, catalogue):
    ua = [
        firm(1, "Remont", "UA", platforms=[("spg.pzh2000", "repairs")]),
        firm(2, "Licensee", "UA", offers=["artillery.barrels"], types=("licensed_production",)),
    ]
    pa = [
        firm(3, "German barrels", "DE", offers=["artillery.barrels"]),  # national industry of the PzH 2000
        firm(4, "KMW", "DE", platforms=[("spg.pzh2000", "oem")]),
    ]
    params = MatchParams()
    _, block = block_for(taxonomy, catalogue, ua, pa)
    p = block.component("platforms")
    assert p[0, 0] == pytest.approx(params.platform_national_credit)
    # barrels -> artillery.systems (the PzH 2000's main capability) at the curated 0.8
    assert p[1, 1] == pytest.approx(params.platform_licence_credit * 0.8)


def test_platform_reasons_in_both_languages(taxonomy, catalogue):
    pa = [firm(2, "KMW", "DE", platforms=[("spg.pzh2000", "oem")])]
    model, block = block_for(taxonomy, catalogue, [REPAIRER], pa)
    r = explain(model, 0, 0, block.components[:, 0, 0])
    assert any(line.startswith("Remont repairs") and "PzH 2000" in line and "KMW makes the PzH 2000" in line
               for line in r["en"])  # fmt: skip
    assert any("ремонтує" in line and "KMW виробляє" in line for line in r["uk"])


def test_licensing_reason_is_marked_inferred(taxonomy, catalogue):
    ua = [firm(1, "Licensee", "UA", offers=["artillery.barrels"], types=("licensed_production",))]
    pa = [firm(2, "KMW", "DE", platforms=[("spg.pzh2000", "oem")])]
    model, block = block_for(taxonomy, catalogue, ua, pa)
    r = explain(model, 0, 0, block.components[:, 0, 0])
    assert any("could produce under licence (inferred)" in line for line in r["en"])
    assert any("(виведено)" in line for line in r["uk"])


def test_platform_scores_are_deterministic_and_chunking_free(taxonomy, catalogue):
    rng = np.random.default_rng(5)
    codes = catalogue.codes
    roles = ("oem", "produces", "repairs", "supplies_parts", "operates_needs_support")

    def random_firm(i, country):
        plats = [
            (codes[j], roles[k]) for j, k in zip(rng.integers(0, len(codes), 2), rng.integers(0, 5, 2), strict=True)
        ]
        return firm(i, f"F{i}", country, platforms=plats if rng.random() < 0.5 else ())

    ua = [random_firm(i, "UA") for i in range(30)]
    pa = [random_firm(100 + i, "DE") for i in range(40)]
    model, block = block_for(taxonomy, catalogue, ua, pa)
    whole = block.total.copy()
    parts = np.vstack([model.score_rows(np.arange(s, min(s + 4, 30))).total for s in range(0, 30, 4)])
    assert np.array_equal(whole, parts)
    assert np.array_equal(whole[:, [3, 9]], model.score_rows(np.arange(30), np.array([3, 9])).total)
    _, again = block_for(taxonomy, catalogue, ua, pa)
    assert np.array_equal(whole, again.total)


def test_params_stored_before_platforms_still_load():
    old = MatchParams().to_dict()
    del old["weights"]["platforms"]
    for key in ("adjacency", "implied_need_weight", "platform_family_credit"):
        del old[key]
    params = MatchParams.from_dict(old)
    assert params.weights["platforms"] == MatchParams().weights["platforms"]
    assert params.adjacency is True


def test_a_platform_named_in_a_description_counts_as_an_inferred_declaration(taxonomy, catalogue):
    ua = [{**firm(1, "Remont", "UA"), "description": "Ми ремонтуємо самохідні гаубиці PzH 2000 поблизу фронту."}]
    pa = [firm(2, "KMW", "DE", platforms=[("spg.pzh2000", "oem")]), firm(3, "Nothing", "NL")]
    model, block = block_for(taxonomy, catalogue, ua, pa)
    p = block.component("platforms")[0]
    assert p[0] == pytest.approx(MatchParams().platform_text_credit)
    assert p[1] == 0
    reasons = explain(model, 0, 0, block.components[:, 0, 0])
    assert any("names in its profile (inferred)" in line and "PzH 2000" in line for line in reasons["en"])
    assert any("згадує у своєму профілі (виведено)" in line for line in reasons["uk"])

    off, block = block_for(taxonomy, catalogue, ua, pa, platform_text_credit=0.0)
    assert block.component("platforms")[0, 0] == 0


def test_a_named_platform_from_its_origin_country_makes_the_firm_its_industry(taxonomy, catalogue):
    ua = [firm(1, "Remont", "UA", platforms=[("spg.pzh2000", "repairs")])]
    pa = [{**firm(2, "Zulieferer", "DE"), "description": "Supplier of gun mounts for the PzH 2000 howitzer."}]
    _, block = block_for(taxonomy, catalogue, ua, pa)
    assert block.component("platforms")[0, 0] == pytest.approx(MatchParams().platform_text_credit)


@pytest.mark.parametrize(
    "platform, name_uk",
    [
        ("missile.agm_88_harm", "протирадіолокаційна ракета AGM-88 HARM"),
        ("munition.105mm", "105-мм гаубичні постріли"),  # plural: no "її" may refer to it
    ],
)
def test_national_industry_reason_reads_grammatically_for_any_platform_name(taxonomy, catalogue, platform, name_uk):
    ua = [firm(1, "Remont", "UA", platforms=[(platform, "operates_needs_support")])]
    pa = [firm(2, "Energetics", "US", offers=["munitions.energetics"])]
    model, block = block_for(taxonomy, catalogue, ua, pa)
    assert block.component("platforms")[0, 0] > 0
    r = explain(model, 0, 0, block.components[:, 0, 0])
    assert any("is from the" in line and "country of origin (US) and offers its components" in line for line in r["en"])
    line = next(line for line in r["uk"] if "складові" in line)
    assert (
        f"Energetics пропонує складові для платформи: {name_uk}; "
        "країна походження платформи й компанії: США (виведено)" in line
    ), line
    assert "її" not in line and "(US)" not in line


def test_named_platform_reason_names_the_origin_country_in_ukrainian(taxonomy, catalogue):
    ua = [firm(1, "Remont", "UA", platforms=[("spg.pzh2000", "repairs")])]
    pa = [{**firm(2, "Zulieferer", "DE"), "description": "Supplier of gun mounts for the PzH 2000 howitzer."}]
    model, block = block_for(taxonomy, catalogue, ua, pa)
    r = explain(model, 0, 0, block.components[:, 0, 0])
    assert any("names the PzH 2000 in its profile and is from its country of origin (DE)" in line for line in r["en"])
    assert any(
        "Zulieferer згадує у своєму профілі: САУ PzH 2000; "
        "країна походження платформи й компанії: Німеччина (виведено)" in line
        for line in r["uk"]
    ), r["uk"]


def test_maker_reason_puts_the_platform_after_a_colon(taxonomy, catalogue):
    pa = [firm(2, "KMW", "DE", platforms=[("spg.pzh2000", "oem")])]
    model, block = block_for(taxonomy, catalogue, [REPAIRER], pa)
    r = explain(model, 0, 0, block.components[:, 0, 0])
    assert any("KMW виробляє: САУ PzH 2000" in line for line in r["uk"]), r["uk"]


def test_every_platform_origin_has_a_ukrainian_name(catalogue):
    from matching.scoring.explain import ORIGIN_UK

    assert set(catalogue.origins) - {""} <= set(ORIGIN_UK)
