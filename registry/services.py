"""Writes of the firm registry: create, update, verify, suspend, confirm, expire certifications, bulk
import, capabilities.

Every profile write validates with the exchange-format rules (`registry.exchange`), keeps a
FirmRevision, and asks for sanctions screening / rematching through the transactional outbox.
Status and screening fields are never taken from caller data (mass-assignment safe).

A verified firm whose identity changes (IDENTITY_FIELDS: name, country, EDRPOU, LEI, NCAGE) is
another firm as far as verification goes: it goes back to `pending`, its open proposals are
withdrawn and it is screened again. Other edits keep it verified.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Membership, User
from core import events
from core.errors import ApplicationError, ConflictError
from core.models import OutboxMessage
from core.outbox import outbox_enqueue
from core.permissions import require_reviewer
from registry.exchange import (
    SCREENED_FIELDS,
    ExchangeFileError,
    ImportResult,
    certification_expiry_kept,
    changed_fields,
    clean_to_model_fields,
    export_document,
    file_problems,
    firm_capabilities_prefetch,
    firm_clean_document,
    firm_document_problems,
    firm_platforms_prefetch,
)
from registry.history import CERTIFICATIONS_EXPIRED, FIRM_SUSPENDED, IDENTITY_CHANGED
from registry.identity import (
    UNIQUE_IDENTIFIERS,
    file_identity_problems,
    firm_identity_problems,
    identity_integrity_problem,
)
from registry.models import INTRO_CAPACITY_MAX, Capability, Firm, FirmCapability, FirmPlatform, FirmRevision, Platform
from registry.selectors import IDENTITY_FIELDS, firm_owner_lines

SCREEN_ONE_TASK = "compliance.tasks.screen_firm_task"
SCREEN_MANY_TASK = "compliance.tasks.screen_firms_task"
REMATCH_TASK = "matching.tasks.rematch_firm_task"
FULL_RUN_TASK = "matching.tasks.run_full_match_task"
SCREEN_MANY_CHUNK = 1000  # firm ids per bulk screening message: bounded message size
BATCH_SIZE = 1000


# --- Helpers ----------------------------------------------------------------------------------


def firm_screening_request(*, firm_ids: list[int], robust: bool = False) -> None:
    """Ask compliance to (re)screen these firms after commit: one bulk message per chunk when
    the bulk task exists, one message per firm otherwise (`robust`: see outbox_enqueue)."""
    from celery import current_app as app

    if not firm_ids:
        return
    if SCREEN_MANY_TASK in app.tasks:
        for start in range(0, len(firm_ids), SCREEN_MANY_CHUNK):
            chunk = list(firm_ids[start : start + SCREEN_MANY_CHUNK])
            outbox_enqueue(SCREEN_MANY_TASK, robust=robust, firm_ids=chunk)
    else:
        for firm_id in firm_ids:
            outbox_enqueue(SCREEN_ONE_TASK, robust=robust, firm_id=firm_id)


def _bulk_insert(model, objs: list) -> None:
    """Insert new rows in bulk: PostgreSQL COPY (far less per-row work than INSERT ... VALUES, which
    dominated a 10,000-firm import), bulk_create elsewhere. Primary keys are NOT set on `objs`."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            # pre_save fills auto_now(_add) timestamps, as bulk_create would.
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def _capability_ids() -> dict[str, int]:
    return dict(Capability.objects.values_list("code", "id"))


def _platform_ids() -> dict[str, int]:
    return dict(Platform.objects.values_list("code", "id"))


def _platform_links(firm_id: int, clean: Mapping, ids: Mapping[str, int]) -> list[FirmPlatform]:
    return [
        FirmPlatform(firm_id=firm_id, platform_id=ids[entry["platform"]], role=entry["role"])
        for entry in clean["platforms"]
    ]


def _raise_invalid(problems: list[tuple[str, str]]) -> None:
    fields: dict[str, list[str]] = {}
    for name, message in problems:
        fields.setdefault(name or "non_field_errors", []).append(message)
    summary = "; ".join(f"{name or 'firm'}: {message}" for name, message in problems[:3])
    if len(problems) > 3:
        summary = gettext("%(problems)s (and %(count)s more)") % {"problems": summary, "count": len(problems) - 3}
    raise ApplicationError(gettext("Invalid firm profile. %(problems)s") % {"problems": summary}, fields=fields)


def _capability_links(firm_id: int, clean: Mapping, codes: Mapping[str, int]) -> list[FirmCapability]:
    links = []
    for kind, key in ((FirmCapability.Kind.OFFER, "offers"), (FirmCapability.Kind.SEEK, "seeks")):
        for entry in clean[key]:
            links.append(
                FirmCapability(
                    firm_id=firm_id,
                    capability_id=codes[entry["capability"]],
                    kind=kind,
                    detail=entry["detail"],
                    monthly_capacity=entry["monthly_capacity"],
                )
            )
    return links


def _revision(
    firm: Firm,
    *,
    user: User | None,
    source: str,
    fields: list[str],
    clean: Mapping,
    note: str = "",
    before: Mapping | None = None,
    changes: Mapping | None = None,
    system_note: tuple[str, dict] | None = None,
):
    """A FirmRevision of `clean`; with `before` (the profile before), the old and new value of each
    of `fields`, plus `changes` given as such (e.g. the status)."""
    diff: dict[str, Any] = {}
    if before is not None:
        old, new = export_document(before), export_document(clean)
        # An export leaves out an empty platforms list; the history says [] (as for offers), not null.
        empty = {"platforms": []}
        diff = {name: {"old": old.get(name, empty.get(name)), "new": new.get(name, empty.get(name))} for name in fields}
    diff.update(changes or {})
    return FirmRevision(
        firm=firm,
        changed_by=user if user is not None and user.is_authenticated else None,
        source=source,
        changed_fields=[*fields, *(name for name in diff if name not in fields)],
        note=note,
        note_code=system_note[0] if system_note else "",
        note_params=system_note[1] if system_note else {},
        changes=diff,
        data=export_document(clean),
    )


def _identity_changed(firm: Firm, fields: list[str]) -> list[str]:
    """The identity fields among `fields` when they send `firm` (still verified) back to pending."""
    if firm.status != Firm.Status.VERIFIED:
        return []
    return [name for name in fields if name in IDENTITY_FIELDS]


def _reverification_note(identity: list[str]) -> tuple[str, dict]:
    """The history's note of a firm sent back to pending: a code and its values, put into words in the
    reader's language when shown (registry.history.revision_note)."""
    return IDENTITY_CHANGED, {"fields": list(identity)}


def _proposals_withdraw(
    event: str, *, firm: Firm, actor: User | None, actor_role: str, note: tuple[str, dict], data: dict
) -> None:
    """Announce that the firm left matching (firm row already locked): the review workflow
    withdraws its open proposals in this transaction (review/apps.py subscribes). `note` is the
    events' note as a code and its values (registry.history words it in the reader's language)."""
    code, params = note
    events.publish(
        event, firm=firm, actor=actor, actor_role=actor_role, reason="", note_code=code, note_params=params, data=data
    )


def _can_edit(firm: Firm, user: User) -> bool:
    return Membership.objects.filter(
        firm=firm, user=user, role__in=[Membership.Role.OWNER, Membership.Role.EDITOR]
    ).exists()


def _require_can_edit(firm: Firm, user: User) -> None:
    if not _can_edit(firm, user):
        raise ApplicationError(
            gettext("Only the firm's owners and editors can change its profile."), code="permission_denied", status=403
        )


# --- Single-firm writes -------------------------------------------------------------------------


@transaction.atomic
def firm_create(*, user: User, data: Any, source: str = "api") -> Firm:
    """Register a firm from an exchange-format document; the user becomes its owner; it starts pending."""
    codes, platforms = _capability_ids(), _platform_ids()
    clean, problems = firm_document_problems(data, capability_codes=codes, platform_codes=platforms)
    if clean.get("ref") and Firm.objects.filter(ref=clean["ref"]).exists():
        problems.append(("ref", gettext("a firm with ref %(ref)s already exists") % {"ref": repr(clean["ref"])}))
    problems += firm_identity_problems(clean=clean)
    if problems:
        _raise_invalid(problems)

    now = timezone.now()
    firm = Firm(**clean_to_model_fields(clean), status=Firm.Status.PENDING, status_changed_at=now)
    firm.full_clean()
    _save_one_identity(firm)
    FirmCapability.objects.bulk_create(_capability_links(firm.pk, clean, codes))
    FirmPlatform.objects.bulk_create(_platform_links(firm.pk, clean, platforms))
    Membership.objects.create(user=user, firm=firm, role=Membership.Role.OWNER)
    _revision(firm, user=user, source=source, fields=list(export_document(clean)), clean=clean).save()
    firm_screening_request(firm_ids=[firm.pk])
    return firm


@transaction.atomic
def firm_update(*, firm: Firm, user: User, data: Any, partial: bool = False, source: str = "api") -> Firm:
    """Change a firm's profile (owners and editors). `partial` merges `data` into the current profile
    (contact merged key by key; offers/seeks/platforms replaced as whole lists)."""
    _require_can_edit(firm, user)
    firm = (
        Firm.objects.select_for_update()
        .prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch())
        .get(pk=firm.pk)
    )
    before = firm_clean_document(firm)
    if not isinstance(data, Mapping):
        _raise_invalid([("", gettext("must be an object"))])
    given = data = dict(data)
    if partial:
        current = export_document(before)
        if isinstance(data.get("contact"), Mapping):
            data["contact"] = {**current["contact"], **data["contact"]}
        data = {**current, **data}
    if "certification_expiry" not in given:
        data.pop("certification_expiry", None)
        data = certification_expiry_kept(data, before)
    if _absent_ref(data.get("ref")):
        data["ref"] = firm.ref

    codes, platforms = _capability_ids(), _platform_ids()
    after, problems = firm_document_problems(
        data, capability_codes=codes, platform_codes=platforms, recorded_expiry=before["certification_expiry"]
    )
    if isinstance(data.get("ref"), str) and data["ref"] != firm.ref:
        problems.append(
            ("ref", gettext("cannot be changed: it is the firm's stable key (%(ref)s)") % {"ref": repr(firm.ref)})
        )
    if any(before[name] != after.get(name) for name in UNIQUE_IDENTIFIERS):
        problems += firm_identity_problems(clean=after, firm_pk=firm.pk)
    if problems:
        _raise_invalid(problems)

    fields = changed_fields(before, after)
    if not fields:
        return firm
    identity = _identity_changed(firm, fields)
    for name, value in clean_to_model_fields(after).items():
        setattr(firm, name, value)
    firm.confirmed_at = timezone.now()  # a member's edit confirms the profile (registry.freshness)
    status_change = {}
    if identity:
        status_change = {"status": {"old": firm.status, "new": Firm.Status.PENDING}}
        firm.status, firm.status_changed_at, firm.status_changed_by = Firm.Status.PENDING, timezone.now(), None
    firm.full_clean(validate_unique=False)
    _save_one_identity(firm)
    if "offers" in fields or "seeks" in fields:
        firm.capabilities.all().delete()
        FirmCapability.objects.bulk_create(_capability_links(firm.pk, after, codes))
    if "platforms" in fields:
        firm.platforms.all().delete()
        FirmPlatform.objects.bulk_create(_platform_links(firm.pk, after, platforms))
    revision = _revision(
        firm,
        user=user,
        source=source,
        fields=fields,
        clean=after,
        before=before,
        changes=status_change,
        system_note=_reverification_note(identity) if identity else None,
    )
    revision.save()
    if identity:
        _proposals_withdraw(
            events.FIRM_IDENTITY_CHANGED,
            firm=firm,
            actor=None,
            actor_role="system",
            note=_reverification_note(identity),
            data={"reason": "identity_changed", "firm": firm.pk, "fields": identity, "revision": revision.pk},
        )
    if any(name in SCREENED_FIELDS for name in fields):
        firm_screening_request(firm_ids=[firm.pk])
    if firm.status == Firm.Status.VERIFIED:
        outbox_enqueue(REMATCH_TASK, firm_id=firm.pk)
        events.publish(events.FIRM_CHANGED, firm=firm, actor=user)
    return firm


def _save_one_identity(firm: Firm) -> None:
    """Save `firm`; another firm registered with its EDRPOU or LEI meanwhile (the database's unique
    constraint) is the same invalid-profile error as when the check saw it first."""
    try:
        with transaction.atomic():
            firm.save()
    except IntegrityError as error:
        if (problem := identity_integrity_problem(error)) is None:
            raise
        _raise_invalid([problem])


def _absent_ref(value: Any) -> bool:
    return value is None or value == ""


def _require_reviewer(user: User) -> None:
    require_reviewer(user, gettext("Only ministry reviewers can change a firm's status."))


# One whole sentence per status, so each reads naturally once translated.
ALREADY_IN_STATUS = {
    Firm.Status.PENDING: gettext_lazy("The firm is already pending."),
    Firm.Status.VERIFIED: gettext_lazy("The firm is already verified."),
    Firm.Status.SUSPENDED: gettext_lazy("The firm is already suspended."),
}


def _set_status(
    *,
    firm: Firm,
    reviewer: User,
    status: str,
    allowed_from: tuple[str, ...],
    note: str,
    system_note: tuple[str, dict] | None = None,
) -> Firm:
    _require_reviewer(reviewer)
    # The row lock makes two reviewers acting at once see each other's decision (one gets 409).
    locked = (
        Firm.objects.select_for_update()
        .prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch())
        .get(pk=firm.pk)
    )
    if locked.status not in allowed_from:
        raise ConflictError(str(ALREADY_IN_STATUS[locked.status]), current_state=locked.status)
    old_status = locked.status
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = reviewer
    locked.save(update_fields=["status", "status_changed_at", "status_changed_by", "updated_at"])
    _revision(
        locked,
        user=reviewer,
        source="status",
        fields=[],
        clean=firm_clean_document(locked),
        note=note,
        system_note=system_note,
        changes={"status": {"old": old_status, "new": status}},
    ).save()
    return locked


@transaction.atomic
def firm_verify(*, firm: Firm, reviewer: User, note: str = "") -> Firm:
    """A reviewer verifies a pending (or reinstates a suspended) firm; it then enters matching."""
    firm = _set_status(
        firm=firm,
        reviewer=reviewer,
        status=Firm.Status.VERIFIED,
        allowed_from=(Firm.Status.PENDING, Firm.Status.SUSPENDED),
        note=note,
    )
    outbox_enqueue(REMATCH_TASK, firm_id=firm.pk)
    events.publish(events.FIRM_VERIFIED, firm=firm, actor=reviewer)
    return firm


@transaction.atomic
def firm_suspend(*, firm: Firm, reviewer: User, reason: str = "", system_note: tuple[str, dict] | None = None) -> Firm:
    """A reviewer suspends a firm, giving a reason; a suspended firm leaves matching and its open
    (proposed/approved) proposals are withdrawn. Connected ones stay, without contacts. `system_note`
    (a code of registry.history and its values: the admin's bulk action, a confirmed sanctions match)
    stands for the reason, worded in the reader's language when shown."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if system_note is not None:
        reason = ""
    elif not reason:
        raise ApplicationError(
            gettext("A reason is required to suspend a firm."),
            fields={"reason": [gettext("is required: say why the firm is suspended")]},
        )
    if len(reason) > 2000:
        raise ApplicationError(
            gettext("The reason is too long."), fields={"reason": [gettext("must be at most 2000 characters")]}
        )
    firm = _set_status(
        firm=firm,
        reviewer=reviewer,
        status=Firm.Status.SUSPENDED,
        allowed_from=(Firm.Status.PENDING, Firm.Status.VERIFIED),
        note=reason,
        system_note=system_note,
    )
    # Under the firm's row lock: an accept or approval waiting on it then sees the suspension.
    _proposals_withdraw(
        events.FIRM_SUSPENDED,
        firm=firm,
        actor=reviewer,
        actor_role=reviewer.role,
        note=system_note or (FIRM_SUSPENDED, {"reason": reason}),
        data={"reason": "suspended", "firm": firm.pk},
    )
    return firm


@transaction.atomic
def firm_intro_capacity_override_set(*, firm: Firm, reviewer: User, value: int | None, note: str = "") -> Firm:
    """A reviewer sets (or, with None, clears) the ministry's override of a firm's introductions at
    once (e.g. for a state holding); kept in the firm's history. Firms cannot set it themselves."""
    require_reviewer(reviewer, gettext("Only ministry reviewers can override a firm's capacity."))
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INTRO_CAPACITY_MAX
    ):
        raise ApplicationError(
            gettext("The capacity override is not valid."),
            fields={
                "value": [gettext("must be a whole number from 0 to %(max)s, or empty") % {"max": INTRO_CAPACITY_MAX}]
            },
        )
    locked = (
        Firm.objects.select_for_update()
        .prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch())
        .get(pk=firm.pk)
    )
    old = locked.intro_capacity_override
    if old == value:
        return locked
    locked.intro_capacity_override = value
    locked.save(update_fields=["intro_capacity_override", "updated_at"])
    _revision(
        locked,
        user=reviewer,
        source="capacity",
        fields=[],
        clean=firm_clean_document(locked),
        note=note,
        changes={"intro_capacity_override": {"old": old, "new": value}},
    ).save()
    return locked


def firm_owners_change_record(
    *, firm: Firm, user: User | None, before: list[str], source: str = "api"
) -> FirmRevision | None:
    """Keep a change of the firm's declared beneficial owners (compliance declares them, the firm row locked)
    in its profile history as `owners`: `before` is `firm_owner_lines` before the change. It touches
    `updated_at`, so the firm's ETag changes and the change feed (`updated_since`) lists it. The same
    owners as before: nothing is recorded."""
    after = firm_owner_lines(firm=firm)
    if after == before:
        return None
    locked = Firm.objects.prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch()).get(pk=firm.pk)
    locked.save(update_fields=["updated_at"])
    revision = _revision(
        locked,
        user=user,
        source=source,
        fields=[],
        clean=firm_clean_document(locked),
        changes={"owners": {"old": before, "new": after}},
    )
    revision.save()
    return revision


# --- Freshness: confirmation and certification expiry (the daily pass: registry.freshness) -------


@transaction.atomic
def firm_confirm(*, firm: Firm, user: User) -> Firm:
    """An owner or editor confirms that the profile is current: `confirmed_at` is now, so a stale
    firm is listed and matched again (a rematch and saved-search alerts follow, as after an edit)."""
    if not _can_edit(firm, user):
        raise ApplicationError(
            gettext("Only the firm's owners and editors can confirm its profile."),
            code="permission_denied",
            status=403,
        )
    locked = (
        Firm.objects.select_for_update()
        .prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch())
        .get(pk=firm.pk)
    )
    now = timezone.now()
    was_stale, old = locked.is_stale(now), locked.confirmed_at
    locked.confirmed_at = now
    locked.save(update_fields=["confirmed_at", "updated_at"])
    _revision(
        locked,
        user=user,
        source="confirm",
        fields=[],
        clean=firm_clean_document(locked),
        changes={"confirmed_at": {"old": old.isoformat(), "new": now.isoformat()}},
    ).save()
    if was_stale and locked.status == Firm.Status.VERIFIED:
        outbox_enqueue(REMATCH_TASK, firm_id=locked.pk)
        events.publish(events.FIRM_CHANGED, firm=locked, actor=user)
    return locked


@transaction.atomic
def firm_certifications_expire(*, firm_id: int, today: dt.date) -> dict[str, str]:
    """Remove the certifications whose last valid day is before `today` from the firm's profile,
    with a revision; they are then neither shown nor filtered on nor matched. Returns
    {code: last valid day} of those removed."""
    firm = (
        Firm.objects.select_for_update()
        .prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch())
        .get(pk=firm_id)
    )
    expiry = dict(firm.certification_expiry or {})
    expired = sorted(code for code, day in expiry.items() if dt.date.fromisoformat(day) < today)
    if not expired:
        return {}
    before = firm_clean_document(firm)
    firm.certifications = [code for code in firm.certifications if code not in expired]
    firm.certification_expiry = {code: day for code, day in expiry.items() if code not in expired}
    firm.save(update_fields=["certifications", "certification_expiry", "updated_at"])
    after = firm_clean_document(firm)
    fields = changed_fields(before, after)
    note = (CERTIFICATIONS_EXPIRED, {"expired": {code: expiry[code] for code in expired}})
    _revision(firm, user=None, source="expiry", fields=fields, clean=after, before=before, system_note=note).save()
    if firm.status == Firm.Status.VERIFIED:
        outbox_enqueue(REMATCH_TASK, firm_id=firm.pk)
        events.publish(events.FIRM_CHANGED, firm=firm, actor=None)
    return {code: expiry[code] for code in expired}


# --- Bulk import ----------------------------------------------------------------------------------


def firms_import(
    *, document: Any, status: str = Firm.Status.VERIFIED, user: User | None = None, rematch: bool = True
) -> ImportResult:
    """Import an exchange document atomically: all firms or none. Existing refs are updated (offers and
    seeks replaced; status kept, except that a verified firm whose identity changes goes back to
    pending and its open proposals are withdrawn, as with a profile edit), new ones created with `status`. Raises ExchangeFileError listing
    every problem. A constant number of queries per 1,000 firms, whatever the file size.

    Verified firms created or changed are rematched after commit, like a profile edit: one debounced
    rematch each, or one full match run when there are more than MATCHING["IMPORT_REMATCH_MAX_FIRMS"].
    Both are outbox messages, so they survive Redis being down. `rematch=False` leaves matching to
    the caller (the demo seed runs `manage.py match` next)."""
    if status not in (Firm.Status.VERIFIED, Firm.Status.PENDING):
        raise ValueError(f"import status must be verified or pending, not {status!r}")
    codes, platforms = _capability_ids(), _platform_ids()
    cleans, problems = file_problems(
        document, capability_codes=codes, platform_codes=platforms, recorded_expiry=_recorded_expiry(document)
    )
    problems += _file_identity_lines(cleans)
    if problems:
        raise ExchangeFileError(problems)
    try:
        return _firms_import(
            document=document,
            cleans=cleans,
            codes=codes,
            platforms=platforms,
            status=status,
            user=user,
            rematch=rematch,
        )
    except IntegrityError as error:  # a firm registered with one of the file's identifiers meanwhile
        if identity_integrity_problem(error) is None:
            raise
        raise ExchangeFileError(_file_identity_lines(cleans) or [str(error).splitlines()[0]]) from None


def _recorded_expiry(document: Any) -> dict[str, dict[str, str]]:
    """{ref: recorded certification_expiry} of the registered firms the file gives dates for: a date
    already recorded may be sent back as it was, even past (as through the API). No query otherwise."""
    firms = document.get("firms") if isinstance(document, Mapping) else None
    refs = sorted(
        {
            doc["ref"]
            for doc in (firms if isinstance(firms, list) else [])
            if isinstance(doc, Mapping) and isinstance(doc.get("ref"), str) and doc.get("certification_expiry")
        }
    )
    recorded: dict[str, dict[str, str]] = {}
    for start in range(0, len(refs), BATCH_SIZE):
        rows = Firm.objects.filter(ref__in=refs[start : start + BATCH_SIZE]).values_list("ref", "certification_expiry")
        recorded.update((ref, expiry or {}) for ref, expiry in rows)
    return recorded


def _file_identity_lines(cleans: list[dict]) -> list[str]:
    """The import's lines (English, as file_problems') of firms whose EDRPOU or LEI is another firm's."""
    with translation.override(None):
        clashes = file_identity_problems(cleans)
        return [
            f"firms[{index}] ({cleans[index]['ref']}): {name}: {message}"
            for index in sorted(clashes)
            for name, message in clashes[index]
        ]


def _firms_import(
    *,
    document: Any,
    cleans: list[dict],
    codes: dict[str, int],
    platforms: dict[str, int],
    status: str,
    user: User | None,
    rematch: bool,
) -> ImportResult:
    result = ImportResult()
    now = timezone.now()
    actor = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        existing: dict[str, Firm] = {}
        refs = [clean["ref"] for clean in cleans]
        for start in range(0, len(refs), BATCH_SIZE):
            chunk = refs[start : start + BATCH_SIZE]
            qs = (
                Firm.objects.filter(ref__in=chunk)
                .prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch())
                .select_for_update()
            )
            existing.update((firm.ref, firm) for firm in qs)

        new_firms: list[tuple[Firm, dict]] = []
        changed: list[tuple[Firm, dict, list[str]]] = []
        befores: dict[int, dict] = {}
        reverified: dict[int, list[str]] = {}
        for doc, clean in zip(document["firms"], cleans, strict=True):
            firm = existing.get(clean["ref"])
            if firm is None:
                firm = Firm(
                    **clean_to_model_fields(clean),
                    status=status,
                    status_changed_at=now,
                    status_changed_by=actor,
                )
                new_firms.append((firm, clean))
                continue
            before = firm_clean_document(firm)
            if "certification_expiry" not in doc:  # a file without the field keeps the recorded dates
                clean["certification_expiry"] = certification_expiry_kept(doc, before).get("certification_expiry", {})
            fields = changed_fields(before, clean)
            if not fields:
                result.unchanged += 1
                continue
            befores[firm.pk] = before
            identity = _identity_changed(firm, fields)
            if identity:
                reverified[firm.pk] = identity
                firm.status, firm.status_changed_at, firm.status_changed_by = Firm.Status.PENDING, now, actor
            for name, value in clean_to_model_fields(clean).items():
                setattr(firm, name, value)
            firm.updated_at = now  # bulk_update does not apply auto_now
            changed.append((firm, clean, fields))

        _bulk_insert(Firm, [firm for firm, _ in new_firms])
        new_refs = [firm.ref for firm, _ in new_firms]
        ids: dict[str, int] = {}
        for start in range(0, len(new_refs), BATCH_SIZE):
            ids.update(Firm.objects.filter(ref__in=new_refs[start : start + BATCH_SIZE]).values_list("ref", "id"))
        for firm, _ in new_firms:
            firm.pk = ids[firm.ref]
            firm._state.adding = False
        if changed:
            model_fields = [name for name in clean_to_model_fields(cleans[0])] + ["updated_at"]
            if reverified:
                model_fields += ["status", "status_changed_at", "status_changed_by"]
            Firm.objects.bulk_update([firm for firm, _, _ in changed], model_fields, batch_size=BATCH_SIZE)
            relinked = [firm.pk for firm, _, fields in changed if "offers" in fields or "seeks" in fields]
            for start in range(0, len(relinked), BATCH_SIZE):
                FirmCapability.objects.filter(firm_id__in=relinked[start : start + BATCH_SIZE]).delete()
            replatformed = [firm.pk for firm, _, fields in changed if "platforms" in fields]
            for start in range(0, len(replatformed), BATCH_SIZE):
                FirmPlatform.objects.filter(firm_id__in=replatformed[start : start + BATCH_SIZE]).delete()

        links: list[FirmCapability] = []
        platform_links: list[FirmPlatform] = []
        revisions: list[FirmRevision] = []
        for firm, clean in new_firms:
            links.extend(_capability_links(firm.pk, clean, codes))
            platform_links.extend(_platform_links(firm.pk, clean, platforms))
            revisions.append(
                _revision(firm, user=actor, source="import", fields=list(export_document(clean)), clean=clean)
            )
            result.created.append(firm.pk)
        for firm, clean, fields in changed:
            if "offers" in fields or "seeks" in fields:
                links.extend(_capability_links(firm.pk, clean, codes))
            if "platforms" in fields:
                platform_links.extend(_platform_links(firm.pk, clean, platforms))
            identity = reverified.get(firm.pk, [])
            revisions.append(
                _revision(
                    firm,
                    user=actor,
                    source="import",
                    fields=fields,
                    clean=clean,
                    before=befores[firm.pk],
                    changes={"status": {"old": Firm.Status.VERIFIED, "new": Firm.Status.PENDING}} if identity else None,
                    system_note=_reverification_note(identity) if identity else None,
                )
            )
            result.updated.append(firm.pk)
            if any(name in SCREENED_FIELDS for name in fields):
                result.screened.append(firm.pk)
        _bulk_insert(FirmCapability, links)
        _bulk_insert(FirmPlatform, platform_links)
        _bulk_insert(FirmRevision, revisions)
        for firm, _, _ in changed:
            if firm.pk in reverified:
                _proposals_withdraw(
                    events.FIRM_IDENTITY_CHANGED,
                    firm=firm,
                    actor=None,
                    actor_role="system",
                    note=_reverification_note(reverified[firm.pk]),
                    data={"reason": "identity_changed", "firm": firm.pk, "fields": reverified[firm.pk]},
                )
        result.screened = result.created + result.screened
        firm_screening_request(firm_ids=result.screened, robust=True)
        if rematch:
            _import_rematch_request(result, new_firms=[f for f, _ in new_firms], changed=[f for f, _, _ in changed])
    return result


def _import_rematch_request(result: ImportResult, *, new_firms: list[Firm], changed: list[Firm]) -> None:
    """Queue matching for the verified firms an import created or changed (inside its transaction)."""
    firm_ids = [firm.pk for firm in (*new_firms, *changed) if firm.status == Firm.Status.VERIFIED]
    if not firm_ids:
        return
    if len(firm_ids) > settings.MATCHING["IMPORT_REMATCH_MAX_FIRMS"]:
        # Starts a run; while one planned before the import committed is in progress, waits for it
        # (it may miss these firms). The request is stamped at commit, just before it is sent: a run
        # planned during a long import must not count as covering it.
        message: dict[str, int] = {}
        transaction.on_commit(
            lambda: OutboxMessage.objects.filter(pk=message["id"]).update(
                kwargs={"requested_at": timezone.now().isoformat()}
            )
        )  # registered first, so it runs before the outbox sends the message
        message["id"] = outbox_enqueue(FULL_RUN_TASK, robust=True, requested_at=timezone.now().isoformat()).pk
        result.full_run_requested = True
        return
    for firm_id in firm_ids:
        outbox_enqueue(REMATCH_TASK, robust=True, firm_id=firm_id)
    result.rematched = firm_ids


# --- Capabilities ----------------------------------------------------------------------------------


@transaction.atomic
def capability_create(*, user: User, data: Mapping) -> Capability:
    """Reviewers and administrators extend the taxonomy; codes are `domain.name`, lower case."""
    if not (user.is_authenticated and user.can_review):
        raise ApplicationError(
            gettext("Only reviewers and administrators can add capabilities."), code="permission_denied", status=403
        )
    capability = Capability(**{k: data.get(k, "") for k in ("code", "domain", "name_en", "name_uk", "ml_category")})
    fields: dict[str, list[str]] = {}
    code = capability.code
    if code and ("." not in code or code.split(".", 1)[0] != capability.domain):
        fields["code"] = [
            gettext("must be '<domain>.<name>' with the domain %(domain)s as prefix")
            % {"domain": repr(capability.domain)}
        ]
    if code and not set(code) <= set("abcdefghijklmnopqrstuvwxyz0123456789._"):
        fields.setdefault("code", []).append(gettext("must use only a-z 0-9 . _"))
    if fields:
        raise ApplicationError(gettext("Invalid capability."), fields=fields)
    capability.full_clean()
    capability.save()
    return capability


# --- One entry of a profile list (the API's capability and platform sub-resources) -------------------
# Each is a partial `firm_update` of that one list, on the firm row locked first: the same permissions,
# validation, history, identity and rematch rules as a PATCH, and no lost update between two of them.
# `precondition` (the API's If-Match, core.api.conditional.if_match_check) runs once the row is locked
# and the caller's right to edit is checked: it raises to refuse the edit, before anything changes.

Precondition = Callable[[], None] | None

CAPABILITY_LISTS = {FirmCapability.Kind.OFFER: "offers", FirmCapability.Kind.SEEK: "seeks"}


def _entries_locked(firm: Firm, key: str, *, user: User, precondition: Precondition) -> list[dict]:
    """The firm's current `key` list (exchange form), read with its row locked until commit."""
    _require_can_edit(firm, user)  # a 403 before any talk of preconditions
    locked = (
        Firm.objects.select_for_update()
        .prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch())
        .get(pk=firm.pk)
    )
    if precondition is not None:
        precondition()
    return list(export_document(firm_clean_document(locked)).get(key, []))


def _update_one_entry(*, firm: Firm, user: User, key: str, entries: list[dict], index: int | None, source: str):
    """firm_update of `key` only; a problem of the entry at `index` is named by its own field (`detail`,
    not `offers[3].detail`), the request's shape."""
    try:
        return firm_update(firm=firm, user=user, data={key: entries}, partial=True, source=source)
    except ApplicationError as error:
        if index is not None:
            prefix = f"{key}[{index}]."
            error.fields = {name.removeprefix(prefix): problems for name, problems in error.fields.items()}
        raise


@transaction.atomic
def firm_capability_put(
    *, firm: Firm, user: User, kind: str, entry: dict, source: str = "api", precondition: Precondition = None
) -> tuple[Firm, bool]:
    """Add one capability to the firm's offers or seeks, or replace that capability's detail and capacity.
    Returns the firm and whether the capability was new in that list."""
    key = CAPABILITY_LISTS[kind]
    entries = _entries_locked(firm, key, user=user, precondition=precondition)
    codes = [e.get("capability") for e in entries]
    new = entry.get("capability") not in codes
    index = len(entries) if new else codes.index(entry.get("capability"))
    entries[index : index + 1] = [entry]  # replaced in place: the list's order is not a change
    firm = _update_one_entry(firm=firm, user=user, key=key, entries=entries, index=index, source=source)
    return firm, new


@transaction.atomic
def firm_capability_remove(
    *, firm: Firm, user: User, kind: str, code: str, source: str = "api", precondition: Precondition = None
) -> Firm:
    """Take one capability out of the firm's offers or seeks; absent already: nothing changes (idempotent),
    but the caller still needs the right to edit."""
    key = CAPABILITY_LISTS[kind]
    current = _entries_locked(firm, key, user=user, precondition=precondition)
    kept = [e for e in current if e.get("capability") != code]
    return _update_one_entry(firm=firm, user=user, key=key, entries=kept, index=None, source=source)


@transaction.atomic
def firm_platform_add(
    *, firm: Firm, user: User, entry: dict, source: str = "api", precondition: Precondition = None
) -> tuple[Firm, bool]:
    """Add one platform and role pair to the firm; already there: nothing changes. Returns the firm and
    whether the pair was new."""
    current = _entries_locked(firm, "platforms", user=user, precondition=precondition)
    pair = (entry.get("platform"), entry.get("role"))
    if any((e["platform"], e["role"]) == pair for e in current):
        return firm_update(firm=firm, user=user, data={}, partial=True, source=source), False
    firm = _update_one_entry(
        firm=firm, user=user, key="platforms", entries=[*current, entry], index=len(current), source=source
    )
    return firm, True


@transaction.atomic
def firm_platform_remove(
    *, firm: Firm, user: User, platform: str, role: str, source: str = "api", precondition: Precondition = None
) -> Firm:
    """Take one platform and role pair off the firm; absent already: nothing changes (idempotent)."""
    current = _entries_locked(firm, "platforms", user=user, precondition=precondition)
    kept = [e for e in current if (e["platform"], e["role"]) != (platform, role)]
    return _update_one_entry(firm=firm, user=user, key="platforms", entries=kept, index=None, source=source)
