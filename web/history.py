"""What a proposal's history says about each event: what happened and who did it, in the page's
language ("Accepted by Dnipro Drone Works", "Approved by the ministry reviewer"). The one home of
these labels: firms' and reviewers' proposal pages render `web/partials/proposal_history.html`."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from matching.models import Proposal, ProposalEvent
from registry.history import field_labels

S = Proposal.Status


def proposal_event_label(event: ProposalEvent) -> str:
    """The event as one sentence naming the action and the actor (a firm by name, the ministry by role)."""
    firm = event.firm.name if event.firm_id and event.firm else ""
    action = (event.data or {}).get("action")
    to = event.to_status
    admin = event.actor_role == "administrator"
    if to == S.PROPOSED:
        if action == "request" and firm:
            return _("Introduction requested by %(firm)s") % {"firm": firm}
        return _("Proposed by matching")
    if to == S.APPROVED and action == "accept":
        if event.data.get("implied"):
            return _("Accepted by %(firm)s, which asked for the introduction") % {"firm": firm}
        return _("Accepted by %(firm)s") % {"firm": firm}
    if to == S.APPROVED and action == "event_follow_up":
        return _("Reopened: both firms asked for it after meeting at an event")
    if to == S.APPROVED:
        return _("Approved by an administrator") if admin else _("Approved by the ministry reviewer")
    if to == S.REJECTED:
        return _("Rejected by an administrator") if admin else _("Rejected by the ministry reviewer")
    if to == S.CONNECTED:
        return _("Accepted by %(firm)s: both firms accepted, contacts are shared") % {"firm": firm}
    if to == S.DECLINED:
        return _("Declined by %(firm)s") % {"firm": firm}
    if to == S.EXPIRED:
        return _("Expired: not accepted by both firms in time")
    if to == S.SUPERSEDED:
        return _("Superseded: a newer match run no longer proposes it")
    if to == S.WITHDRAWN:
        return _("Withdrawn: a firm left matching")
    if to == S.PARTNERSHIP:
        kind = event.data.get("kind", "")
        values = {
            "firm": firm,
            "kind": str(Proposal.OutcomeKind(kind).label) if kind in Proposal.OutcomeKind.values else kind,
            "date": _outcome_date(event.data.get("date", "")),
        }
        if firm:
            return _("Partnership recorded by %(firm)s: %(kind)s, %(date)s") % values
        return _("Partnership recorded by the ministry: %(kind)s, %(date)s") % values
    if to == S.CLOSED:
        if firm:
            return _("Closed without a partnership by %(firm)s") % {"firm": firm}
        return _("Closed without a partnership by the ministry")
    return str(S(to).label) if to in S.values else to


def _outcome_date(value: str) -> str:
    """An ISO date of the event's data in the page's format (as typed if it is not a date)."""
    try:
        return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return value


def firm_revision_label(revision) -> str:
    """A change of a firm (a `FirmRevision`) as its history shows it: a status decision, the ministry's
    capacity override, the declared beneficial owners before and after, or which profile fields changed."""
    from registry.models import Firm

    status = (revision.changes or {}).get("status")
    if isinstance(status, dict) and status.get("new") in Firm.Status.values:
        new = status["new"]
        if new == Firm.Status.VERIFIED:
            return _("Verified")
        if new == Firm.Status.SUSPENDED:
            return _("Suspended")
        return _("Back to pending verification")
    if revision.source == "capacity":
        return _("Capacity override changed")
    owners = (revision.changes or {}).get("owners")
    if isinstance(owners, dict):  # compliance data: which owners were declared before and after, in full
        listed = {key: "; ".join(owners.get(key) or []) or _("none") for key in ("old", "new")}
        return _("Beneficial owners changed. Before: %(old)s. Now: %(new)s.") % listed
    if not revision.changed_fields:
        return _("Profile recorded")
    return _("Profile changed: %(fields)s") % {"fields": field_labels(revision.changed_fields[:12])}
