"""Single-firm rematch: after a verified firm's profile changes, rescore it against the other side.

Debounced: every request bumps `requested_at` on the firm's one queued MatchRun(kind=firm)
and enqueues a delayed task carrying that timestamp; a task whose timestamp is no longer the
latest does nothing, so a burst of edits gives one rescoring (the last one's). The marker is
in the database, so it works across worker processes and with in-process eager tasks alike.
"""

from __future__ import annotations

import time

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.outbox import outbox_enqueue
from matching.features import rows_of
from matching.models import MatchRun
from matching.services.prepared import prepared_for_firm
from matching.services.proposals import proposal_rows, proposals_write
from matching.services.runs import params_of, run_parameters
from matching.services.selection import excluded_pairs, selection_allocate
from registry.models import Firm
from registry.selectors import firms_eligible_for_matching


def rematch_request(*, firm_id: int) -> MatchRun | None:
    """Record a rematch request for the firm and enqueue the debounced task (after commit)."""
    if not firms_eligible_for_matching().filter(pk=firm_id).exists():
        return None  # pending, suspended or held back by screening: nothing to match
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                run = (
                    MatchRun.objects.select_for_update()
                    .filter(kind=MatchRun.Kind.FIRM, firm_id=firm_id, status=MatchRun.Status.QUEUED)
                    .first()
                )
                if run is None:
                    run = MatchRun.objects.create(
                        kind=MatchRun.Kind.FIRM, firm_id=firm_id, parameters=run_parameters(), requested_at=now
                    )
                else:
                    MatchRun.objects.filter(pk=run.pk).update(requested_at=now)
                outbox_enqueue(
                    "matching.tasks.rematch_firm_task",
                    countdown=settings.MATCHING["REMATCH_DEBOUNCE_SECONDS"],
                    firm_id=firm_id,
                    run_id=run.pk,
                    requested_at=now.isoformat(),
                )
            return MatchRun.objects.get(pk=run.pk)
        except IntegrityError:
            continue  # another request created the queued run at the same moment: bump that one
    raise RuntimeError(f"could not record a rematch request for firm {firm_id}")


def rematch_run(*, run_id: int, requested_at: str | None = None) -> MatchRun | None:
    """Run a queued rematch if `requested_at` is still its latest request; None when skipped."""
    claim = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED)
    if requested_at is not None:
        claim = claim.filter(requested_at=parse_datetime(requested_at))
    if not claim.update(status=MatchRun.Status.RUNNING, started_at=timezone.now()):
        return None  # a newer request will run it, or it already ran
    run = MatchRun.objects.get(pk=run_id)
    try:
        return _rescore(run)
    except Exception as exc:
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:5000], finished_at=timezone.now()
        )
        raise


def rematch_firm(*, firm_id: int) -> MatchRun | None:
    """Rescore one firm now, in this process (tests, benchmarks, the command line)."""
    if not firms_eligible_for_matching().filter(pk=firm_id).exists():
        return None
    run = MatchRun.objects.create(
        kind=MatchRun.Kind.FIRM,
        firm_id=firm_id,
        status=MatchRun.Status.RUNNING,
        parameters=run_parameters(),
        started_at=timezone.now(),
    )
    return _rescore(run)


def _rescore(run: MatchRun) -> MatchRun:
    started = time.perf_counter()
    params = params_of(run)
    side = Firm.objects.values_list("side", flat=True).get(pk=run.firm_id)
    features, model = prepared_for_firm(firm_id=run.firm_id, side=side, params=params)
    own = features.ua if side == Firm.Side.UKRAINIAN else features.partners
    rows = features.ua_rows([run.firm_id]) if side == Firm.Side.UKRAINIAN else features.partner_rows([run.firm_id])
    if rows[0] < 0:
        counts = {"proposals_created": 0, "proposals_updated": 0, "proposals_superseded": 0}
        selection_rows = []
    else:
        exclude = excluded_pairs(
            features=features, cooldown_days=run.parameters.get("cooldown_days", 180), firm_id=run.firm_id
        )
        other_ids = features.partners.firm_ids if side == Firm.Side.UKRAINIAN else features.ua.firm_ids
        candidates = model.rematch(
            side,
            int(rows[0]),
            exclude=exclude if len(exclude) else None,
            other_kth=_other_side_kth(run.firm_id, side, other_ids, params.top_k, params.min_score),
        )
        selection = selection_allocate(candidates=candidates, features=features, params=params, firm_id=run.firm_id)
        selection_rows = proposal_rows(model=model, features=features, selection=selection)
        counts = None
    with transaction.atomic():
        if counts is None:
            counts = proposals_write(run=run, rows=selection_rows, firm_id=run.firm_id)
        other = len(features.partners) if own is features.ua else len(features.ua)
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            finalise_seconds=time.perf_counter() - started,
            pairs_scored=other,
            chunks_total=1,
            chunks_done=1,
            **counts,
        )
    return MatchRun.objects.get(pk=run.pk)


def _other_side_kth(firm_id: int, side: str, other_ids: np.ndarray, k: int, min_score: float) -> np.ndarray:
    """Per firm of the other side, the k-th best score of its open proposals with other firms.

    The rescored firm enters another firm's list where it beats that score (or where that firm
    has fewer than k open proposals), as a full run would have proposed it.
    """
    from matching.models import Proposal

    own, other = ("ukrainian_id", "partner_id") if side == Firm.Side.UKRAINIAN else ("partner_id", "ukrainian_id")
    pairs = np.array(
        list(
            Proposal.objects.filter(status=Proposal.Status.PROPOSED)
            .exclude(**{own: firm_id})
            .values_list(other, "score")
        ),
        dtype=np.float64,
    ).reshape(-1, 2)
    kth = np.full(len(other_ids), max(min_score, 0.0), dtype=np.float32)
    if len(pairs) == 0:
        return kth
    rows = rows_of(other_ids, pairs[:, 0].astype(np.int64))
    pairs, rows = pairs[rows >= 0], rows[rows >= 0]  # counterparts no longer eligible do not count
    if len(pairs) == 0:
        return kth
    order = np.lexsort((-pairs[:, 1], rows))  # by row, best score first
    rows_sorted, scores_sorted = rows[order], pairs[order, 1]
    starts = np.r_[0, np.flatnonzero(rows_sorted[1:] != rows_sorted[:-1]) + 1]
    counts = np.diff(np.r_[starts, len(rows_sorted)])
    full = counts >= k
    kth[rows_sorted[starts[full]]] = scores_sorted[starts[full] + k - 1]
    return kth
