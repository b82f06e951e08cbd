"""Reviewers' decisions on potential matches: dismiss, or confirm (suspends the firm, withdraws its proposals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from compliance.models import (
    Screening,
    ScreeningDecision,
)
from compliance.services.screening import rematch_request
from core import events
from core.errors import ConflictError
from core.permissions import require_reviewer
from core.text import clean_note
from registry.history import SANCTIONS_CONFIRMED
from registry.models import Firm
from registry.services import firm_suspend

if TYPE_CHECKING:
    from accounts.models import User


FS = Firm.ScreeningStatus


# --- Reviewers' decisions ------------------------------------------------------------------------


def _decide(*, firm: Firm | int, reviewer: User, note: str, decision: str) -> tuple[Firm, ScreeningDecision, str]:
    """Lock the firm, check it awaits a decision and record the decision; call inside atomic()."""
    firm_id = firm.pk if isinstance(firm, Firm) else firm
    locked = Firm.objects.select_for_update().get(pk=firm_id)
    if locked.screening_status != FS.POTENTIAL_MATCH:
        raise ConflictError(
            gettext("Only a potential match can be decided; this firm is %(status)s.")
            % {"status": str(FS(locked.screening_status).label).lower()},
            current_state=locked.screening_status,
        )
    screening = Screening.objects.filter(firm=locked).prefetch_related("matches__entry").first()
    if screening is None:  # a status set outside screening (admin, data fix): nothing to decide on
        raise ConflictError(gettext("This firm has no screening to decide on."), current_state=locked.screening_status)
    entry_keys = sorted({f"{m.entry.entity_id}@{m.entry.last_change}" for m in screening.matches.all()})
    record = ScreeningDecision.objects.create(
        firm=locked, screening=screening, reviewer=reviewer, decision=decision, note=note, entry_keys=entry_keys
    )
    return locked, record, entry_keys


def screening_dismiss(*, firm: Firm | int, reviewer: User, note: str) -> ScreeningDecision:
    """potential_match -> false_positive; the firm may be matched again."""
    require_reviewer(reviewer)
    note = clean_note(note, required=True)
    with transaction.atomic():
        locked, record, _ = _decide(
            firm=firm, reviewer=reviewer, note=note, decision=ScreeningDecision.Decision.DISMISS
        )
        Firm.objects.filter(pk=locked.pk).update(screening_status=FS.FALSE_POSITIVE)
        rematch_request(firm_id=locked.pk)  # back in matching: give it proposals now, not at the nightly run
    return record


def screening_confirm(*, firm: Firm | int, reviewer: User, note: str) -> ScreeningDecision:
    """potential_match -> confirmed_match: the firm is suspended and its open proposals withdrawn."""
    role = require_reviewer(reviewer)
    note = clean_note(note, required=True)
    with transaction.atomic():
        locked, record, _ = _decide(
            firm=firm, reviewer=reviewer, note=note, decision=ScreeningDecision.Decision.CONFIRM
        )
        Firm.objects.filter(pk=locked.pk).update(screening_status=FS.CONFIRMED_MATCH)
        # Withdraw first, so each event names the sanctions match (the suspension then finds none open).
        proposals_withdraw_for_firm(firm=locked, actor=reviewer, actor_role=role)
        if locked.status != Firm.Status.SUSPENDED:
            # The registry's service: status, who and when, and a FirmRevision with the reason.
            firm_suspend(firm=locked, reviewer=reviewer, system_note=(SANCTIONS_CONFIRMED, {"reason": note}))
    return record


def proposals_withdraw_for_firm(*, firm: Firm, actor: User | None, actor_role: str) -> None:
    """Announce a confirmed sanctions match: the review workflow withdraws the firm's open
    (proposed/approved) proposals in this transaction, an event each (matching/apps.py subscribes)."""
    events.publish(
        events.SCREENING_CONFIRMED,
        firm=firm,
        actor=actor,
        actor_role=actor_role,
        reason="",
        note_code=SANCTIONS_CONFIRMED,
        note_params={},
        data={"reason": "sanctions", "firm": firm.pk},
    )
