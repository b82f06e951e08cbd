"""A full run's allocation, kept so that a ranking miss and a capacity miss can be told apart.

The allocation (matching.scoring.select) weighs every pair in either firm's top-k and chooses within
each firm's capacity. A true partner that got no proposal is then one of two things:

- a **capacity miss**: the pair was weighed (one firm ranked the other in its top-k) but one of the
  two firms was full, e.g. a Ukrainian prime that is the first choice of 70 partners and can take 20;
- a **ranking miss**: the pair was never weighed: neither firm ranked the other high enough.

Every weighed pair is stored with the run (one compressed numpy blob by firm id, as the chunks'
candidates are), with both full-list ranks, whether it was chosen, each firm's capacity and whether
it was full. Reviewers see the firms whose capacity turned pairs away on the run's page (a reason to
raise a capacity override) and download every weighed pair as CSV or XLSX. Only the latest
KEEP_RUNS full runs keep theirs (a 2,000 x 20,000 run weighs about 110,000 pairs: ~1 MB).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from accounts.selectors import user_language
from core.exports import Export, table_export
from core.permissions import require_reviewer
from matching.features import Features
from matching.models import MatchRun
from matching.scoring.select import Selection
from registry.models import Firm

KEEP_RUNS = 3


@dataclass(frozen=True)
class Allocation:
    """What a run's allocation weighed, one entry per pair, in the allocation's global order."""

    ua_ids: np.ndarray
    partner_ids: np.ndarray
    scores: np.ndarray
    rank_for_ukrainian: np.ndarray  # in the Ukrainian firm's full scored list; 0 = unknown
    rank_for_partner: np.ndarray  # in the partner's full scored list; 0 = beyond the run's rank depth
    selected: np.ndarray
    capacity_ua: np.ndarray
    capacity_partner: np.ndarray
    ua_full: np.ndarray  # the Ukrainian firm's chosen pairs reached its capacity
    partner_full: np.ndarray

    def __len__(self) -> int:
        return len(self.scores)


def allocation_pack(*, features: Features, selection: Selection) -> bytes | None:
    """The selection's weighed pairs by firm id, compressed; None when the allocation kept none."""
    c = selection.considered
    if c is None:
        return None
    ua_full, partner_full = c.full()
    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        ua_ids=features.ua.firm_ids[c.ua_rows.astype(np.int64)],
        partner_ids=features.partners.firm_ids[c.partner_rows.astype(np.int64)],
        scores=np.asarray(c.scores, dtype=np.float32),
        rank_for_ukrainian=c.rank_for_ukrainian,
        rank_for_partner=c.rank_for_partner,
        selected=c.selected,
        capacity_ua=c.capacity_ua[c.ua_rows].astype(np.int32),
        capacity_partner=c.capacity_partner[c.partner_rows].astype(np.int32),
        ua_full=ua_full,
        partner_full=partner_full,
    )
    return buf.getvalue()


def allocation_store(*, run_id: int, blob: bytes | None) -> None:
    """Keep this run's allocation and drop those of full runs older than the latest KEEP_RUNS."""
    MatchRun.objects.filter(pk=run_id).update(allocation=blob)
    keep = list(
        MatchRun.objects.filter(kind=MatchRun.Kind.FULL, allocation__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:KEEP_RUNS]
    )
    MatchRun.objects.filter(allocation__isnull=False).exclude(pk__in=keep).update(allocation=None)


def allocation_get(*, run: MatchRun) -> Allocation | None:
    """The run's stored allocation (None: a rematch, a run before this was kept, or an old run)."""
    blob = MatchRun.objects.filter(pk=run.pk).values_list("allocation", flat=True).first()
    if not blob:
        return None
    with np.load(io.BytesIO(bytes(blob))) as data:
        return Allocation(**{name: data[name] for name in Allocation.__dataclass_fields__})


@dataclass(frozen=True)
class FullFirm:
    """A firm whose capacity turned weighed pairs away."""

    firm_id: int
    ref: str
    name: str
    side: str  # "ua" or "partner"
    capacity: int
    chosen: int
    turned_away: int  # weighed pairs not chosen because this firm was full
    first_choice_of: int  # of those, pairs whose other firm ranked this one first


@dataclass(frozen=True)
class AllocationSummary:
    weighed: int
    chosen: int
    turned_away: int  # weighed, not chosen (every one of them met a full firm)
    full_firms: int
    firms: list[FullFirm]


def allocation_summary(*, allocation: Allocation, limit: int = 10) -> AllocationSummary:
    """Totals and the `limit` firms that turned most weighed pairs away, in one query for their names."""
    lost = ~allocation.selected
    sides = (  # side, this firm's ids, its capacity, full?, and the other firm's rank of it
        ("ua", allocation.ua_ids, allocation.capacity_ua, allocation.ua_full, allocation.rank_for_partner),
        (
            "partner",
            allocation.partner_ids,
            allocation.capacity_partner,
            allocation.partner_full,
            allocation.rank_for_ukrainian,
        ),
    )
    found: list[tuple[int, str, int, int, int, int]] = []
    full_firms = 0
    for side, ids, capacity, full, their_rank in sides:
        away = lost & full
        if not away.any():
            continue
        firm_ids, inverse = np.unique(ids, return_inverse=True)
        turned = np.bincount(inverse, weights=away, minlength=len(firm_ids)).astype(np.int64)
        first = np.bincount(inverse, weights=away & (their_rank == 1), minlength=len(firm_ids)).astype(np.int64)
        chosen = np.bincount(inverse, weights=allocation.selected, minlength=len(firm_ids)).astype(np.int64)
        cap = np.zeros(len(firm_ids), dtype=np.int64)
        cap[inverse] = capacity
        hit = np.flatnonzero(turned > 0)
        full_firms += len(hit)
        found += [(int(firm_ids[i]), side, int(cap[i]), int(chosen[i]), int(turned[i]), int(first[i])) for i in hit]
    found.sort(key=lambda f: (-f[4], -f[5], f[0]))
    top = found[:limit]
    names = dict(
        (pk, (ref, name))
        for pk, ref, name in Firm.objects.filter(pk__in=[f[0] for f in top]).values_list("pk", "ref", "name")
    )
    firms = [
        FullFirm(pk, *names.get(pk, ("", "")), side, cap, chosen, turned, first)
        for pk, side, cap, chosen, turned, first in top
    ]
    return AllocationSummary(
        weighed=len(allocation),
        chosen=int(allocation.selected.sum()),
        turned_away=int(lost.sum()),
        full_firms=full_firms,
        firms=firms,
    )


def _rank(value: int) -> int | str:
    return int(value) if value > 0 else ""


def run_allocation_export(*, user: User, run: MatchRun, file: str, language: str | None = None) -> Export | None:
    """Every pair the run weighed as CSV or XLSX, in `language` (a page's download: the page's language),
    else the reviewer's; None when not kept."""
    require_reviewer(user)
    allocation = allocation_get(run=run)
    if allocation is None:
        return None
    ids = np.unique(np.concatenate([allocation.ua_ids, allocation.partner_ids])).tolist()
    names = {pk: (ref, name) for pk, ref, name in Firm.objects.filter(pk__in=ids).values_list("pk", "ref", "name")}
    with translation.override(language or user_language(user=user)):
        both = gettext("Both firms at capacity")
        ua_full, partner_full = gettext("Ukrainian firm at capacity"), gettext("Partner firm at capacity")
        yes, no = gettext("yes"), gettext("no")
        headers = [
            gettext("Ukrainian firm ref"),
            gettext("Ukrainian firm"),
            gettext("Partner firm ref"),
            gettext("Partner firm"),
            gettext("Score"),
            gettext("Rank in the Ukrainian firm's list"),
            gettext("Rank in the partner's list"),
            gettext("Proposed"),
            gettext("Why not proposed"),
            gettext("Ukrainian firm's capacity"),
            gettext("Partner firm's capacity"),
        ]
        rows = []
        for i in range(len(allocation)):  # rows of a file: one Python step per written row, no scoring here
            u, p = names.get(int(allocation.ua_ids[i]), ("", "")), names.get(int(allocation.partner_ids[i]), ("", ""))
            chosen = bool(allocation.selected[i])
            if chosen:
                why = ""
            elif allocation.ua_full[i] and allocation.partner_full[i]:
                why = both
            else:
                why = ua_full if allocation.ua_full[i] else partner_full
            rows.append(
                (
                    u[0],
                    u[1],
                    p[0],
                    p[1],
                    round(float(allocation.scores[i]), 4),
                    _rank(allocation.rank_for_ukrainian[i]),
                    _rank(allocation.rank_for_partner[i]),
                    yes if chosen else no,
                    why,
                    int(allocation.capacity_ua[i]),
                    int(allocation.capacity_partner[i]),
                )
            )
        title = gettext("Run %(id)s allocation") % {"id": run.pk}
        return table_export(file=file, headers=headers, rows=rows, title=title, name=f"match-run-{run.pk}-allocation")
