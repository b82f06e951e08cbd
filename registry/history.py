"""How a firm's profile history reads: the profile fields by name and the notes the system writes, in
the reader's language at the time of reading (pages and the API call these; nothing stores a sentence)."""

import datetime as dt
from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The name of each field of the profile (exchange format) and of the history's own entries.
FIELD_LABELS = {
    "ref": gettext_lazy("Reference"),
    "name": gettext_lazy("Legal name"),
    "country": gettext_lazy("Country"),
    "edrpou": gettext_lazy("EDRPOU code"),
    "lei": gettext_lazy("LEI"),
    "ncage": gettext_lazy("NCAGE code"),
    "website": gettext_lazy("Website"),
    "employees": gettext_lazy("Employees"),
    "founded": gettext_lazy("Year founded"),
    "intro_capacity": gettext_lazy("Introductions I can handle at once"),
    "description": gettext_lazy("What the firm does"),
    "offers": gettext_lazy("Capabilities the firm offers"),
    "seeks": gettext_lazy("Capabilities the firm seeks"),
    "platforms": gettext_lazy("Weapon systems the firm works on"),
    "partnership_types": gettext_lazy("Partnership types wanted"),
    "certifications": gettext_lazy("Certifications"),
    "certification_expiry": gettext_lazy("Certificates valid until"),
    "security_clearance": gettext_lazy("Facility security clearance"),
    "export_regimes": gettext_lazy("Export-control regimes of offered items"),
    "languages": gettext_lazy("Working languages"),
    "contact": gettext_lazy("Contact"),
    "status": gettext_lazy("Status"),
    "owners": gettext_lazy("Beneficial owners"),
    "intro_capacity_override": gettext_lazy("introductions at once (ministry override)"),
    "confirmed_at": gettext_lazy("profile confirmed at"),
}

# The codes of the notes the system writes (FirmRevision.note_code, and ProposalEvent.note_code for
# the proposals a firm's change withdraws), with their note_params.
IDENTITY_CHANGED = "identity_changed"  # {"fields": [identity field, ...]}
CERTIFICATIONS_EXPIRED = "certifications_expired"  # {"expired": {certification code: last valid day}}
SUSPENDED_IN_ADMIN = "suspended_in_admin"  # {"by": username}: a reviewer's bulk action in the admin
FIRM_SUSPENDED = "firm_suspended"  # {"reason": the reviewer's reason, as written}: withdrawn proposals
SANCTIONS_CONFIRMED = "sanctions_confirmed"  # {} on withdrawn proposals; {"reason": as written} on the firm


def field_label(name: str) -> str:
    """A profile field's name in the active language (the field's key when it has none)."""
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name


def field_labels(names: Iterable[str]) -> str:
    return ", ".join(field_label(name) for name in names)


def revision_note(revision) -> str:
    """The note of a `FirmRevision` (or a `ProposalEvent`: the same fields) in the active language: a
    system note from its code and values, otherwise what a person wrote (a reviewer's reason), as written."""
    params = revision.note_params or {}
    code = revision.note_code
    if code == IDENTITY_CHANGED:
        return _("Identity changed (%(fields)s): back to pending for re-verification.") % {
            "fields": field_labels(params.get("fields") or [])
        }
    if code == CERTIFICATIONS_EXPIRED:
        expired = params.get("expired") or {}
        listed = "; ".join(
            _("%(certification)s (valid until %(date)s)") % {"certification": code, "date": _day(day)}
            for code, day in sorted(expired.items())
        )
        return _("Expired: %(certifications)s.") % {"certifications": listed}
    if code == SUSPENDED_IN_ADMIN:
        return _("Suspended in the admin by %(user)s.") % {"user": params.get("by", "")}
    if code == FIRM_SUSPENDED:
        return _("Firm suspended: %(reason)s") % {"reason": params.get("reason", "")}
    if code == SANCTIONS_CONFIRMED:
        if params.get("reason"):
            return _("Confirmed sanctions match: %(reason)s") % {"reason": params["reason"]}
        return _("Confirmed sanctions match.")
    return revision.note


def _day(value: str) -> str:
    try:
        return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value)
