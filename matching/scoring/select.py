"""From scored candidates to proposals: top-k on both sides, then one global capacitated allocation.

A flat per-firm cap filled greedily by score starves hubs' admirers: a prime that is the first
choice of 70 partners fills its slots with the highest raw scores, and a partner for which it was
the only good fit gets nothing. Instead the pairs in either firm's top-k are allocated together as
a b-matching maximising total value:

    maximise sum(value_ij x_ij)  s.t.  sum_j x_ij <= cap_i,  sum_i x_ij <= cap_j,  0 <= x_ij <= 1

value = score * (1 + reciprocity_weight * (1/rank_u + 1/rank_p) / 2), ranks in each side's full
scored list (an unknown rank adds nothing), so a pair both sides rank highly beats a pair only
one side likes. The constraint matrix is a bipartite incidence matrix (totally unimodular), so the
simplex vertex HiGHS returns is integral. Ties: each value gets + TIE_EPSILON * (N - position) / N
by the global (score desc, Ukrainian id, partner id) order, so among equal values the earlier pair
wins and the LP has one optimum; values closer than TIE_EPSILON count as tied.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from .model import Candidates
from .params import MatchParams

TIE_EPSILON = 1e-6
# Pairs per LP: connected blocks are packed up to this size (a block larger than it is solved alone).
MAX_BLOCK_PAIRS = 50_000


@dataclass
class Considered:
    """Every pair the allocation considered (in either firm's top-k), chosen or not, in global order.

    A considered pair that was not chosen lost to capacity: the LP leaves a positive-value pair out
    only when one of its firms is full (`ua_full` / `partner_full`). A pair that is not here at all
    is a ranking miss: neither firm had it in its top-k. Ranks as in Selection (0 = unknown).
    """

    ua_rows: np.ndarray  # int32[K]
    partner_rows: np.ndarray  # int32[K]
    scores: np.ndarray  # float32[K]
    rank_for_ukrainian: np.ndarray  # int32[K]
    rank_for_partner: np.ndarray  # int32[K]
    selected: np.ndarray  # bool[K]
    capacity_ua: np.ndarray  # int64[n_ua]: each Ukrainian firm's capacity in this allocation
    capacity_partner: np.ndarray  # int64[n_partner]

    def __len__(self) -> int:
        return len(self.scores)

    def full(self) -> tuple[np.ndarray, np.ndarray]:
        """(ua_full, partner_full) per considered pair: that firm's chosen pairs reached its capacity."""
        taken_u = np.bincount(self.ua_rows[self.selected], minlength=len(self.capacity_ua))
        taken_p = np.bincount(self.partner_rows[self.selected], minlength=len(self.capacity_partner))
        return (
            taken_u[self.ua_rows] >= self.capacity_ua[self.ua_rows],
            taken_p[self.partner_rows] >= self.capacity_partner[self.partner_rows],
        )


@dataclass
class Selection:
    """The chosen pairs in global order (score desc, ids), with each firm's rank of the other in its
    full scored list (1 = its best counterpart overall; 0 = unknown, beyond rank_depth for partners or
    the counterpart in a single-firm rematch). A pair can be chosen with rank 7 when the firm's top 6
    went elsewhere."""

    ua_rows: np.ndarray  # int32[S]
    partner_rows: np.ndarray  # int32[S]
    scores: np.ndarray  # float32[S]
    components: np.ndarray  # float32[S, len(COMPONENTS)]
    rank_for_ukrainian: np.ndarray  # int32[S]
    rank_for_partner: np.ndarray  # int32[S]
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))  # float64[S], what the allocation maximised
    stats: dict = field(default_factory=dict)  # considered pairs, LP blocks, seconds
    considered: Considered | None = None  # what the allocation weighed, chosen or not

    def __len__(self) -> int:
        return len(self.scores)


def _group_ranks(groups: np.ndarray, order: np.ndarray) -> np.ndarray:
    """1-based rank of each element within its group, following the global `order`."""
    # One int64 sort on (group, position in order) instead of a stable sort: keys are unique.
    key = (groups[order].astype(np.int64) << 32) | np.arange(len(order), dtype=np.int64)
    by_group = order[np.argsort(key)]
    g = groups[by_group]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    pos = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    ranks = np.empty(len(g), dtype=np.int32)
    ranks[by_group] = pos + 1
    return ranks


def _strict_ranks(groups: np.ndarray, scores: np.ndarray, order: np.ndarray) -> np.ndarray:
    """1 + the number of elements of the same group with a strictly higher score (ties share a rank)."""
    key = (groups[order].astype(np.int64) << 32) | np.arange(len(order), dtype=np.int64)
    by_group = order[np.argsort(key)]  # by group, then score desc
    g, s = groups[by_group], scores[by_group]
    idx = np.arange(len(g))
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, s[1:] != s[:-1]]
    first_of_value = np.maximum.accumulate(np.where(new_value, idx, 0))
    group_start = np.maximum.accumulate(np.where(new_group, idx, 0))
    ranks = np.empty(len(g), dtype=np.int32)
    ranks[by_group] = first_of_value - group_start + 1
    return ranks


def _global_order(scores: np.ndarray, u_key: np.ndarray, p_key: np.ndarray) -> np.ndarray:
    """Indices by (score desc, Ukrainian id, partner id), via two int64 sorts (lexsort is slow)."""
    du, dp = np.diff(u_key), np.diff(p_key)
    if np.all((du > 0) | ((du == 0) & (dp > 0))):  # chunks arrive in (Ukrainian, partner) order
        pair_pos = np.arange(len(u_key), dtype=np.int64)
    else:
        pair = np.lexsort((p_key, u_key))
        pair_pos = np.empty(len(pair), dtype=np.int64)
        pair_pos[pair] = np.arange(len(pair))
    # Non-negative float32 scores order like their bit patterns; invert for descending.
    bits = np.ascontiguousarray(np.maximum(scores, np.float32(0)), dtype=np.float32).view(np.uint32).astype(np.int64)
    return np.argsort(((0xFFFFFFFF - bits) << 31) | pair_pos)


def pair_values(scores: np.ndarray, rank_u: np.ndarray, rank_p: np.ndarray, weight: float) -> np.ndarray:
    """score * (1 + weight * (1/rank_u + 1/rank_p) / 2); an unknown rank (0) adds nothing."""

    def inv(r: np.ndarray) -> np.ndarray:
        r = np.asarray(r, dtype=np.float64)
        return np.divide(1.0, r, out=np.zeros_like(r), where=r > 0)

    return np.asarray(scores, dtype=np.float64) * (1.0 + weight * 0.5 * (inv(rank_u) + inv(rank_p)))


def select_proposals(
    c: Candidates,
    n_ua: int,
    n_partner: int,
    params: MatchParams,
    ua_ids: np.ndarray | None = None,
    partner_ids: np.ndarray | None = None,
    capacity_ua: np.ndarray | None = None,
    capacity_partner: np.ndarray | None = None,
    max_block_pairs: int = MAX_BLOCK_PAIRS,
) -> Selection:
    """Keep pairs in either firm's top-k, then allocate them globally within each firm's capacity.

    Capacities default to params.max_open_per_firm (capacity.firm_capacity computes them per firm). Ties break by (score desc,
    Ukrainian firm id, partner firm id); ids default to row numbers. `c` must hold each pair at most
    once (concatenate chunk candidates first). Ranks come from `c` (see Candidates), else from the
    candidates themselves, which is exact when `c` holds every scored pair.
    """
    started = time.perf_counter()
    if len(c) == 0:
        z = np.zeros(0, np.int32)
        return Selection(z, z, c.scores, c.components, z, z, np.zeros(0), {"considered": 0, "blocks": 0})
    u_key = c.ua_rows if ua_ids is None else np.asarray(ua_ids)[c.ua_rows]
    p_key = c.partner_rows if partner_ids is None else np.asarray(partner_ids)[c.partner_rows]
    order = _global_order(c.scores, u_key, p_key)
    k = params.top_k
    kept = order[(_group_ranks(c.ua_rows, order)[order] <= k) | (_group_ranks(c.partner_rows, order)[order] <= k)]

    scores = c.scores[kept]
    if c.ua_rank is not None:
        rank_u = c.ua_rank[kept]
    else:
        rank_u = _strict_ranks(c.ua_rows, c.scores, order)[kept]
    if c.partner_rank is not None:
        rank_p = c.partner_rank[kept]
    elif c.column_tops is not None:
        rank_p = c.column_tops.ranks(c.partner_rows[kept], scores, params.rank_depth)
    else:
        rank_p = _strict_ranks(c.partner_rows, c.scores, order)[kept]
    values = pair_values(scores, rank_u, rank_p, params.reciprocity_weight)
    n = len(kept)
    values += TIE_EPSILON * (n - np.arange(n)) / n  # kept is in global order

    cap_u = _capacities(capacity_ua, n_ua, params)
    cap_p = _capacities(capacity_partner, n_partner, params)
    t = time.perf_counter()
    chosen, stats = allocate(c.ua_rows[kept], c.partner_rows[kept], values, cap_u, cap_p, max_block_pairs)
    stats = {**stats, "considered": n, "allocate_seconds": round(time.perf_counter() - t, 4)}
    sel = kept[chosen]  # still in global order
    stats["select_seconds"] = round(time.perf_counter() - started, 4)
    considered = Considered(
        ua_rows=c.ua_rows[kept].astype(np.int32),
        partner_rows=c.partner_rows[kept].astype(np.int32),
        scores=scores,
        rank_for_ukrainian=np.asarray(rank_u, dtype=np.int32),
        rank_for_partner=np.asarray(rank_p, dtype=np.int32),
        selected=chosen,
        capacity_ua=cap_u,
        capacity_partner=cap_p,
    )
    return Selection(
        ua_rows=c.ua_rows[sel].astype(np.int32),
        partner_rows=c.partner_rows[sel].astype(np.int32),
        scores=c.scores[sel],
        components=c.components[sel],
        rank_for_ukrainian=rank_u[chosen].astype(np.int32),
        rank_for_partner=rank_p[chosen].astype(np.int32),
        values=values[chosen],
        stats=stats,
        considered=considered,
    )


def _capacities(cap: np.ndarray | None, n: int, params: MatchParams) -> np.ndarray:
    if cap is None:
        return np.full(n, params.max_open_per_firm, dtype=np.int64)
    cap = np.asarray(cap, dtype=np.int64)
    if len(cap) != n:
        raise ValueError(f"capacity: need one value per firm ({n}), got {len(cap)}")
    return np.maximum(cap, 0)  # firm_capacity applied the ceiling where it applies (not to overrides)


def allocate(
    u: np.ndarray,
    p: np.ndarray,
    values: np.ndarray,
    cap_u: np.ndarray,
    cap_p: np.ndarray,
    max_block_pairs: int = MAX_BLOCK_PAIRS,
) -> tuple[np.ndarray, dict]:
    """Bool mask of the pairs (u[i], p[i]) maximising the sum of (positive) values within both capacities.

    A firm whose pairs all fit in its capacity constrains nothing, and a pair between two such firms
    is always taken; the rest is split into connected blocks of constrained firms, packed into LPs of
    up to max_block_pairs pairs (blocks are independent, so packing does not change the optimum).
    """
    n = len(values)
    chosen = np.zeros(n, dtype=bool)
    live = (cap_u[u] > 0) & (cap_p[p] > 0) & (values > 0)
    deg_u = np.bincount(u[live], minlength=len(cap_u))
    deg_p = np.bincount(p[live], minlength=len(cap_p))
    tight_u, tight_p = deg_u > cap_u, deg_p > cap_p
    free = live & ~tight_u[u] & ~tight_p[p]
    chosen[free] = True
    rest = np.flatnonzero(live & ~free)
    stats = {"fixed": int(free.sum()), "lp_pairs": len(rest), "blocks": 0, "lps": 0, "max_fractional": 0.0}
    if len(rest) == 0:
        return chosen, stats
    # Nodes: tight Ukrainian firms, then tight partners. A pair with one tight end hangs on that end.
    node_u = np.cumsum(tight_u) - 1
    node_p = np.cumsum(tight_p) - 1 + int(tight_u.sum())
    nodes = int(tight_u.sum() + tight_p.sum())
    ru, rp = u[rest], p[rest]
    a = np.where(tight_u[ru], node_u[ru], node_p[rp])
    b = np.where(tight_p[rp], node_p[rp], a)
    graph = sp.coo_matrix((np.ones(len(rest), np.int8), (a, b)), shape=(nodes, nodes)).tocsr()
    n_blocks, label = connected_components(graph, directed=False)
    stats["blocks"] = int(n_blocks)
    block = label[a]
    # A block with one constrained firm (every pair hangs on it alone: a star, as in a single-firm
    # rematch) is solved exactly by taking its capacity's worth of best values; no LP needed.
    star = ~(np.bincount(block[a != b], minlength=n_blocks) > 0)[block]
    if star.any():
        idx = np.flatnonzero(star)
        order = np.lexsort((-values[rest[idx]], a[idx]))  # by node, best value first
        node_sorted = a[idx][order]
        starts = np.r_[0, np.flatnonzero(np.diff(node_sorted)) + 1]
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        cap = np.where(tight_u[ru[idx]], cap_u[ru[idx]], cap_p[rp[idx]])[order]
        chosen[rest[idx[order[rank < cap]]]] = True
        stats["star_pairs"] = len(idx)
        rest, a, b, block, ru, rp = rest[~star], a[~star], b[~star], block[~star], ru[~star], rp[~star]
        if len(rest) == 0:
            _enforce_caps(chosen, u, p, values, cap_u, cap_p)
            return chosen, stats
    # Batches of whole blocks in block-label order, each up to max_block_pairs pairs.
    by_block = np.argsort(block, kind="stable")
    sizes = np.bincount(block, minlength=n_blocks)
    batch_of_block = _pack(sizes, max_block_pairs)
    batch = batch_of_block[block[by_block]]
    bounds = np.r_[0, np.flatnonzero(np.diff(batch)) + 1, len(batch)]
    ends = (a, b, tight_u[ru], tight_p[rp], cap_u[ru], cap_p[rp])
    for s, e in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):  # a loop over LPs
        part = by_block[s:e]
        x = _solve(values[rest[part]], *(end[part] for end in ends))
        stats["lps"] += 1
        stats["max_fractional"] = max(stats["max_fractional"], float(np.abs(x - np.round(x)).max(initial=0.0)))
        chosen[rest[part]] = x > 0.5
    _enforce_caps(chosen, u, p, values, cap_u, cap_p)
    return chosen, stats


def _pack(sizes: np.ndarray, limit: int) -> np.ndarray:
    """Batch number of each block: consecutive blocks share a batch until it reaches `limit` pairs."""
    batch = np.zeros(len(sizes), dtype=np.int64)
    current, filled = 0, 0
    for i, size in enumerate(sizes.tolist()):  # a loop over blocks
        if filled and filled + size > limit:
            current, filled = current + 1, 0
        batch[i] = current
        filled += size
    return batch


def _solve(values, a, b, has_a, has_b, cap_a, cap_b) -> np.ndarray:
    """One LP: pair i uses node a[i] (its Ukrainian end, if has_a[i]) and node b[i] (its partner end,
    if has_b[i]); each node used holds at most its capacity."""
    m = len(values)
    rows = np.r_[a[has_a], b[has_b]]
    cols = np.r_[np.flatnonzero(has_a), np.flatnonzero(has_b)]
    used, local_rows = np.unique(rows, return_inverse=True)
    node_cap = np.zeros(len(used), dtype=np.float64)
    node_cap[local_rows] = np.r_[cap_a[has_a], cap_b[has_b]]
    matrix = sp.csr_matrix((np.ones(len(rows)), (local_rows, cols)), shape=(len(used), m))
    res = linprog(
        -values,
        A_ub=matrix,
        b_ub=node_cap,
        bounds=(0, 1),
        method="highs-ds",  # dual simplex: a vertex, hence integral here
        options={"presolve": True, "dual_feasibility_tolerance": 1e-10, "primal_feasibility_tolerance": 1e-10},
    )
    if res.status != 0:
        raise RuntimeError(f"allocation LP failed: {res.message}")
    return res.x


def _enforce_caps(chosen, u, p, values, cap_u, cap_p) -> None:
    """Safety net after rounding (a no-op for the integral vertex): drop a firm's lowest-value excess."""
    idx = np.flatnonzero(chosen)
    if len(idx) == 0:
        return
    order = np.argsort(-values[idx], kind="stable")
    over_u = _group_ranks(u[idx], order) > cap_u[u[idx]]
    over_p = _group_ranks(p[idx], order) > cap_p[p[idx]]
    chosen[idx[over_u | over_p]] = False
