"""The review workflow: who may move a proposal from which state to which, audited and race-safe.

An explicit transition table rather than a state-machine package: the rules that matter
here (row locks, the two-sided acceptance, per-firm roles, events in the same
transaction) sit outside what django-fsm-style decorators handle, and the table fits on
one screen.

Every change locks the proposal row (`select_for_update`) inside `transaction.atomic`,
re-checks the state, saves it and writes its `ProposalEvent` before commit. Two reviewers
approving at once therefore give one approval and one `ConflictError`; two firms
accepting at once give exactly one `connected`.

Approve, accept and outcomes also need both firms to be eligible for matching at that moment
(`registry.selectors.firm_matching_block`). Those transitions lock the two firm rows first, then
the proposal: suspending a firm or changing its identity locks the firm and then withdraws its
proposals, so whichever commits first is seen by the other, and the lock order never deadlocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Membership
from core import events
from core.errors import ApplicationError, ConflictError
from core.permissions import require_reviewer
from core.text import clean_note
from matching.models import Proposal, ProposalEvent
from registry.models import Firm
from registry.selectors import BLOCK_NOT_VERIFIED, BLOCK_OWNER, BLOCK_SCREENING, firm_matching_block
from review.services.notifications import notify_for_event

if TYPE_CHECKING:
    from accounts.models import User

S = Proposal.Status

# action -> (states it may start from, state it leads to). `accept` stays `approved` until both
# firms have accepted, then leads to `connected`.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({S.PROPOSED}), S.APPROVED),
    "reject": (frozenset({S.PROPOSED}), S.REJECTED),
    "supersede": (frozenset({S.PROPOSED}), S.SUPERSEDED),
    "accept": (frozenset({S.APPROVED}), S.CONNECTED),
    "decline": (frozenset({S.APPROVED}), S.DECLINED),
    "expire": (frozenset({S.APPROVED}), S.EXPIRED),
    "record_partnership": (frozenset({S.CONNECTED}), S.PARTNERSHIP),
    "close": (frozenset({S.CONNECTED}), S.CLOSED),
    "withdraw": (frozenset({S.PROPOSED, S.APPROVED}), S.WITHDRAWN),
}
OPEN_STATUSES = TRANSITIONS["withdraw"][0]
OUTCOME_KINDS = tuple(Proposal.OutcomeKind.values)
EDIT_ROLES = (Membership.Role.OWNER, Membership.Role.EDITOR)
# One whole sentence per action (translators need the verb in context); %(status)s is the
# proposal's status label in the active language.
CANNOT = {
    "approve": gettext_lazy("Cannot approve a proposal that is %(status)s."),
    "reject": gettext_lazy("Cannot reject a proposal that is %(status)s."),
    "supersede": gettext_lazy("Cannot supersede a proposal that is %(status)s."),
    "accept": gettext_lazy("Cannot accept a proposal that is %(status)s."),
    "decline": gettext_lazy("Cannot decline a proposal that is %(status)s."),
    "expire": gettext_lazy("Cannot expire a proposal that is %(status)s."),
    "record_partnership": gettext_lazy("Cannot record a partnership for a proposal that is %(status)s."),
    "close": gettext_lazy("Cannot close a proposal that is %(status)s."),
    "withdraw": gettext_lazy("Cannot withdraw a proposal that is %(status)s."),
}
# Why a transition needing two eligible firms is refused; %(firm)s is the firm's name.
NOT_ELIGIBLE = {
    BLOCK_NOT_VERIFIED: gettext_lazy(
        "%(firm)s is suspended or awaiting verification, so this introduction cannot go ahead."
    ),
    BLOCK_SCREENING: gettext_lazy(
        "%(firm)s is held for a sanctions screening review, so this introduction cannot go ahead."
    ),
    BLOCK_OWNER: gettext_lazy(
        "%(firm)s has a declared owner from Russia or Belarus, so this introduction cannot go ahead."
    ),
}


def _lock(proposal: Proposal | int, action: str) -> Proposal:
    """Lock the row and check the action is allowed from its current state; call inside atomic()."""
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    # of=("self",): lock the proposal row only, not the two firms joined for names and notifications.
    locked = Proposal.objects.select_related("ukrainian", "partner").select_for_update(of=("self",)).get(pk=pk)
    allowed, _ = TRANSITIONS[action]
    if locked.status not in allowed:
        status = str(S(locked.status).label).lower()
        raise ConflictError(str(CANNOT[action]) % {"status": status}, current_state=locked.status)
    return locked


def _lock_with_firms(proposal: Proposal | int, action: str) -> Proposal:
    """`_lock`, after locking the proposal's two firm rows (in id order); call inside atomic().

    The firm rows are locked first, as suspension and profile edits do before withdrawing, so a
    concurrent suspension either commits before (and is seen by `_require_eligible`) or waits.
    """
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    pair = Proposal.objects.filter(pk=pk).values_list("ukrainian_id", "partner_id").first()
    if pair is not None:
        # FOR NO KEY UPDATE: excludes status changes, not the FK checks of inserted events.
        list(Firm.objects.select_for_update(no_key=True).filter(pk__in=pair).order_by("pk").values_list("pk"))
    return _lock(pk, action)  # reads both firms again, after the lock: their current status


def _require_eligible(proposal: Proposal) -> None:
    """Refuse (409, code naming the reason) unless both firms may be introduced now."""
    for firm in (proposal.ukrainian, proposal.partner):
        reason = firm_matching_block(firm=firm)
        if reason is not None:
            error = ConflictError(str(NOT_ELIGIBLE[reason]) % {"firm": firm.name}, current_state=proposal.status)
            error.code = reason
            error.extra["firm"] = firm.pk
            raise error


def _past_expiry(proposal: Proposal, now: dt.datetime) -> bool:
    return proposal.status == S.APPROVED and proposal.status_changed_at <= now - expiry_period()


def _record(
    proposal: Proposal,
    *,
    to_status: str,
    actor: User | None,
    actor_role: str,
    firm: Firm | None = None,
    note: str = "",
    note_code: str = "",
    note_params: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
) -> ProposalEvent:
    """Save the new state (plus `fields`) and its event, then the notifications it causes."""
    from_status = proposal.status
    update = {"updated_at", *fields}
    if to_status != from_status:
        proposal.status = to_status
        proposal.status_changed_at = timezone.now()
        update |= {"status", "status_changed_at"}
    proposal.save(update_fields=sorted(update))
    event = ProposalEvent.objects.create(
        proposal=proposal,
        actor=actor,
        actor_role=actor_role,
        firm=firm,
        from_status=from_status,
        to_status=to_status,
        note=note,
        note_code=note_code,
        note_params=note_params or {},
        data=data or {},
    )
    notify_for_event(event=event)
    events.publish(events.PROPOSAL_TRANSITIONED, proposal_event=event)  # e.g. integrations' webhooks, same transaction
    return event


def _acting_firm(*, proposal: Proposal, user: User, firm: Firm | int | None) -> tuple[Firm, str]:
    """The firm the user acts for and their role in it; owner or editor of one of the two firms only."""
    firm_id = firm.pk if isinstance(firm, Firm) else firm
    pair = {proposal.ukrainian_id: proposal.ukrainian, proposal.partner_id: proposal.partner}
    roles = dict(Membership.objects.filter(user=user, firm_id__in=pair).values_list("firm_id", "role"))
    if firm_id is not None:
        if firm_id not in pair:
            raise ApplicationError(
                gettext("firm: must be one of the two firms of this proposal."),
                code="invalid",
                fields={"firm": [gettext("Must be the id of one of the two firms of this proposal.")]},
            )
        if firm_id not in roles:
            raise ApplicationError(gettext("You are not a member of this firm."), code="permission_denied", status=403)
    elif len(roles) == 1:
        firm_id = next(iter(roles))
    elif len(roles) > 1:
        raise ApplicationError(
            gettext("firm: required, you belong to both firms of this proposal."),
            code="required",
            fields={"firm": [gettext("Required when you belong to both firms of the proposal.")]},
        )
    else:
        raise ApplicationError(
            gettext("Only members of the two firms can do this."), code="permission_denied", status=403
        )
    role = roles[firm_id]
    if role not in EDIT_ROLES:
        raise ApplicationError(
            gettext("Only an owner or editor of the firm can do this; viewers cannot."),
            code="permission_denied",
            status=403,
        )
    return pair[firm_id], role


# --- Two people per introduction -------------------------------------------------------------
# An introduction is two firms saying yes, so each side's yes comes from a different person: one
# person belonging to both firms can neither ask for an introduction between them nor accept it for
# both sides. This is the one home of that rule (the directory's requests and `proposal_accept`).


def introduction_require_two_people(*, user: User, ukrainian: Firm, partner: Firm) -> None:
    """Refuse (400 naming `firm`) an introduction request between two firms the requester both belongs to."""
    firm_ids = set(
        Membership.objects.filter(user=user, firm_id__in=[ukrainian.pk, partner.pk]).values_list("firm_id", flat=True)
    )
    if firm_ids == {ukrainian.pk, partner.pk}:
        message = gettext(
            "You belong to both %(ukrainian)s and %(partner)s: an introduction between them needs a different "
            "person on each side. Ask a colleague at one of them to request it."
        ) % {"ukrainian": ukrainian.name, "partner": partner.name}
        raise ApplicationError(message, code="same_person", fields={"firm": [message]})


def _spoke_for_other_side(locked: Proposal, *, acting: Firm, user: User) -> Firm | None:
    """The other firm, if `user` asked for this introduction or accepted it on that firm's behalf."""
    other = locked.partner if acting.pk == locked.ukrainian_id else locked.ukrainian
    if locked.requested_by_firm_id == other.pk and locked.requested_by_id == user.pk:
        return other
    other_accepted = locked.partner_accepted_at if other is locked.partner else locked.ukrainian_accepted_at
    if other_accepted is None:
        return None
    last_accept = (
        ProposalEvent.objects.filter(proposal=locked, firm=other, data__action="accept")
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    return other if last_accept == user.pk else None


def _require_other_person(locked: Proposal, *, acting: Firm, user: User) -> None:
    other = _spoke_for_other_side(locked, acting=acting, user=user)
    if other is not None:
        message = gettext(
            "You asked for or accepted this introduction on behalf of %(other)s. Someone else at %(firm)s must "
            "accept it: each firm's acceptance comes from a different person."
        ) % {"other": other.name, "firm": acting.name}
        raise ApplicationError(message, code="same_person", status=403, fields={"firm": [message]})


def proposal_accept_refusal(*, proposal: Proposal, user: User, firm: Firm) -> str:
    """Why `user` may not accept `proposal` for `firm` as one of two people (pages say it before any button), or ""."""
    try:
        _require_other_person(proposal, acting=firm, user=user)
    except ApplicationError as error:
        return error.message
    return ""


# --- Reviewers ------------------------------------------------------------------------------


def proposal_approve(*, proposal: Proposal | int, reviewer: User, note: str = "") -> Proposal:
    """proposed -> approved; both firms are told."""
    role = require_reviewer(reviewer)
    note = clean_note(note, field="note", required=False)
    with transaction.atomic():
        locked = _lock_with_firms(proposal, "approve")
        _require_eligible(locked)
        _record(locked, to_status=S.APPROVED, actor=reviewer, actor_role=role, note=note)
        if locked.origin == Proposal.Origin.REQUESTED and locked.requested_by_firm_id:
            _imply_requester_acceptance(locked)
    return locked


def _imply_requester_acceptance(locked: Proposal) -> None:
    """A firm that asked for the introduction (directory) has accepted it by asking: recorded as its
    acceptance event (`implied`), so only the other firm has to accept."""
    mine = locked.requested_by_firm_id == locked.ukrainian_id
    side_field = "ukrainian_accepted_at" if mine else "partner_accepted_at"
    if getattr(locked, side_field) is not None:
        return
    setattr(locked, side_field, timezone.now())
    _record(
        locked,
        to_status=S.APPROVED,
        actor=locked.requested_by,
        actor_role="system",
        firm=locked.ukrainian if mine else locked.partner,
        note="",
        data={"action": "accept", "implied": True},
        fields=[side_field],
    )


def proposal_reject(*, proposal: Proposal | int, reviewer: User, reason: str) -> Proposal:
    """proposed -> rejected, with a reason only reviewers read."""
    role = require_reviewer(reviewer)
    reason = clean_note(reason, field="reason", required=True)
    with transaction.atomic():
        locked = _lock(proposal, "reject")
        _record(locked, to_status=S.REJECTED, actor=reviewer, actor_role=role, note=reason)
    return locked


def proposal_bulk_review(
    *, reviewer: User, action: str, ids: list[int], note: str = "", reason: str = ""
) -> list[dict[str, Any]]:
    """Approve or reject many proposals; each in its own transaction, each reported on its own."""
    require_reviewer(reviewer)
    if action not in ("approve", "reject"):
        raise ApplicationError(
            gettext("action: must be approve or reject."),
            fields={"action": [gettext("Must be one of: %(choices)s.") % {"choices": "approve, reject"}]},
        )
    if action == "reject":
        clean_note(reason, field="reason", required=True)
    existing = set(Proposal.objects.filter(pk__in=ids).values_list("pk", flat=True))
    results: list[dict[str, Any]] = []
    for pk in dict.fromkeys(ids):  # de-duplicated, order kept
        if pk not in existing:
            results.append(
                {"id": pk, "ok": False, "error": {"code": "not_found", "message": gettext("No proposal with this id.")}}
            )
            continue
        try:
            if action == "approve":
                done = proposal_approve(proposal=pk, reviewer=reviewer, note=note)
            else:
                done = proposal_reject(proposal=pk, reviewer=reviewer, reason=reason)
        except ApplicationError as exc:
            error = {"code": exc.code, "message": exc.message, **exc.extra}
            results.append({"id": pk, "ok": False, "error": error})
        else:
            results.append({"id": pk, "ok": True, "status": done.status})
    return results


# --- Firms ------------------------------------------------------------------------------------


def proposal_accept(*, proposal: Proposal | int, user: User, firm: Firm | int | None = None) -> Proposal:
    """One firm accepts; when both have, the proposal becomes connected and contacts are revealed.

    Each side's acceptance comes from a different person: whoever asked for the introduction or accepted
    it for one firm cannot accept it for the other too (403 `same_person`, naming `firm`).

    Both firms must be eligible for matching (409 `firm_suspended` / `screening_pending` / ...). Past
    its expiry the proposal is expired on the spot (as the hourly task would) and the answer is 409
    `expired`: the expiry commits, so the error is raised after the transaction, not inside it.
    """
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    now = timezone.now()
    expired_at: dt.datetime | None = None
    with transaction.atomic():
        locked = _lock_with_firms(pk, "accept")
        acting, role = _acting_firm(proposal=locked, user=user, firm=firm)
        if _past_expiry(locked, now):
            expired_at = locked.status_changed_at + expiry_period()
            _expire(locked)
        else:
            _require_eligible(locked)
            side_field = "ukrainian_accepted_at" if acting.pk == locked.ukrainian_id else "partner_accepted_at"
            if getattr(locked, side_field) is not None:
                raise ConflictError(
                    gettext("%(firm)s has already accepted this proposal.") % {"firm": acting.name},
                    current_state=locked.status,
                    code="already_accepted",
                )
            _require_other_person(locked, acting=acting, user=user)
            setattr(locked, side_field, now)
            both = locked.ukrainian_accepted_at is not None and locked.partner_accepted_at is not None
            _record(
                locked,
                to_status=S.CONNECTED if both else S.APPROVED,
                actor=user,
                actor_role=role,
                firm=acting,
                data={"action": "accept"},
                fields=[side_field],
            )
    if expired_at is not None:
        raise ConflictError(
            gettext("This proposal expired on %(date)s and can no longer be accepted.")
            % {"date": timezone.localtime(expired_at).date().isoformat()},
            current_state=S.EXPIRED,
            code="expired",
        )
    return locked


def proposal_decline(*, proposal: Proposal | int, user: User, reason: str, firm: Firm | int | None = None) -> Proposal:
    """approved -> declined by either firm; the reason is for reviewers and the declining firm only."""
    reason = clean_note(reason, field="reason", required=True)
    with transaction.atomic():
        locked = _lock(proposal, "decline")
        acting, role = _acting_firm(proposal=locked, user=user, firm=firm)
        _record(locked, to_status=S.DECLINED, actor=user, actor_role=role, firm=acting, note=reason)
    return locked


def proposal_record_outcome(
    *,
    proposal: Proposal | int,
    user: User,
    kind: str,
    date: dt.date | None = None,
    note: str = "",
    firm: Firm | int | None = None,
) -> Proposal:
    """connected -> partnership (kind, date, note) or closed (kind "closed", note = the reason).

    Recorded by a reviewer or by an owner/editor of either firm, while both firms are eligible for
    matching; a reviewer may close a connection whatever the firms' state. A partnership's date is
    from the day the proposal was created (Kyiv time) to a year ahead (400 naming `date`).
    """
    if kind not in (*OUTCOME_KINDS, "closed"):
        raise ApplicationError(
            gettext("kind: not a known outcome."),
            fields={
                "kind": [gettext("Must be one of: %(choices)s.") % {"choices": ", ".join((*OUTCOME_KINDS, "closed"))}]
            },
        )
    closing = kind == "closed"
    note = clean_note(note, field="reason" if closing else "note", required=closing)
    if not closing and date is None:
        raise ApplicationError(
            gettext("date: required for a partnership."),
            code="required",
            fields={"date": [gettext("Required for a partnership.")]},
        )
    if not closing and date > timezone.localdate() + dt.timedelta(days=366):
        raise ApplicationError(
            gettext("date: more than a year ahead."),
            fields={"date": [gettext("Must not be more than a year in the future.")]},
        )
    with transaction.atomic():
        locked = _lock_with_firms(proposal, "close" if closing else "record_partnership")
        acting: Firm | None = None
        if firm is not None or not user.can_review:
            acting, role = _acting_firm(proposal=locked, user=user, firm=firm)
        else:
            role = user.role
        if not (closing and acting is None):
            # A reviewer may still close a connection with a firm that left matching; nobody else records an outcome.
            _require_eligible(locked)
        if not closing:
            _require_date_after_introduction(locked, date)
        if closing:
            _record(locked, to_status=S.CLOSED, actor=user, actor_role=role, firm=acting, note=note)
        else:
            locked.outcome_kind, locked.outcome_date = kind, date
            _record(
                locked,
                to_status=S.PARTNERSHIP,
                actor=user,
                actor_role=role,
                firm=acting,
                note=note,
                data={"kind": kind, "date": date.isoformat()},
                fields=["outcome_kind", "outcome_date"],
            )
    return locked


def _require_date_after_introduction(proposal: Proposal, date: dt.date) -> None:
    """A partnership that came of an introduction cannot start before it: not before the day the
    proposal was created (Kyiv time)."""
    first = timezone.localdate(proposal.created_at)
    if date < first:
        rule = gettext("Must not be before %(date)s, the day this introduction was proposed.") % {
            "date": first.isoformat()
        }
        raise ApplicationError(gettext("date: before the introduction.") + " " + rule, fields={"date": [rule]})


# --- System -----------------------------------------------------------------------------------


def proposal_supersede(*, proposal: Proposal | int, reason: str = "") -> Proposal:
    """proposed -> superseded, by the matching job when a newer run no longer proposes the pair."""
    with transaction.atomic():
        locked = _lock(proposal, "supersede")
        _record(locked, to_status=S.SUPERSEDED, actor=None, actor_role="system", note=reason)
    return locked


def proposal_withdraw(
    *,
    proposal: Proposal | int,
    actor: User | None,
    actor_role: str,
    reason: str = "",
    note_code: str = "",
    note_params: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Proposal:
    """proposed/approved -> withdrawn: a firm left matching (suspended, sanctions match, changed identity).

    The event's note is `reason` as written, or a system note `note_code` with `note_params`, worded in
    the reader's language when shown (`registry.history.revision_note`); `data` says why in machine
    form, e.g. {"reason": "suspended", "firm": 12}.
    """
    reason = clean_note(reason, field="reason", required=not note_code)
    with transaction.atomic():
        locked = _lock(proposal, "withdraw")
        _record(
            locked,
            to_status=S.WITHDRAWN,
            actor=actor,
            actor_role=actor_role,
            note=reason,
            note_code=note_code,
            note_params=note_params,
            data={"action": "withdraw", **(data or {})},
        )
    return locked


def proposals_withdraw_for_firm(
    *,
    firm: Firm,
    actor: User | None,
    actor_role: str,
    reason: str = "",
    note_code: str = "",
    note_params: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Withdraw every open (proposed/approved) proposal of `firm`, each through `proposal_withdraw`.

    Call inside the transaction that holds the firm's row lock (the change that makes it ineligible):
    transitions needing an eligible firm wait for that lock, so none slips in between. Connected
    ones stay; their contacts are hidden while the firm is ineligible. Returns how many.
    """
    pks = list(
        Proposal.objects.filter(Q(ukrainian=firm) | Q(partner=firm), status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    withdrawn = 0
    for pk in pks:
        try:
            proposal_withdraw(
                proposal=pk,
                actor=actor,
                actor_role=actor_role,
                reason=reason,
                note_code=note_code,
                note_params=note_params,
                data=data,
            )
        except ConflictError:
            continue  # decided, expired or superseded meanwhile
        withdrawn += 1
    return withdrawn


def proposal_expire(*, proposal: Proposal | int, now: dt.datetime | None = None) -> Proposal:
    """approved -> expired when both firms have not accepted within REVIEW["EXPIRY_DAYS"]."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(proposal, "expire")
        if locked.status_changed_at > now - expiry_period():
            raise ConflictError(
                gettext("This proposal is not due to expire yet."), current_state=locked.status, code="not_due"
            )
        _expire(locked)
    return locked


def _expire(locked: Proposal) -> None:
    _record(locked, to_status=S.EXPIRED, actor=None, actor_role="system")


def expiry_period() -> dt.timedelta:
    return dt.timedelta(days=settings.REVIEW.get("EXPIRY_DAYS", 30))


def proposals_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire every approved proposal past its deadline; each in its own transaction. Safe to run twice."""
    now = now or timezone.now()
    due = Proposal.objects.filter(status=S.APPROVED, status_changed_at__lte=now - expiry_period())
    expired = 0
    for pk in due.values_list("pk", flat=True).iterator():
        try:
            proposal_expire(proposal=pk, now=now)
        except ConflictError:
            continue  # accepted, declined or expired by someone else meanwhile
        expired += 1
    return expired


# States an event follow-up ("yes" from both firms after their meeting) reopens as approved.
REOPEN_AFTER_EVENT = frozenset({S.PROPOSED, S.SUPERSEDED, S.EXPIRED, S.DECLINED})


def proposal_open_after_meeting(*, ukrainian: Firm, partner: Firm, data: dict[str, Any]) -> Proposal:
    """Both firms said after meeting at an event that it should lead somewhere: the pair's proposal
    becomes `approved` (created if the pair has none) and goes on through the usual opt-in. An
    approved, connected or decided one is left as it is. Both firms must be eligible (409 otherwise)."""
    with transaction.atomic():
        list(
            Firm.objects.select_for_update(no_key=True)
            .filter(pk__in=[ukrainian.pk, partner.pk])
            .order_by("pk")
            .values_list("pk")
        )
        proposal, _ = Proposal.objects.get_or_create(
            ukrainian=ukrainian, partner=partner, defaults={"score": 0.0, "status": S.PROPOSED}
        )
        locked = (
            Proposal.objects.select_related("ukrainian", "partner").select_for_update(of=("self",)).get(pk=proposal.pk)
        )
        if locked.status in REOPEN_AFTER_EVENT:
            _require_eligible(locked)
            locked.ukrainian_accepted_at = locked.partner_accepted_at = None
            _record(
                locked,
                to_status=S.APPROVED,
                actor=None,
                actor_role="system",
                data={"action": "event_follow_up", **data},
                fields=["ukrainian_accepted_at", "partner_accepted_at"],
            )
    return locked
