"""Global allocation of proposals (select.py) and firm capacities (capacity.py), on arrays."""

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from matching.scoring import COMPONENTS, Candidates, MatchParams, Model, Taxonomy, allocate, firm_capacity
from matching.scoring.select import pair_values, select_proposals


def candidates(pairs: list[tuple[int, int, float]]) -> Candidates:
    u, p, s = zip(*pairs, strict=True) if pairs else ((), (), ())
    return Candidates(
        np.array(u, np.int32),
        np.array(p, np.int32),
        np.array(s, np.float32),
        np.zeros((len(pairs), len(COMPONENTS)), np.float32),
    )


def greedy(c: Candidates, cap_u, cap_p) -> list[tuple[int, int]]:
    """The old rule: pairs by score, each taken while both firms have room."""
    order = sorted(range(len(c)), key=lambda i: (-float(c.scores[i]), int(c.ua_rows[i]), int(c.partner_rows[i])))
    used_u, used_p, out = {}, {}, []
    for i in order:
        u, p = int(c.ua_rows[i]), int(c.partner_rows[i])
        if used_u.get(u, 0) < cap_u[u] and used_p.get(p, 0) < cap_p[p]:
            used_u[u], used_p[p] = used_u.get(u, 0) + 1, used_p.get(p, 0) + 1
            out.append((u, p))
    return out


def hub_market():
    """Ukrainian hub 0 (capacity 10) is every one of 30 partners' first choice. Partners 0-19 also have
    a good alternative of their own (Ukrainian firms 1-20); partners 20-29 share one weak alternative,
    Ukrainian firm 21, which has room for one. Partners take one proposal each."""
    pairs = [(0, j, 0.90 - 0.001 * j) for j in range(20)]
    pairs += [(0, j, 0.85 - 0.001 * (j - 20)) for j in range(20, 30)]
    pairs += [(1 + j, j, 0.80) for j in range(20)]
    pairs += [(21, j, 0.40 - 0.001 * (j - 20)) for j in range(20, 30)]
    cap_u = np.array([10] + [3] * 20 + [1])
    cap_p = np.ones(30, dtype=np.int64)
    return candidates(pairs), cap_u, cap_p


def test_the_hub_goes_to_partners_without_another_option_and_everyone_gets_one():
    c, cap_u, cap_p = hub_market()
    params = MatchParams(top_k=5, max_open_per_firm=10)
    sel = select_proposals(c, 22, 30, params, capacity_ua=cap_u, capacity_partner=cap_p)
    chosen = set(zip(sel.ua_rows.tolist(), sel.partner_rows.tolist(), strict=True))

    assert np.bincount(sel.partner_rows, minlength=30).tolist() == [1] * 30  # every partner has one
    assert {p for u, p in chosen if u == 0} == set(range(20, 30))  # the hub serves the ones with no other fit
    old = greedy(c, cap_u, cap_p)
    assert len({p for _u, p in old}) == 21  # greedy: 9 partners get nothing
    score = dict(zip(zip(c.ua_rows.tolist(), c.partner_rows.tolist(), strict=True), c.scores.tolist(), strict=True))
    assert sum(score[x] for x in chosen) > sum(score[x] for x in old) + 5


def test_every_weighed_pair_is_kept_and_each_one_left_out_met_a_full_firm():
    c, cap_u, cap_p = hub_market()
    sel = select_proposals(c, 22, 30, MatchParams(top_k=5), capacity_ua=cap_u, capacity_partner=cap_p)
    weighed = sel.considered
    assert len(weighed) == len(c)  # here every candidate is in someone's top 5
    chosen = set(zip(sel.ua_rows.tolist(), sel.partner_rows.tolist(), strict=True))
    assert chosen == set(
        zip(weighed.ua_rows[weighed.selected].tolist(), weighed.partner_rows[weighed.selected].tolist(), strict=True)
    )
    ua_full, partner_full = weighed.full()
    left_out = ~weighed.selected
    assert left_out.sum() == len(c) - len(sel)
    assert (ua_full | partner_full)[left_out].all()  # never left out with room on both sides
    # The hub (capacity 10) is full and turned 20 of its 30 admirers away.
    hub = weighed.ua_rows == 0
    assert ua_full[hub].all() and (hub & left_out).sum() == 20


def test_capacity_holds_on_both_sides_and_the_solution_is_integral():
    rng = np.random.default_rng(3)
    n_u, n_p, n = 40, 120, 1500
    u, p = rng.integers(0, n_u, n), rng.integers(0, n_p, n)
    key = np.unique(u * n_p + p)
    u, p = key // n_p, key % n_p
    values = rng.random(len(key)) + 0.1
    cap_u, cap_p = rng.integers(0, 6, n_u), rng.integers(0, 3, n_p)
    chosen, stats = allocate(u, p, values, cap_u, cap_p)
    assert stats["max_fractional"] < 1e-9  # the LP's vertex is integral
    assert (np.bincount(u[chosen], minlength=n_u) <= cap_u).all()
    assert (np.bincount(p[chosen], minlength=n_p) <= cap_p).all()
    # The same optimum as an integer program over the same pairs.
    best = _milp(u, p, values, cap_u, cap_p)
    assert values[chosen].sum() == pytest.approx(values[best].sum(), rel=1e-9)


def _milp(u, p, values, cap_u, cap_p) -> np.ndarray:
    n = len(values)
    rows = np.r_[u, len(cap_u) + p]
    a = np.zeros((len(cap_u) + len(cap_p), n))
    a[rows, np.r_[np.arange(n), np.arange(n)]] = 1
    res = milp(
        -values, constraints=LinearConstraint(a, 0, np.r_[cap_u, cap_p]), integrality=np.ones(n), bounds=Bounds(0, 1)
    )
    return res.x > 0.5


def test_reciprocity_prefers_the_pair_both_sides_rank_first():
    # Ukrainian 0 can take one partner. Partner 0 ranks it first (its only option); partner 1 scores
    # it a hair higher but ranks it fifth, behind four better options.
    pairs = [(0, 0, 0.70), (0, 1, 0.71)] + [(1 + i, 1, 0.9 - 0.01 * i) for i in range(4)]
    c = candidates(pairs)
    cap_u = np.array([1, 1, 1, 1, 1])
    params = MatchParams(top_k=5, reciprocity_weight=0.5)
    sel = select_proposals(c, 5, 2, params, capacity_ua=cap_u, capacity_partner=np.array([1, 5]))
    assert (0, 0) in set(zip(sel.ua_rows.tolist(), sel.partner_rows.tolist(), strict=True))
    without = select_proposals(c, 5, 2, MatchParams(top_k=5, reciprocity_weight=0.0), capacity_ua=cap_u)
    assert (0, 1) in set(zip(without.ua_rows.tolist(), without.partner_rows.tolist(), strict=True))
    assert pair_values(np.array([0.5]), np.array([1]), np.array([0]), 0.5)[0] == pytest.approx(0.5 * 1.25)


def test_ranks_are_ranks_in_the_full_list_not_among_the_chosen():
    c, cap_u, cap_p = hub_market()
    sel = select_proposals(c, 22, 30, MatchParams(top_k=5), capacity_ua=cap_u, capacity_partner=cap_p)
    hub = sel.ua_rows == 0
    # The hub's 20 best went elsewhere: its proposals are its 21st to 30th choices.
    assert sorted(sel.rank_for_ukrainian[hub].tolist()) == list(range(21, 31))
    assert (sel.rank_for_partner[hub] == 1).all()
    alt = (sel.ua_rows >= 1) & (sel.ua_rows <= 20)
    assert (sel.rank_for_ukrainian[alt] == 1).all() and (sel.rank_for_partner[alt] == 2).all()


def test_same_input_same_output_and_an_empty_input():
    c, cap_u, cap_p = hub_market()
    a = select_proposals(c, 22, 30, MatchParams(), capacity_ua=cap_u, capacity_partner=cap_p)
    perm = np.random.default_rng(0).permutation(len(c))
    shuffled = Candidates(c.ua_rows[perm], c.partner_rows[perm], c.scores[perm], c.components[perm])
    b = select_proposals(shuffled, 22, 30, MatchParams(), capacity_ua=cap_u, capacity_partner=cap_p)
    for name in ("ua_rows", "partner_rows", "scores", "rank_for_ukrainian", "rank_for_partner"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    empty = select_proposals(Candidates.empty(), 3, 4, MatchParams())
    assert len(empty) == 0 and empty.rank_for_partner.dtype == np.int32


def test_exact_ties_go_to_the_lower_firm_ids():
    c = candidates([(0, j, 0.5) for j in range(6)])
    sel = select_proposals(c, 1, 6, MatchParams(top_k=6), capacity_ua=np.array([2]), partner_ids=np.arange(6)[::-1])
    assert sel.partner_rows.tolist() == [5, 4]  # partner rows 5, 4 have ids 0, 1


def test_a_large_random_case_solved_block_by_block_equals_one_solve():
    rng = np.random.default_rng(11)
    n_u, n_p, n, groups = 400, 4000, 20000, 40  # pairs stay within groups: 40 markets side by side
    g = rng.integers(0, groups, n)
    uu = g * (n_u // groups) + rng.integers(0, n_u // groups, n)
    pp = g * (n_p // groups) + rng.integers(0, n_p // groups, n)
    key = np.unique(uu * n_p + pp)
    u, p = key // n_p, key % n_p
    values = rng.random(len(key)) + 0.05
    cap_u, cap_p = rng.integers(1, 8, n_u), rng.integers(1, 3, n_p)
    whole, s1 = allocate(u, p, values, cap_u, cap_p, max_block_pairs=10**9)
    blocks, s2 = allocate(u, p, values, cap_u, cap_p, max_block_pairs=1)
    assert s1["lps"] == 1 and s2["lps"] == s2["blocks"] >= groups
    assert np.array_equal(whole, blocks)


def test_capacity_by_size_band_minus_used_with_an_override_and_the_ceiling():
    params = MatchParams(max_open_per_firm=10)
    employees = np.array([10, 49, 50, 249, 250, 999, 1000, 60000, np.nan])
    assert firm_capacity(employees, params).tolist() == [3, 3, 5, 5, 10, 10, 10, 10, 5]
    assert firm_capacity(employees, MatchParams(max_open_per_firm=30)).tolist()[6:] == [20, 20, 5]
    used = np.array([0, 5, 1, 0, 0, 0, 0, 0, 0])
    override = np.array([np.nan, -1, 8, np.nan, 0, np.nan, np.nan, np.nan, 2])
    assert firm_capacity(employees, params, used=used, override=override).tolist() == [3, 0, 7, 5, 0, 10, 10, 10, 2]
    assert firm_capacity(None, params, n=2).tolist() == [5, 5]


def test_new_params_default_when_older_stored_runs_lack_them():
    stored = MatchParams().to_dict()
    for name in ("reciprocity_weight", "rank_depth", "capacity_size_limits", "capacity_by_size"):
        stored.pop(name)
    assert MatchParams.from_dict(stored) == MatchParams()
    assert MatchParams.from_dict(MatchParams(capacity_by_size=[1, 2, 3, 4]).to_dict()).capacity_by_size == (1, 2, 3, 4)
    with pytest.raises(ValueError, match="capacity_by_size"):
        MatchParams(capacity_by_size=(1, 2))


@pytest.fixture(scope="module")
def scored():
    from matching.scoring.synthetic import generate_population

    taxonomy = Taxonomy.from_csv()
    ua, partners, _ = generate_population(60, 300, 5, taxonomy)
    params = MatchParams(top_k=3, max_open_per_firm=4, min_score=0.1, rank_depth=7)
    return Model(ua, partners, taxonomy, params)


def chunked(model, chunk):
    n = len(model.ua)
    parts = [model.candidates(np.arange(s, min(s + chunk, n))) for s in range(0, n, chunk)]
    return Candidates.concat(parts, model.params.rank_depth)


def test_candidates_carry_full_list_ranks_exact_for_ukrainians_and_up_to_depth_for_partners(scored):
    total = scored.score_rows(np.arange(len(scored.ua))).total
    c = chunked(scored, 16)
    expect_u = 1 + (total[c.ua_rows] > c.scores[:, None]).sum(axis=1)
    assert np.array_equal(c.ua_rank, expect_u)
    higher_p = (total[:, c.partner_rows] > c.scores[None, :]).sum(axis=0)
    ranks_p = c.column_tops.ranks(c.partner_rows, c.scores, scored.params.rank_depth)
    depth = scored.params.rank_depth
    assert np.array_equal(ranks_p, np.where(higher_p < depth, higher_p + 1, 0))
    assert (ranks_p == 0).any() and (ranks_p > 1).any()  # the depth matters on this population


@pytest.mark.parametrize("chunk", [1, 16, 60])
def test_chunking_does_not_change_the_selection(scored, chunk):
    model = scored
    n_u, n_p = len(model.ua), len(model.partners)
    ref = select_proposals(chunked(model, 60), n_u, n_p, model.params, model.ua.firm_ids, model.partners.firm_ids)
    sel = select_proposals(chunked(model, chunk), n_u, n_p, model.params, model.ua.firm_ids, model.partners.firm_ids)
    assert len(sel) > 0
    for name in ("ua_rows", "partner_rows", "rank_for_ukrainian", "rank_for_partner"):
        assert np.array_equal(getattr(sel, name), getattr(ref, name))
