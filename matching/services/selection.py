"""Which pairs a run may propose, and the global allocation that picks them.

Chunks hand their candidates over as packed numpy blobs keyed by firm id; the finaliser (or a
single-firm rematch) unpacks them, leaves out pairs that are too far along or turned down
recently, and allocates proposals under each firm's capacity (a b-matching, matching.scoring.select).
"""

from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
from django.db.models import Q
from django.utils import timezone

from matching.features import Features, rows_of
from matching.models import Proposal
from matching.scoring import COMPONENTS, Candidates, ColumnTops, MatchParams, firm_capacity, select_proposals

# A pair that got this far is never proposed again.
NEVER_AGAIN = (
    Proposal.Status.APPROVED,
    Proposal.Status.CONNECTED,
    Proposal.Status.PARTNERSHIP,
    Proposal.Status.CLOSED,
)
# A pair turned down recently is left alone for settings.MATCHING["COOLDOWN_DAYS"].
COOLING_DOWN = (Proposal.Status.REJECTED, Proposal.Status.DECLINED, Proposal.Status.EXPIRED)
# Dropped by a run, or withdrawn when a firm left matching: proposed again as soon as a run selects
# the pair (runs only score eligible firms, so a withdrawn pair returns once both are eligible again).
PROPOSE_AGAIN = (Proposal.Status.SUPERSEDED, Proposal.Status.WITHDRAWN)


# A firm's introduction request under review: runs neither re-select nor supersede it, and it holds
# a slot of both firms' capacity (directory.services checks the same before accepting a request).
REQUESTED_OPEN = Q(status=Proposal.Status.PROPOSED, origin=Proposal.Origin.REQUESTED)


def excluded_pairs(*, features: Features, cooldown_days: int, firm_id: int | None = None) -> np.ndarray:
    """(q, 2) (ua_row, partner_row) pairs a run must not propose: too far along, turned down recently, or
    a firm's introduction request under review."""
    cutoff = timezone.now() - timedelta(days=cooldown_days)
    qs = Proposal.objects.filter(
        Q(status__in=NEVER_AGAIN) | Q(status__in=COOLING_DOWN, status_changed_at__gte=cutoff) | REQUESTED_OPEN
    )
    if firm_id is not None:
        qs = qs.filter(Q(ukrainian_id=firm_id) | Q(partner_id=firm_id))
    pairs = np.array(list(qs.values_list("ukrainian_id", "partner_id")), dtype=np.int64).reshape(-1, 2)
    rows = np.stack([features.ua_rows(pairs[:, 0]), features.partner_rows(pairs[:, 1])], axis=1)
    return rows[(rows >= 0).all(axis=1)].astype(np.int64)


def candidates_pack(features: Features, c: Candidates) -> bytes:
    """Candidates by firm id (not row: rows shift if a firm changes state between tasks), with the
    Ukrainian-side ranks and the chunk's best scores per partner column (for partner-side ranks)."""
    buf = io.BytesIO()
    tops = c.column_tops
    np.savez(
        buf,
        ua_ids=features.ua.firm_ids[np.asarray(c.ua_rows, dtype=np.int64)],
        partner_ids=features.partners.firm_ids[np.asarray(c.partner_rows, dtype=np.int64)],
        scores=np.asarray(c.scores, dtype=np.float32),
        components=np.asarray(c.components, dtype=np.float32).reshape(-1, len(COMPONENTS)),
        ua_rank=np.asarray(c.ua_rank if c.ua_rank is not None else np.zeros(len(c)), dtype=np.int32),
        tops=tops.scores if tops is not None else np.zeros((0, len(features.partners)), np.float32),
        tops_rows_seen=np.int64(tops.rows_seen if tops is not None else 0),
        tops_partner_ids=features.partners.firm_ids,
    )
    return buf.getvalue()


def candidates_unpack(features: Features, blobs: list[bytes], depth: int) -> Candidates:
    parts = [np.load(io.BytesIO(bytes(b))) for b in blobs if b]
    if not parts:
        return candidates_empty()
    ua = features.ua_rows(np.concatenate([p["ua_ids"] for p in parts]))
    pa = features.partner_rows(np.concatenate([p["partner_ids"] for p in parts]))
    keep = (ua >= 0) & (pa >= 0)
    tops = []
    for p in parts:  # a loop over chunks: each chunk's columns placed at this run's partner rows
        cols = features.partner_rows(p["tops_partner_ids"])
        placed = np.full((p["tops"].shape[0], len(features.partners)), -1, dtype=np.float32)
        placed[:, cols[cols >= 0]] = p["tops"][:, cols >= 0]
        tops.append(ColumnTops(placed, int(p["tops_rows_seen"])))
    return Candidates(
        ua_rows=ua[keep].astype(np.int32),
        partner_rows=pa[keep].astype(np.int32),
        scores=np.concatenate([p["scores"] for p in parts])[keep],
        components=np.concatenate([p["components"] for p in parts])[keep],
        ua_rank=np.concatenate([p["ua_rank"] for p in parts])[keep],
        column_tops=ColumnTops.merge(tops, depth),
    )


def candidates_empty() -> Candidates:
    return Candidates(
        ua_rows=np.zeros(0, np.int32),
        partner_rows=np.zeros(0, np.int32),
        scores=np.zeros(0, np.float32),
        components=np.zeros((0, len(COMPONENTS)), np.float32),
    )


def selection_allocate(*, candidates: Candidates, features: Features, params: MatchParams, firm_id: int | None = None):
    """The global allocation over a run's candidates, with each firm's capacity (`firm_capacities`)."""
    capacity_ua, capacity_partner = firm_capacities(features=features, params=params, firm_id=firm_id)
    return select_proposals(
        candidates,
        len(features.ua),
        len(features.partners),
        params,
        features.ua.firm_ids,
        features.partners.firm_ids,
        capacity_ua=capacity_ua,
        capacity_partner=capacity_partner,
    )


def firm_capacities(*, features: Features, params: MatchParams, firm_id: int | None = None) -> tuple:
    """(Ukrainian, partner) capacity arrays for a run: by size, minus the slots of approved and
    connected proposals and of requests under review (open, and never re-selected by a run; proposed ones are re-selected or
    superseded, so they do not count). In a single-firm rematch (`firm_id`) the firm's proposed
    pairs with other firms are not re-selected either, so they count as used too.

    A firm's own "introductions at once", or the ministry's override of it, replaces the size
    default (`registry.selectors.firm_intro_capacity_expression`, loaded by features_load).
    """
    open_q = Q(status__in=(Proposal.Status.APPROVED, Proposal.Status.CONNECTED)) | REQUESTED_OPEN
    if firm_id is not None:
        open_q |= Q(status=Proposal.Status.PROPOSED) & ~(Q(ukrainian_id=firm_id) | Q(partner_id=firm_id))
    used_pairs = np.array(
        list(Proposal.objects.filter(open_q).values_list("ukrainian_id", "partner_id")), dtype=np.int64
    ).reshape(-1, 2)
    used = []
    for side, column in ((features.ua, 0), (features.partners, 1)):
        rows = rows_of(side.firm_ids, used_pairs[:, column])
        used.append(np.bincount(rows[rows >= 0], minlength=len(side)))
    return (
        firm_capacity(
            features.ua.employees, params, n=len(features.ua), used=used[0], override=features.ua.intro_capacity
        ),
        firm_capacity(
            features.partners.employees,
            params,
            n=len(features.partners),
            used=used[1],
            override=features.partners.intro_capacity,
        ),
    )
