"""The Django-free scoring core on small hand-made firms whose right answer is obvious."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matching.scoring import (
    COMPONENTS,
    PARTNERSHIP_TYPES,
    Candidates,
    MatchParams,
    Model,
    SideFeatures,
    Taxonomy,
    explain,
    select_proposals,
)
from matching.scoring.model import CI

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.from_csv()


def firm(id, name="Firm", offers=(), seeks=(), types=("co_production",), certs=(), clearance="NONE", text=""):
    """A firm record in the exchange shape; offers/seeks are codes or (code, monthly capacity)."""

    def items(xs):
        return [{"capability": x} if isinstance(x, str) else {"capability": x[0], "monthly_capacity": x[1]} for x in xs]

    return {
        "id": id,
        "name": name,
        "description": text or name,
        "offers": items(offers),
        "seeks": items(seeks),
        "partnership_types": list(types),
        "certifications": list(certs),
        "security_clearance": clearance,
    }


def model_for(taxonomy, ua_records, partner_records, **params):
    ua = SideFeatures.from_records(ua_records, taxonomy)
    pa = SideFeatures.from_records(partner_records, taxonomy)
    return Model(ua, pa, taxonomy, MatchParams(**params))


def scores(taxonomy, ua, partners, component=None, **params):
    """(n_ua, n_partners) totals, or one component, for hand-made firms."""
    model = model_for(taxonomy, ua, partners, **params)
    block = model.score_rows(np.arange(len(ua)))
    return block.total if component is None else block.component(component)


SKYFORGE = firm(1, "SkyForge Robotics LLC", offers=["uav.fixed_wing_isr"], seeks=["sensors.optics_thermal"])


# --- the package ----------------------------------------------------------------------------


def test_importing_the_scoring_core_does_not_import_django():
    code = (
        "import sys, matching.scoring, matching.scoring.synthetic, bench.match_memory; "
        "sys.exit('django' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or "django was imported"


def test_taxonomy_reads_quoted_csv_fields_and_orders_columns_by_code(taxonomy):
    i = taxonomy.index()["uav.components"]
    assert taxonomy.names_en[i] == "UAS components (airframes, motors, flight controllers)"
    assert taxonomy.names_uk[i].startswith("Компоненти БпЛА")
    assert taxonomy.codes == sorted(taxonomy.codes)
    assert taxonomy.domain_names[taxonomy.domains[i]] == "uav"
    assert taxonomy.ml_categories[taxonomy.index()["medical.tactical"]] == ""


def test_side_features_from_records_ignore_unknown_codes_and_keep_capacity(taxonomy):
    records = [firm(7, offers=[("uav.fpv", 300), "no.such.code"], seeks=["uav.fpv"], certs=["AQAP-2110", "BOGUS"])]
    side = SideFeatures.from_records(records, taxonomy)
    col = taxonomy.index()["uav.fpv"]
    assert side.firm_ids.tolist() == [7]
    assert side.offers.nnz == 1 and side.offers[0, col] == 1.0
    assert side.offer_capacity[0, col] == 300 and side.seek_capacity.nnz == 0
    assert side.certifications[0].tolist() == [True] + [False] * 7
    assert side.partnership_types[0, PARTNERSHIP_TYPES.index("co_production")]


def test_params_round_trip_and_name_the_broken_rule():
    params = MatchParams(top_k=3, weights={**MatchParams().weights, "text": 0.5})
    assert MatchParams.from_dict(params.to_dict()) == params
    assert set(params.to_dict()["weights"]) == set(COMPONENTS)
    with pytest.raises(ValueError, match="weights"):
        MatchParams(weights={"complementarity": 1.0})
    with pytest.raises(ValueError, match="domain_credit"):
        MatchParams(domain_credit=2)
    with pytest.raises(ValueError, match="unknown matching parameters"):
        MatchParams.from_dict({"topk": 3})


# --- components -----------------------------------------------------------------------------


def test_exact_capability_beats_same_domain_beats_nothing(taxonomy):
    partners = [
        firm(11, "Exact", offers=["sensors.optics_thermal"]),
        firm(12, "Same domain", offers=["sensors.radar"]),
        firm(13, "Unrelated", offers=["medical.tactical"]),
    ]
    c = scores(taxonomy, [SKYFORGE], partners, "complementarity")[0]
    assert c[0] > c[1] > c[2] == 0


def test_two_way_fit_beats_one_way_and_a_strong_one_way_supply_still_counts(taxonomy):
    partners = [
        firm(11, "Two-way", offers=["sensors.optics_thermal"], seeks=["uav.fixed_wing_isr"]),
        firm(12, "One-way", offers=["sensors.optics_thermal"], seeks=["medical.tactical"]),
        firm(13, "Nothing", offers=["medical.tactical"]),
    ]
    c = scores(taxonomy, [SKYFORGE], partners, "complementarity")[0]
    assert c[0] == pytest.approx(1.0)
    assert 0.3 < c[1] < c[0]
    assert c[2] == 0


def test_meeting_one_need_exactly_beats_meeting_half_of_them_by_domain_only(taxonomy):
    ua = [firm(1, "Shells", offers=["munitions.shell_bodies"], seeks=["munitions.artillery_155", "munitions.fuzes"])]
    partners = [firm(11, "Fuzes only", offers=["munitions.fuzes"]), firm(12, "Mortars", offers=["munitions.mortar"])]
    c = scores(taxonomy, ua, partners, "complementarity")[0]
    assert c[0] > c[1] > 0


def test_coproduction_counts_what_one_firm_can_make_of_the_others_offers_only_where_types_ask_for_it(taxonomy):
    partners = [
        firm(11, "Same drones, co-production", offers=["uav.fixed_wing_isr"], types=["co_production"]),
        firm(12, "Same drones, supply only", offers=["uav.fixed_wing_isr"], types=["supply"]),
        firm(13, "FPV maker, co-production", offers=["uav.fpv"], types=["co_production"]),
        firm(14, "Radar maker, co-production", offers=["sensors.radar"], types=["co_production"]),
    ]
    c = scores(taxonomy, [SKYFORGE], partners, "coproduction")[0]
    assert c[0] == pytest.approx(1.0)
    assert c[1] == pytest.approx(0.5)  # only one side asks for it
    assert c[2] == pytest.approx(0.3)  # same domain, no curated edge: domain_credit
    assert c[3] == 0


def test_coproduction_does_not_mark_a_broad_prime_down_for_its_breadth(taxonomy):
    """A holding that makes the partner's product and five other things covers the partner's offer
    as fully as a one-product firm does (the cosine of offer-domain sets halved it)."""
    ua = [
        firm(1, "One product", offers=["vehicles.armoured"], types=["co_production"]),
        firm(
            2,
            "Prime",
            offers=["vehicles.armoured", "repair.tanks", "munitions.missiles", "sensors.radar", "engines.aero"],
            types=["co_production"],
        ),
        firm(3, "Adjacent only", offers=["protection.vehicle_armour"], types=["co_production"]),
    ]
    partners = [firm(11, "Armoured-vehicle OEM", offers=["vehicles.armoured"], types=["licensed_production"])]
    c = scores(taxonomy, ua, partners, "coproduction")[:, 0]
    assert c[0] == pytest.approx(1.0)
    assert c[1] == pytest.approx(1.0)
    assert 0 < c[2] < 1


def test_partnership_types_same_beats_compatible_beats_unrelated(taxonomy):
    ua = [firm(1, "UA", types=["co_production"])]
    partners = [
        firm(11, "Same", types=["co_production"]),
        firm(12, "Compatible", types=["supply"]),
        firm(13, "Unrelated", types=["investment"]),
    ]
    c = scores(taxonomy, ua, partners, "partnership")[0]
    assert c[0] == pytest.approx(1.0)
    assert c[0] > c[1] > c[2] == 0


def test_aqap_on_both_sides_beats_one_beats_none(taxonomy):
    ua = [firm(1, "UA", certs=["AQAP-2110"])]
    partners = [
        firm(11, "Both", certs=["AQAP-2110"]),
        firm(12, "One", certs=[]),
        firm(13, "Other", certs=["ISO-14001"]),
    ]
    a = scores(taxonomy, ua, partners, "assurance")[0]
    none = scores(taxonomy, [firm(1, "UA")], [firm(11, "P")], "assurance")[0, 0]
    assert a[0] > a[1] > none


def test_clearance_levels_close_together_fit_better(taxonomy):
    ua = [firm(1, "UA", clearance="NATO_SECRET")]
    partners = [firm(11, "Secret", clearance="NATO_SECRET"), firm(12, "None", clearance="NONE")]
    a = scores(taxonomy, ua, partners, "assurance")[0]
    assert a[0] > a[1]


def test_capacity_fit_is_offer_over_need_capped_at_one(taxonomy):
    ua = [
        firm(1, "Needs 50", seeks=[("sensors.optics_thermal", 50)]),
        firm(2, "Needs 100", seeks=[("sensors.optics_thermal", 100)]),
    ]
    partners = [
        firm(11, "Makes 100", offers=[("sensors.optics_thermal", 100)]),
        firm(12, "Makes 25", offers=[("sensors.optics_thermal", 25)]),
    ]
    model = model_for(taxonomy, ua, partners)
    block = model.score_rows(np.arange(2))
    cap = block.component("capacity")
    assert cap[0, 0] == pytest.approx(1.0)
    assert cap[1, 1] == pytest.approx(0.25)
    assert block.capacity_applicable.all()


def test_capacity_weight_drops_out_where_no_quantities_were_given(taxonomy):
    partners = [firm(11, "Quiet", offers=["sensors.optics_thermal"], seeks=["uav.fixed_wing_isr"])]
    model = model_for(taxonomy, [SKYFORGE], partners)
    block = model.score_rows(np.arange(1))
    assert not block.capacity_applicable[0, 0]
    w = model.params.weights
    # No platform declared either: its weight drops out too.
    expected = sum(w[c] * block.component(c)[0, 0] for c in COMPONENTS) / (
        sum(w.values()) - w["capacity"] - w["platforms"]
    )
    assert block.total[0, 0] == pytest.approx(expected, rel=1e-6)


def test_capacity_by_size_where_no_quantities_were_given(taxonomy):
    """A Ukrainian firm at least the partner's size carries its volumes (1); tenfold smaller, half."""
    ua = [
        {**SKYFORGE, "id": 1, "name": "Big Plant", "employees": 20000},
        {**SKYFORGE, "id": 2, "name": "Small Plant", "employees": 1999},
        {**SKYFORGE, "id": 3, "name": "Tiny Shop", "employees": 19},
        {**SKYFORGE, "id": 4, "name": "Unknown Size"},
    ]
    partners = [firm(11, "OEM", offers=["sensors.optics_thermal"], seeks=["uav.fixed_wing_isr"]) | {"employees": 19999}]
    block = model_for(taxonomy, ua, partners).score_rows(np.arange(4))
    cap = block.component("capacity")[:, 0]
    assert cap[0] == pytest.approx(1.0)
    assert cap[1] == pytest.approx(0.5, abs=1e-3)  # ten times smaller
    assert cap[2] == pytest.approx(0.0, abs=1e-3)  # a thousand times smaller: nothing
    assert block.capacity_applicable[:, 0].tolist() == [True, True, True, False]
    # Same substance, so the bigger plant ranks first, the unknown size is scored without capacity.
    total = block.total[:, 0]
    assert total[0] > total[1] > total[2]
    off = model_for(taxonomy, ua, partners, size_fit_per_decade=0).score_rows(np.arange(4))
    assert not off.capacity_applicable.any()
    assert off.total[3, 0] == pytest.approx(total[3], rel=1e-6)


def test_quantities_given_by_both_sides_come_before_size(taxonomy):
    ua = [{**SKYFORGE, "seeks": [{"capability": "sensors.optics_thermal", "monthly_capacity": 100}], "employees": 10}]
    partners = [firm(11, "Makes 100", offers=[("sensors.optics_thermal", 100)]) | {"employees": 100000}]
    block = model_for(taxonomy, ua, partners).score_rows(np.arange(1))
    assert block.component("capacity")[0, 0] == pytest.approx(1.0)  # the partner covers the need


def test_explain_says_when_a_firm_is_much_smaller_than_its_partner_in_both_languages(taxonomy):
    ua = [{**SKYFORGE, "employees": 150}]
    partners = [firm(11, "Optronik Systems GmbH", offers=["sensors.optics_thermal"]) | {"employees": 30000}]
    model = model_for(taxonomy, ua, partners)
    block = model.score_rows(np.arange(1))
    reasons = explain(model, 0, 0, block.components[:, 0, 0])
    assert any("(150 staff) is about 200x smaller than Optronik Systems (30,000 staff)" in r for r in reasons["en"])
    assert any(
        "(150 працівників) приблизно у 200 разів менша за Optronik Systems (30\u00a0000 працівників)" in r
        for r in reasons["uk"]
    )
    assert len(reasons["en"]) == len(reasons["uk"])
    big = model_for(taxonomy, [{**SKYFORGE, "employees": 40000}], partners)
    reasons = explain(big, 0, 0, big.score_rows(np.arange(1)).components[:, 0, 0])
    assert any(
        "(40,000 staff) is large enough for Optronik Systems' volumes (30,000 staff)" in r for r in reasons["en"]
    )


def test_text_similarity_catches_a_need_written_only_in_words(taxonomy):
    ua = [
        firm(
            1,
            "Rotor Works",
            offers=["uav.multirotor_isr"],
            text="Quadcopter maker; we need uncooled microbolometer cores 640x512 for night flights",
        )
    ]
    partners = [
        firm(
            11,
            "Bolometrix",
            offers=["industry.electronics_mfg"],
            text="We build uncooled microbolometer cores, 640x512 and 384x288",
        ),
        firm(
            12,
            "Metalwerk",
            offers=["industry.electronics_mfg"],
            text="Precision machining of aluminium housings and brackets",
        ),
    ]
    model = model_for(taxonomy, ua, partners)
    block = model.score_rows(np.arange(1))
    assert block.component("complementarity")[0].tolist() == [0, 0]  # no tag says it
    assert block.component("text")[0, 0] > 0.2 > block.component("text")[0, 1]
    assert block.total[0, 0] > block.total[0, 1]


def test_matching_paperwork_alone_scores_nothing(taxonomy):
    ua = [firm(1, "UA", offers=["uav.fpv"], certs=["AQAP-2110"], text="alpha")]
    partners = [firm(11, "P", offers=["medical.tactical"], certs=["AQAP-2110"], text="omega")]
    assert scores(taxonomy, ua, partners)[0, 0] == 0


# --- whole-population behaviour -------------------------------------------------------------


@pytest.fixture(scope="module")
def population(taxonomy):
    from matching.scoring.synthetic import generate_population

    ua, partners, truth = generate_population(60, 300, 5, taxonomy)
    return ua, partners, truth


def all_candidates(model, chunk):
    n = len(model.ua)
    parts = [model.candidates(np.arange(s, min(s + chunk, n))) for s in range(0, n, chunk)]
    return Candidates.concat(parts, model.params.rank_depth)


def test_scoring_is_deterministic_and_independent_of_chunking(taxonomy, population):
    ua, partners, _ = population
    a = Model(ua, partners, taxonomy, MatchParams()).score_rows(np.arange(len(ua)))
    b = Model(ua, partners, taxonomy, MatchParams())
    pieces = np.vstack([b.score_rows(np.arange(s, min(s + 7, len(ua)))).total for s in range(0, len(ua), 7)])
    assert a.total.tobytes() == pieces.tobytes()
    single = np.vstack([b.score_rows(np.array([i])).total for i in (0, 13, 59)])
    assert single.tobytes() == a.total[[0, 13, 59]].tobytes()
    assert (a.total >= 0).all() and (a.total <= 1).all()
    assert (a.components >= 0).all() and (a.components <= 1 + 1e-6).all()


def brute_force_selection(total, params):
    """Reference: the top-k union by Python sorts, full-list ranks by counting, then the best
    allocation by an integer program (scipy's MILP), with the same values."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    from matching.scoring.select import TIE_EPSILON, pair_values

    n_ua, n_p = total.shape
    pairs = [(float(total[u, p]), u, p) for u in range(n_ua) for p in range(n_p) if total[u, p] >= params.min_score]
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    rank_u, rank_p, seen_u, seen_p = {}, {}, {}, {}
    for _s, u, p in pairs:
        seen_u[u] = seen_u.get(u, 0) + 1
        seen_p[p] = seen_p.get(p, 0) + 1
        rank_u[u, p], rank_p[u, p] = seen_u[u], seen_p[p]
    kept = [(s, u, p) for s, u, p in pairs if rank_u[u, p] <= params.top_k or rank_p[u, p] <= params.top_k]
    s, u, p = (np.array(x) for x in zip(*kept, strict=True))
    full_u = 1 + (total[u] > total[u, p][:, None]).sum(axis=1)
    higher_p = (total[:, p] > total[u, p][None, :]).sum(axis=0)
    full_p = np.where(higher_p < params.rank_depth, higher_p + 1, 0)
    values = pair_values(s, full_u, full_p, params.reciprocity_weight)
    values += TIE_EPSILON * (len(kept) - np.arange(len(kept))) / len(kept)
    a = np.zeros((n_ua + n_p, len(kept)))
    a[u, np.arange(len(kept))] = 1
    a[n_ua + p, np.arange(len(kept))] = 1
    cap = np.full(n_ua + n_p, params.max_open_per_firm)
    res = milp(-values, constraints=LinearConstraint(a, 0, cap), integrality=np.ones(len(kept)), bounds=Bounds(0, 1))
    chosen = res.x > 0.5
    return list(zip(u[chosen].tolist(), p[chosen].tolist(), strict=True)), full_u[chosen], full_p[chosen]


@pytest.mark.parametrize("chunk", [1, 16, 60])
def test_selection_matches_a_brute_force_top_k_and_integer_program(taxonomy, population, chunk):
    ua, partners, _ = population
    params = MatchParams(top_k=3, max_open_per_firm=4, min_score=0.1)
    model = Model(ua, partners, taxonomy, params)
    total = model.score_rows(np.arange(len(ua))).total
    candidates = Candidates.concat(
        [model.candidates(np.arange(s, min(s + chunk, len(ua)))) for s in range(0, len(ua), chunk)], params.rank_depth
    )
    sel = select_proposals(candidates, len(ua), len(partners), params, ua.firm_ids, partners.firm_ids)
    expected, rank_u, rank_p = brute_force_selection(total, params)
    assert list(zip(sel.ua_rows.tolist(), sel.partner_rows.tolist(), strict=True)) == expected
    assert np.array_equal(sel.rank_for_ukrainian, rank_u) and np.array_equal(sel.rank_for_partner, rank_p)
    assert np.array_equal(sel.scores, total[sel.ua_rows, sel.partner_rows])


def test_ties_break_by_firm_ids_and_the_cap_holds_on_both_sides(taxonomy):
    # Five identical partners tie on every component: ids decide, and the cap keeps two.
    partners = [
        firm(20 - i, f"Twin {i}", offers=["sensors.optics_thermal"], seeks=["uav.fixed_wing_isr"], text="same")
        for i in range(5)
    ]
    params = MatchParams(top_k=5, max_open_per_firm=2)
    model = model_for(taxonomy, [{**SKYFORGE, "description": "same"}], partners, top_k=5, max_open_per_firm=2)
    sel = select_proposals(model.candidates(np.arange(1)), 1, 5, params, model.ua.firm_ids, model.partners.firm_ids)
    assert model.partners.firm_ids[sel.partner_rows].tolist() == [16, 17]
    # Full-list ranks: the twins tie, so each is SkyForge's joint first; SkyForge is each twin's first.
    assert sel.rank_for_ukrainian.tolist() == [1, 1] and sel.rank_for_partner.tolist() == [1, 1]


def test_cap_per_firm_is_respected_on_a_population(taxonomy, population):
    ua, partners, _ = population
    params = MatchParams(top_k=5, max_open_per_firm=3, min_score=0.05)
    model = Model(ua, partners, taxonomy, params)
    total = model.score_rows(np.arange(len(ua))).total
    sel = select_proposals(all_candidates(model, 25), len(ua), len(partners), params)
    assert len(sel) > 0
    assert np.bincount(sel.ua_rows).max() <= 3 and np.bincount(sel.partner_rows).max() <= 3
    assert len(set(zip(sel.ua_rows.tolist(), sel.partner_rows.tolist(), strict=True))) == len(sel)
    # Ranks are each firm's rank of the pair among all its scored counterparts.
    higher_u = (total[sel.ua_rows] > sel.scores[:, None]).sum(axis=1)
    assert np.array_equal(sel.rank_for_ukrainian, higher_u + 1)
    higher_p = (total[:, sel.partner_rows] > sel.scores[None, :]).sum(axis=0)
    assert np.array_equal(sel.rank_for_partner, np.where(higher_p < params.rank_depth, higher_p + 1, 0))


def test_excluded_pairs_are_never_proposed_and_the_next_best_moves_up(taxonomy, population):
    ua, partners, _ = population
    model = Model(ua, partners, taxonomy, MatchParams())
    before = model.candidates(np.arange(10))
    best = int(np.argmax(np.where(before.ua_rows == 0, before.scores, -1)))
    pair = np.array([[0, before.partner_rows[best]]])
    after = model.candidates(np.arange(10), exclude=pair)
    assert not ((after.ua_rows == 0) & (after.partner_rows == pair[0, 1])).any()
    assert (after.ua_rows == 0).sum() >= min(model.params.top_k, (before.ua_rows == 0).sum() - 1)


def test_rematch_scores_one_firm_like_the_full_run(taxonomy, population):
    ua, partners, _ = population
    model = Model(ua, partners, taxonomy, MatchParams(min_score=0.0))
    total = model.score_rows(np.arange(len(ua))).total
    r = model.rematch("ua", 4)
    assert set(r.ua_rows.tolist()) == {4}
    assert np.array_equal(r.scores, total[4, r.partner_rows])
    assert sorted(r.scores.tolist(), reverse=True)[:5] == sorted(total[4].tolist(), reverse=True)[:5]
    # The rescored firm's rank is its full-list rank; the counterpart's is unknown (0).
    assert np.array_equal(r.ua_rank, 1 + (total[4][None, :] > r.scores[:, None]).sum(axis=1))
    assert not r.partner_rank.any()
    p = model.rematch("partner", 7)
    assert set(p.partner_rows.tolist()) == {7}
    assert np.array_equal(p.scores, total[p.ua_rows, 7])
    assert np.array_equal(p.partner_rank, 1 + (total[:, 7][None, :] > p.scores[:, None]).sum(axis=1))
    assert not p.ua_rank.any()
    # A firm also enters lists where it beats the other firm's current k-th best.
    kth = np.full(len(ua), 2.0, dtype=np.float32)
    kth[11] = 0.0
    with_kth = model.rematch("partner", 7, other_kth=kth)
    assert 11 in with_kth.ua_rows.tolist()
    with pytest.raises(ValueError, match="side"):
        model.rematch("both", 0)


def test_explain_names_the_capabilities_in_english_and_ukrainian(taxonomy):
    optronik = firm(
        11,
        "Optronik Systems GmbH",
        offers=[("sensors.optics_thermal", 200)],
        seeks=["uav.fixed_wing_isr"],
        certs=["AQAP-2110"],
    )
    ua = [
        {
            **SKYFORGE,
            "seeks": [{"capability": "sensors.optics_thermal", "monthly_capacity": 80}],
            "certifications": ["AQAP-2110"],
        }
    ]
    model = model_for(taxonomy, ua, [optronik])
    block = model.score_rows(np.arange(1))
    reasons = explain(model, 0, 0, block.components[:, 0, 0])
    en, uk = reasons["en"], reasons["uk"]
    assert (
        "SkyForge Robotics seeks Thermal and night-vision optics; Optronik Systems offers Thermal and night-vision optics"
        in en
    )
    assert (
        "Optronik Systems seeks Fixed-wing reconnaissance UAS; SkyForge Robotics offers Fixed-wing reconnaissance UAS"
        in en
    )
    assert any("Optronik Systems' 200/month covers SkyForge Robotics' need of 80/month" in r for r in en)
    assert "Both hold AQAP-2110" in en and "Обидві мають AQAP-2110" in uk
    assert any(
        "SkyForge Robotics шукає: Тепловізійна та нічна оптика" in r and "Optronik Systems пропонує" in r for r in uk
    )
    assert len(en) == len(uk)


def test_explain_mentions_same_domain_and_co_production(taxonomy):
    partners = [firm(11, "Radar Co", offers=["sensors.radar", "uav.components"], types=["co_production"])]
    model = model_for(taxonomy, [SKYFORGE], partners)
    block = model.score_rows(np.arange(1))
    reasons = explain(model, 0, 0, block.components[:, 0, 0])
    assert any("offers related sensors capabilities (Radars)" in r for r in reasons["en"])
    assert any("Both offer in the UAV domain and seek co-production" in r for r in reasons["en"])
    assert any("суміжне в галузі «сенсори»" in r for r in reasons["uk"])
    assert block.component("coproduction")[0, 0] > 0 and CI["coproduction"] == 1


def test_a_model_can_reuse_an_earlier_text_fit_for_a_quick_rematch(taxonomy, population):
    import dataclasses

    ua, partners, _ = population
    old = Model(ua, partners, taxonomy, MatchParams())
    texts = list(ua.texts)
    texts[3] = "uncooled microbolometer cores"
    # Firm 3 edited its text; the last firm left; a new firm (id 999) joined.
    edited = SideFeatures.from_records(
        [{"id": int(i), "name": ua.names[k], "description": texts[k]} for k, i in enumerate(ua.firm_ids[:-1])]
        + [{"id": 999, "name": "Newcomer", "description": ua.texts[0]}],
        taxonomy,
    )
    edited = dataclasses.replace(ua, firm_ids=edited.firm_ids, names=edited.names, texts=edited.texts)
    edited = dataclasses.replace(
        edited,
        **{
            f: getattr(ua, f)[np.r_[np.arange(len(ua) - 1), 0]]
            for f in (
                "offers",
                "seeks",
                "offer_capacity",
                "seek_capacity",
                "partnership_types",
                "certifications",
                "clearance",
            )
        },
    )
    new = Model(edited, partners, taxonomy, MatchParams(), reuse_text_from=old)
    assert new.vectorizer is old.vectorizer
    assert (new.ua_text[1] != old.ua_text[1]).nnz == 0 and (new.p_text != old.p_text).nnz == 0
    assert (new.ua_text[3] != old.vectorizer.transform([texts[3]])).nnz == 0
    assert (new.ua_text[len(ua) - 1] != old.ua_text[0]).nnz == 0  # the newcomer, vectorised fresh
    refit = Model(edited, partners, taxonomy, MatchParams())
    assert refit.score_rows(np.array([3])).total.shape == new.score_rows(np.array([3])).total.shape


def test_exclusions_naming_firms_outside_the_population_are_ignored(taxonomy, population):
    ua, partners, _ = population
    model = Model(ua, partners, taxonomy, MatchParams())
    plain = model.candidates(np.arange(5))
    odd = np.array([[-1, 3], [2, -1], [len(ua) + 5, 0], [0, len(partners) + 1]])
    after = model.candidates(np.arange(5), exclude=odd)
    assert np.array_equal(plain.scores, after.scores) and np.array_equal(plain.partner_rows, after.partner_rows)
    best = int(model.rematch("partner", 7).ua_rows[0])
    p = model.rematch("partner", 7, exclude=np.array([[best, 7], [-1, 7]]))
    assert best not in p.ua_rows.tolist() and len(p) > 0


def test_explain_says_who_seeks_co_production_when_only_one_side_does(taxonomy):
    partners = [firm(11, "Drone Supply Co", offers=["uav.fpv"], types=["supply"])]
    model = model_for(taxonomy, [SKYFORGE], partners)
    block = model.score_rows(np.arange(1))
    reasons = explain(model, 0, 0, block.components[:, 0, 0])
    assert "Both offer in the UAV domain; SkyForge Robotics seeks co-production" in reasons["en"]
    assert "Обидві пропонують у галузі «БпЛА»; SkyForge Robotics шукає: спільне виробництво" in reasons["uk"]


def test_empty_sides_and_bare_profiles_score_without_errors(taxonomy):
    bare = firm(5, "Bare", types=[], text="")
    model = model_for(taxonomy, [SKYFORGE, bare], [])
    assert model.score_rows(np.arange(2)).total.shape == (2, 0)
    assert len(model.candidates(np.arange(2))) == 0
    model = model_for(taxonomy, [], [firm(11, "Optronik", offers=["sensors.optics_thermal"])])
    assert len(model.candidates(np.arange(0))) == 0 and len(model.rematch("partner", 0)) == 0
    model = model_for(taxonomy, [bare], [firm(11, "P", types=[])])
    block = model.score_rows(np.arange(1))
    assert np.isfinite(block.components).all() and block.total[0, 0] == 0
    sel = select_proposals(Candidates.empty(), 1, 1, model.params)
    assert len(sel) == 0


def test_explain_names_the_capabilities_both_offer_for_co_production(taxonomy):
    ua = [
        firm(
            1,
            "Prime",
            offers=["vehicles.armoured", "repair.tanks", "sensors.radar"],
            types=["co_production"],
        )
    ]
    partners = [
        firm(11, "Hull Works", offers=["vehicles.armoured"], types=["licensed_production"]),
        firm(12, "Armour Kits", offers=["protection.vehicle_armour"], types=["co_production"]),
    ]
    model = model_for(taxonomy, ua, partners)
    block = model.score_rows(np.arange(1))
    same = explain(model, 0, 0, block.components[:, 0, 0])
    assert "Both offer Armoured vehicle production; both seek co-production / licensed production" in same["en"]
    assert any(r.startswith("Обидві пропонують: ") and "обидві шукають: " in r for r in same["uk"])
    close = explain(model, 0, 1, block.components[:, 0, 1])
    assert any(
        r.startswith("Prime offers Armoured vehicle production, adjacent to Armour Kits' Vehicle armour kits")
        for r in close["en"]
    )
    assert any(r.startswith("Prime пропонує: ") and "суміжне з тим, що пропонує Armour Kits" in r for r in close["uk"])
