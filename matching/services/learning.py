"""Weights learned from decisions: fit a candidate set, judge it on later decisions, activate, roll back.

Decisions are proposals whose fate is known: went ahead (connected, then maybe a partnership or
a closed outcome) or not (rejected by a reviewer, declined by a firm, expired). The split time T
defaults to the 80th percentile of decision times: decisions before T train, later ones judge
(matching/scoring/learn.py: NDCG@5 and top-5 acceptance, current weights against the candidate).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, ConflictError
from matching.models import Proposal, WeightSet
from matching.scoring import COMPONENTS
from matching.scoring.learn import InsufficientData, ranking_report, weights_fit

S = Proposal.Status
WENT_AHEAD = (S.CONNECTED, S.PARTNERSHIP, S.CLOSED)
TURNED_DOWN = (S.REJECTED, S.DECLINED, S.EXPIRED)


def decisions_load() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(components (n, C), labels (n,), Ukrainian firm ids (n,), decision times (n,) as epoch seconds)."""
    rows = list(
        Proposal.objects.filter(status__in=(*WENT_AHEAD, *TURNED_DOWN))
        .order_by("status_changed_at", "id")
        .values_list("components", "status", "ukrainian_id", "status_changed_at")
    )
    comps = np.array([[float((c or {}).get(name, 0.0)) for name in COMPONENTS] for c, _, _, _ in rows]).reshape(
        -1, len(COMPONENTS)
    )
    labels = np.array([status in WENT_AHEAD for _, status, _, _ in rows], dtype=np.int64)
    groups = np.array([ua for _, _, ua, _ in rows], dtype=np.int64)
    times = np.array([t.timestamp() for _, _, _, t in rows], dtype=np.float64)
    return comps, labels, groups, times


def weight_set_propose(*, user=None, split_at: datetime | None = None) -> WeightSet:
    """Fit weights on decisions before the split, judge them on later ones, store a candidate set."""
    from matching.services.runs import match_params

    comps, labels, groups, times = decisions_load()
    if len(labels) == 0:
        raise ApplicationError(
            _("There are no decisions to learn from yet: proposals need to be approved, accepted or declined first."),
            code="insufficient_data",
        )
    cut = split_at.timestamp() if split_at else float(np.quantile(times, 0.8))
    train, test = times < cut, times >= cut
    current = match_params().weights
    try:
        fit = weights_fit(comps[train], labels[train], current)
    except InsufficientData as exc:
        raise ApplicationError(
            _(
                "Not enough decisions to learn from: %(n)s before the split (%(ahead)s went ahead, %(not)s did "
                "not); at least %(min)s are needed, with %(each)s of each kind. The current weights stay."
            )
            % {
                "n": exc.samples,
                "ahead": exc.positives,
                "not": exc.samples - exc.positives,
                "min": exc.min_samples,
                "each": exc.min_per_class,
            },
            code="insufficient_data",
        ) from exc
    report = ranking_report(comps[test], labels[test], groups[test], current, fit.weights)
    report |= {
        "train_decisions": fit.samples,
        "train_positives": fit.positives,
        "share_of_fit": fit.share_of_fit,
        "fitted": fit.fitted,
    }
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = (WeightSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                return WeightSet.objects.create(
                    version=version,
                    weights=fit.weights,
                    previous_weights=dict(current),
                    evaluation=report,
                    trained_until=datetime.fromtimestamp(cut, tz=timezone.get_current_timezone()),
                    created_by=user,
                )
        except IntegrityError:
            continue  # another fit took the same version number: take the next
    raise ConflictError(_("Another weight set is being created; try again."), current_state="busy")


def weight_set_activate(*, weight_set: WeightSet, reviewer) -> WeightSet:
    """Make `weight_set` the weights of every later run; the one active before is retired."""
    with transaction.atomic():
        locked = WeightSet.objects.select_for_update().get(pk=weight_set.pk)
        if locked.status == WeightSet.Status.ACTIVE:
            raise ConflictError(_("This weight set is already active."), current_state=locked.status)
        current = WeightSet.objects.select_for_update().filter(status=WeightSet.Status.ACTIVE).first()
        if current is not None:
            WeightSet.objects.filter(pk=current.pk).update(status=WeightSet.Status.RETIRED)
        if locked.activated_at is None:
            locked.replaces = current  # a set re-activated later keeps what it first replaced
        locked.status, locked.activated_at, locked.activated_by = WeightSet.Status.ACTIVE, timezone.now(), reviewer
        locked.save(update_fields=["status", "activated_at", "activated_by", "replaces"])
    return locked


def weight_set_roll_back(*, reviewer) -> WeightSet | None:
    """Retire the active set and reactivate the one it replaced; None: back to the hand-set weights."""
    with transaction.atomic():
        active = WeightSet.objects.select_for_update().filter(status=WeightSet.Status.ACTIVE).first()
        if active is None:
            raise ConflictError(
                _("The hand-set weights are in force: there is nothing to roll back."), current_state=""
            )
        earlier = active.replaces
        WeightSet.objects.filter(pk=active.pk).update(status=WeightSet.Status.RETIRED)
        if earlier is None:
            return None
        earlier.status, earlier.activated_at, earlier.activated_by = WeightSet.Status.ACTIVE, timezone.now(), reviewer
        earlier.save(update_fields=["status", "activated_at", "activated_by"])
        return earlier


def active_weights() -> dict[str, float] | None:
    """The active learned weights, or None while the hand-set ones are in force."""
    return WeightSet.objects.filter(status=WeightSet.Status.ACTIVE).values_list("weights", flat=True).first()
