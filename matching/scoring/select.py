"""From scored candidates to proposals: top-k on both sides, per-firm caps, ranks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Candidates
from .params import MatchParams


@dataclass
class Selection:
    """The chosen pairs, best first, with each firm's rank of the other (1 = best among its proposals)."""

    ua_rows: np.ndarray  # int32[S]
    partner_rows: np.ndarray  # int32[S]
    scores: np.ndarray  # float32[S]
    components: np.ndarray  # float32[S, len(COMPONENTS)]
    rank_for_ukrainian: np.ndarray  # int32[S]
    rank_for_partner: np.ndarray  # int32[S]

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


def select_proposals(
    c: Candidates,
    n_ua: int,
    n_partner: int,
    params: MatchParams,
    ua_ids: np.ndarray | None = None,
    partner_ids: np.ndarray | None = None,
) -> Selection:
    """Keep pairs in either firm's top-k, then cap each firm's proposals greedily by score.

    Ties break by (score desc, Ukrainian firm id, partner firm id); ids default to row numbers.
    `c` must hold each pair at most once (concatenate chunk candidates first).
    """
    if len(c) == 0:
        z = np.zeros(0, np.int32)
        return Selection(z, z, c.scores, c.components, z, z)
    u_key = c.ua_rows if ua_ids is None else np.asarray(ua_ids)[c.ua_rows]
    p_key = c.partner_rows if partner_ids is None else np.asarray(partner_ids)[c.partner_rows]
    order = _global_order(c.scores, u_key, p_key)
    k = params.top_k
    rank_u = _group_ranks(c.ua_rows, order)
    rank_p = _group_ranks(c.partner_rows, order)
    kept = order[(rank_u[order] <= k) | (rank_p[order] <= k)]
    # Greedy in score order: a sequential rule by nature, but over kept candidates only
    # (about k per firm), never over scored pairs.
    cap = params.max_open_per_firm
    open_u = np.zeros(n_ua, dtype=np.int64).tolist()
    open_p = np.zeros(n_partner, dtype=np.int64).tolist()
    chosen = []
    for i, u, p in zip(kept.tolist(), c.ua_rows[kept].tolist(), c.partner_rows[kept].tolist(), strict=True):
        if open_u[u] < cap and open_p[p] < cap:
            open_u[u] += 1
            open_p[p] += 1
            chosen.append(i)
    sel = np.array(chosen, dtype=np.int64)
    ua_rows, partner_rows = c.ua_rows[sel], c.partner_rows[sel]
    in_order = np.arange(len(sel))  # sel is already in global order
    return Selection(
        ua_rows=ua_rows.astype(np.int32),
        partner_rows=partner_rows.astype(np.int32),
        scores=c.scores[sel],
        components=c.components[sel],
        rank_for_ukrainian=_group_ranks(ua_rows, in_order),
        rank_for_partner=_group_ranks(partner_rows, in_order),
    )
