"""Reviewers' page for learned weights: fit a candidate from decisions, compare, activate, roll back."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from matching.models import WeightSet
from matching.scoring import COMPONENTS
from matching.services.learning import weight_set_activate, weight_set_propose, weight_set_roll_back
from matching.services.runs import match_params
from web.domains import component_label
from web.views.review import reviewer_required


def _rows(weight_set: WeightSet) -> list[dict]:
    """One row per component: before, after, and the bar widths (percent of the larger weight)."""
    top = max([*weight_set.weights.values(), *weight_set.previous_weights.values(), 1e-9])
    return [
        {
            "label": component_label(c),
            "before": weight_set.previous_weights.get(c, 0.0),
            "after": weight_set.weights.get(c, 0.0),
            "before_pct": round(100 * weight_set.previous_weights.get(c, 0.0) / top),
            "after_pct": round(100 * weight_set.weights.get(c, 0.0) / top),
        }
        for c in COMPONENTS
    ]


@reviewer_required
def weight_sets(request: HttpRequest) -> HttpResponse:
    sets = list(WeightSet.objects.select_related("created_by", "activated_by")[:20])
    current = match_params().weights
    return render(
        request,
        "web/review/weights.html",
        {
            "sets": [{"set": s, "rows": _rows(s), "evaluation": s.evaluation} for s in sets],
            "current": [{"label": component_label(c), "value": current[c]} for c in COMPONENTS],
            "active": next((s for s in sets if s.status == WeightSet.Status.ACTIVE), None),
        },
    )


@reviewer_required
@require_POST
def weight_set_fit(request: HttpRequest) -> HttpResponse:
    try:
        weight_set = weight_set_propose(user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Weight set v%(version)s is ready to compare. It is not active.") % {"version": weight_set.version},
        )
    return redirect("web:review_weights")


@reviewer_required
@require_POST
def weight_set_activate_view(request: HttpRequest, pk: int) -> HttpResponse:
    weight_set = get_object_or_404(WeightSet, pk=pk)
    try:
        weight_set_activate(weight_set=weight_set, reviewer=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Weight set v%(version)s is active: the next match run uses it.") % {"version": weight_set.version},
        )
    return redirect("web:review_weights")


@reviewer_required
@require_POST
def weight_set_roll_back_view(request: HttpRequest) -> HttpResponse:
    try:
        restored = weight_set_roll_back(reviewer=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if restored is None:
            messages.success(request, _("Rolled back: the hand-set weights are in force again."))
        else:
            messages.success(request, _("Rolled back to weight set v%(version)s.") % {"version": restored.version})
    return redirect("web:review_weights")
