"""Capability adjacency and implied needs in the scoring core."""

import numpy as np
import pytest

from matching.scoring import MatchParams, Model, SideFeatures, Taxonomy, explain
from matching.scoring.adjacency import Adjacency, credit_matrix, default_adjacency
from matching.scoring.model import CI


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.from_csv()


def firm(id, name, offers=(), seeks=(), types=("supply",)):
    return {
        "id": id,
        "name": name,
        "description": name,
        "offers": [{"capability": c} for c in offers],
        "seeks": [{"capability": c} for c in seeks],
        "partnership_types": list(types),
    }


def model_for(taxonomy, ua, partners, **params):
    return Model(
        SideFeatures.from_records(ua, taxonomy),
        SideFeatures.from_records(partners, taxonomy),
        taxonomy,
        MatchParams(**params),
    )


def weight(a, b):
    return next(w for x, y, w, _ in default_adjacency().edges if {x, y} == {a, b})


def test_adjacency_file_names_only_taxonomy_codes_and_gives_each_edge_a_rationale(taxonomy):
    adj = default_adjacency()
    assert 40 <= len(adj.edges) <= 120
    codes = set(taxonomy.codes)
    for a, b, w, why in adj.edges:
        assert a in codes and b in codes and a != b
        assert 0 < w < 1 and why.strip()


def test_adjacency_matrix_is_symmetric_bounded_and_credits_sit_between_domain_and_exact(taxonomy):
    m = default_adjacency().matrix(taxonomy)
    assert np.array_equal(m, m.T)
    assert m.min() >= 0 and m.max() < 1 and np.all(np.diag(m) == 0)
    credit = credit_matrix(taxonomy, 0.3, default_adjacency())
    assert np.array_equal(credit, credit.T) and np.all(np.diag(credit) == 1)
    same = taxonomy.domains[:, None] == taxonomy.domains[None, :]
    assert np.all(credit[same] >= 0.3)
    assert np.all((credit < 1) | np.eye(taxonomy.n, dtype=bool))


def test_an_unknown_code_in_the_adjacency_file_is_refused(tmp_path, taxonomy):
    path = tmp_path / "adj.csv"
    path.write_text("code_a,code_b,weight,rationale\nuav.fpv,uav.nonexistent,0.5,typo\n")
    with pytest.raises(ValueError, match="outside the taxonomy"):
        Adjacency.from_csv(path).matrix(taxonomy)


def test_an_adjacent_offer_meets_a_need_with_the_curated_weight(taxonomy):
    # A barrel maker meets a need for 155 mm shells (different domains: no domain credit at all).
    ua = [firm(1, "Shellmaker", seeks=["munitions.artillery_155"])]
    pa = [firm(2, "Barrelworks", offers=["artillery.barrels"]), firm(3, "Radarco", offers=["sensors.radar"])]
    w = weight("artillery.barrels", "munitions.artillery_155")
    with_adj = model_for(taxonomy, ua, pa, implied_need_weight=0).score_rows(np.arange(1))
    without = model_for(taxonomy, ua, pa, adjacency=False, implied_need_weight=0).score_rows(np.arange(1))
    # One direction only: 0.5 * max(s, 0) + 0 = 0.5 * (0.5 * coverage + 0.5 * best) = 0.5 * w
    assert with_adj.component("complementarity")[0, 0] == pytest.approx(0.5 * w)
    assert with_adj.component("complementarity")[0, 1] == 0
    assert without.component("complementarity")[0, 0] == 0


def test_adjacency_lifts_a_same_domain_credit_to_the_edge_weight(taxonomy):
    ua = [firm(1, "Mortarco", seeks=["munitions.artillery_155"])]
    pa = [firm(2, "Mortar", offers=["munitions.mortar"])]
    w = weight("munitions.mortar", "munitions.artillery_155")
    assert w > 0.3
    adj = model_for(taxonomy, ua, pa, implied_need_weight=0).score_rows(np.arange(1))
    plain = model_for(taxonomy, ua, pa, adjacency=False, implied_need_weight=0).score_rows(np.arange(1))
    assert adj.component("complementarity")[0, 0] == pytest.approx(0.5 * w)
    assert plain.component("complementarity")[0, 0] == pytest.approx(0.5 * 0.3)


def test_best_need_met_is_the_highest_credit_among_many_needs(taxonomy):
    # Needs met at several levels (exact, adjacent, domain): best is exact, coverage the mean.
    ua = [firm(1, "Buyer", seeks=["munitions.artillery_155", "munitions.tank_125", "sensors.radar"])]
    pa = [firm(2, "Seller", offers=["munitions.artillery_soviet", "munitions.artillery_155"])]
    c = model_for(taxonomy, ua, pa, implied_need_weight=0).score_rows(np.arange(1)).component("complementarity")
    w125 = weight("munitions.artillery_soviet", "munitions.tank_125")
    coverage = (1 + w125 + 0) / 3
    assert c[0, 0] == pytest.approx(0.5 * (0.5 * coverage + 0.5 * 1.0))


def test_implied_needs_only_for_firms_open_to_licensing_or_co_production(taxonomy):
    # Two producers of the same thing, neither with needs: only an open firm's inferred need scores.
    ua = [
        firm(1, "Open", offers=["munitions.artillery_155"], types=("licensed_production",)),
        firm(2, "Closed", offers=["munitions.artillery_155"], types=("supply",)),
    ]
    pa = [firm(3, "Producer", offers=["munitions.artillery_155"], types=("supply",))]
    model = model_for(taxonomy, ua, pa, implied_need_weight=0.5)
    c = model.score_rows(np.arange(2)).component("complementarity")
    assert c[0, 0] == pytest.approx(0.5 * 0.5 * 1.0)  # one direction, weight 0.5, exact: 0.5 * 0.5
    assert c[1, 0] == 0
    off = model_for(taxonomy, ua, pa, implied_need_weight=0).score_rows(np.arange(2)).component("complementarity")
    assert off[0, 0] == 0


def test_implied_needs_spread_through_adjacency_and_never_beat_an_explicit_need(taxonomy):
    ua = [
        firm(1, "Licensee", offers=["munitions.shell_bodies"], types=("licensed_production",)),
        firm(2, "Buyer", seeks=["munitions.shell_bodies"]),
    ]
    pa = [firm(3, "Shells", offers=["munitions.artillery_155"])]
    c = model_for(taxonomy, ua, pa, implied_need_weight=0.5).score_rows(np.arange(2)).component("complementarity")
    w = weight("munitions.shell_bodies", "munitions.artillery_155")
    assert c[0, 0] == pytest.approx(0.5 * 0.5 * w)
    assert c[1, 0] == pytest.approx(0.5 * w) and c[1, 0] > c[0, 0]


def test_reasons_mark_inferred_needs_in_both_languages(taxonomy):
    ua = [firm(1, "Armor", offers=["munitions.shell_bodies"], types=("licensed_production",))]
    pa = [firm(2, "Shells", offers=["munitions.artillery_155"])]
    model = model_for(taxonomy, ua, pa, implied_need_weight=0.5)
    block = model.score_rows(np.arange(1))
    reasons = explain(model, 0, 0, block.components[:, 0, 0])
    en = [r for r in reasons["en"] if "inferred need" in r]
    uk = [r for r in reasons["uk"] if "виведена потреба" in r]
    assert en and uk
    assert "licensed production" in en[0] and "adjacent 155 mm artillery ammunition" in en[0]
    assert "ліцензійне виробництво" in uk[0]


def test_reasons_name_an_adjacent_offer_with_its_rationale(taxonomy):
    ua = [firm(1, "Shellmaker", seeks=["munitions.artillery_155"])]
    pa = [firm(2, "Barrelworks", offers=["artillery.barrels"])]
    model = model_for(taxonomy, ua, pa)
    reasons = explain(model, 0, 0, model.score_rows(np.arange(1)).components[:, 0, 0])
    assert any("adjacent Gun barrel manufacturing" in r and "under licence" in r for r in reasons["en"])
    assert any("суміжне" in r for r in reasons["uk"])
    assert CI["complementarity"] == 0


def test_scores_with_adjacency_and_implied_needs_do_not_depend_on_chunking(taxonomy):
    from matching.scoring.synthetic import generate_population

    ua, pa, _ = generate_population(60, 300, 3, taxonomy)
    model = Model(ua, pa, taxonomy, MatchParams())
    whole = model.score_rows(np.arange(60)).total.copy()
    parts = np.vstack([model.score_rows(np.arange(s, min(s + 7, 60))).total for s in range(0, 60, 7)])
    assert np.array_equal(whole, parts)
    cols = np.array([5, 17, 250])
    sub = model.score_rows(np.arange(60), cols).total
    assert np.array_equal(whole[:, cols], sub)


def test_implied_needs_are_off_by_default(taxonomy):
    # bench/README.md, "Ablation": on the replay of real partnerships they cost top-5 share.
    ua = [firm(1, "Licensee", offers=["munitions.shell_bodies"], types=("licensed_production",))]
    pa = [firm(3, "Shells", offers=["munitions.artillery_155"])]
    assert model_for(taxonomy, ua, pa).score_rows(np.arange(1)).component("complementarity")[0, 0] == 0
