"""Writes of the directory: introduction requests, saved searches, and the alerts they raise.

An introduction request becomes a proposal with origin `requested`, scored and explained like a
run's, waiting in the reviewers' queue with the requester's message. Its audit trail is a
ProposalEvent (action `request`) written in the same transaction, under a lock of the requesting
firm's row so its count of open requests cannot be passed by two requests at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from accounts.models import Membership, User
from accounts.selectors import user_language
from core.errors import ApplicationError, ConflictError
from core.exports import Export, table_export
from core.outbox import outbox_enqueue
from core.permissions import require_reviewer
from core.text import normalize_newlines, text_problem
from directory.completeness import completeness_annotate, completeness_score
from directory.filters import QUERY_PARAMS, DirectoryFilter
from directory.models import SavedSearch, SavedSearchAlert
from directory.selectors import directory_queryset, directory_require, firm_may_request_from
from matching.models import Notification, Proposal, ProposalEvent
from matching.scoring import firm_capacity
from matching.services.runs import match_params
from registry.models import Firm, profile_stale_cutoff
from registry.selectors import firm_intro_capacity, firm_matching_block
from review.services.notifications import SEND_TASK, notification_texts
from review.services.workflow import introduction_require_two_people

if TYPE_CHECKING:
    from django.db.models import QuerySet

log = logging.getLogger(__name__)
S = Proposal.Status
MESSAGE_MIN, MESSAGE_MAX = 20, 1000
OPEN = (S.PROPOSED, S.APPROVED)
# A pair at any of these stages already is, or was, an introduction: it is not asked for again.
TAKEN = (S.PROPOSED, S.APPROVED, S.CONNECTED, S.PARTNERSHIP, S.CLOSED)
TURNED_DOWN = (S.DECLINED, S.REJECTED)
ALERTS_TASK = "directory.tasks.saved_search_alerts_task"


def _config(name: str) -> Any:
    return settings.DIRECTORY[name]


def _clean_message(value: Any) -> str:
    message = normalize_newlines(str(value or "").strip()) if isinstance(value, str | type(None)) else None
    if message is None:
        raise ApplicationError(gettext("message: must be text."), fields={"message": [gettext("Must be text.")]})
    if not MESSAGE_MIN <= len(message) <= MESSAGE_MAX:
        rule = gettext(
            "Write between %(min)s and %(max)s characters: why you ask for this introduction and what you "
            "propose (now %(n)s)."
        ) % {"min": MESSAGE_MIN, "max": number_format(MESSAGE_MAX, force_grouping=True), "n": len(message)}
        raise ApplicationError(
            f"message: {rule}", code="required" if not message else "length", fields={"message": [rule]}
        )
    if problem := text_problem(message, multiline=True):
        raise ApplicationError(f"message: {problem}", fields={"message": [problem]})
    return message


def introduction_require_requester(*, user: User) -> list[Firm]:
    """The user's firms that may ask for introductions (owner or editor of an eligible firm), or 403."""
    writable = firm_may_request_from(user=user, target=None)
    if not writable:
        raise ApplicationError(
            gettext("Only an owner or editor of a verified firm can ask for an introduction."),
            code="permission_denied",
            status=403,
        )
    return writable


def _acting_firm(*, user: User, target: Firm, firm_id: int | None) -> Firm:
    writable = introduction_require_requester(user=user)
    firms = [f for f in writable if f.side != target.side]
    if firm_id is not None:
        firms = [f for f in firms if f.pk == firm_id]
        if not firms:
            raise ApplicationError(
                gettext("firm: not a verified firm of yours, on the other side, that you can act for."),
                fields={"firm": [gettext("Choose one of your firms on the other side where you are owner or editor.")]},
            )
    if not firms:
        raise ApplicationError(
            gettext("Introductions join a Ukrainian firm with a partner-country firm: ask a firm on the other side."),
            code="same_side",
        )
    if len(firms) > 1 and firm_id is None:
        raise ApplicationError(
            gettext("firm: required, you act for more than one firm."),
            code="required",
            fields={"firm": [gettext("Say which of your firms asks for the introduction.")]},
        )
    return firms[0]


def target_capacity_left(*, target: Firm) -> int:
    """Introductions `target` can still take: its capacity (override, own setting or size default,
    as in a match run) minus approved and connected proposals and requested ones under review."""
    override = firm_intro_capacity(firm=target)
    cap = firm_capacity(
        np.array([np.nan if target.employees is None else target.employees], dtype=np.float64),
        match_params(),
        override=None if override is None else np.array([override], dtype=np.float64),
    )[0]
    used = (
        Proposal.objects.filter(Q(ukrainian=target) | Q(partner=target))
        .filter(Q(status__in=[S.APPROVED, S.CONNECTED]) | Q(status=S.PROPOSED, origin=Proposal.Origin.REQUESTED))
        .count()
    )
    return int(cap) - used


def introduction_request(*, user: User, target: Firm, message: Any, firm_id: int | None = None) -> Proposal:
    """An owner or editor of a verified firm asks to be introduced to `target` (on the other side)."""
    from directory.scoring import pair_score

    directory_require(user=user)
    message = _clean_message(message)
    acting = _acting_firm(user=user, target=target, firm_id=firm_id)
    ua, partner = (acting, target) if acting.side == Firm.Side.UKRAINIAN else (target, acting)
    introduction_require_two_people(user=user, ukrainian=ua, partner=partner)
    now = timezone.now()
    with transaction.atomic():
        # Both firms locked (in id order, as the review workflow does): the open-request count and
        # the target's capacity are read under the lock, and neither firm can leave matching meanwhile.
        locked = {f.pk: f for f in Firm.objects.select_for_update().filter(pk__in=[ua.pk, partner.pk]).order_by("pk")}
        for firm in locked.values():
            if firm_matching_block(firm=firm) is not None:
                raise ConflictError(
                    gettext("%(firm)s cannot be introduced now.") % {"firm": firm.name},
                    current_state="",
                    code="not_eligible",
                )
        open_requests = Proposal.objects.filter(
            origin=Proposal.Origin.REQUESTED, requested_by_firm=acting, status__in=OPEN
        ).count()
        if open_requests >= _config("MAX_OPEN_REQUESTS"):
            raise ConflictError(
                gettext(
                    "%(firm)s already has %(n)s open introduction requests, the most allowed; wait until "
                    "some are decided."
                )
                % {"firm": acting.name, "n": open_requests},
                current_state="",
                code="too_many_requests",
            )
        existing = Proposal.objects.select_for_update().filter(ukrainian=ua, partner=partner).first()
        if existing is not None and existing.status in TAKEN:
            raise ConflictError(
                gettext("These two firms already have an introduction (%(status)s).")
                % {"status": str(S(existing.status).label).lower()},
                current_state=existing.status,
                code="already_introduced",
            )
        cooldown = dt.timedelta(days=_config("REQUEST_COOLDOWN_DAYS"))
        if existing is not None and existing.status in TURNED_DOWN and existing.status_changed_at > now - cooldown:
            until = timezone.localtime(existing.status_changed_at + cooldown).date().isoformat()
            raise ConflictError(
                gettext("This introduction was turned down; you can ask again from %(date)s.") % {"date": until},
                current_state=existing.status,
                code="cooling_down",
            )
        if target_capacity_left(target=locked[target.pk]) <= 0:
            raise ConflictError(
                gettext("%(firm)s has as many introductions open as it can handle; try again later.")
                % {"firm": target.name},
                current_state="",
                code="target_at_capacity",
            )
        row = pair_score(ukrainian_id=ua.pk, partner_id=partner.pk)
        fields = {
            "score": row.score if row else 0.0,
            "components": row.components if row else {},
            "reasons": row.reasons if row else {},
            "flags": row.flags if row else {},
            "status": S.PROPOSED,
            "status_changed_at": now,
            "origin": Proposal.Origin.REQUESTED,
            "requested_by_firm": acting,
            "requested_by": user,
            "request_message": message,
            "requested_at": now,
            "ukrainian_accepted_at": None,
            "partner_accepted_at": None,
            "rank_for_ukrainian": None,
            "rank_for_partner": None,
        }
        from_status = ""
        if existing is None:
            proposal = Proposal.objects.create(ukrainian=ua, partner=partner, **fields)
        else:
            from_status = existing.status
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            proposal = existing
        role = Membership.objects.filter(user=user, firm=acting).values_list("role", flat=True).first()
        ProposalEvent.objects.create(
            proposal=proposal,
            actor=user,
            actor_role=role or "",
            firm=acting,
            from_status=from_status,
            to_status=S.PROPOSED,
            data={"action": "request"},
        )
    return proposal


# --- Saved searches ---------------------------------------------------------------------------


def _clean_query(query: Any) -> dict[str, str]:
    if not isinstance(query, Mapping):
        raise ApplicationError(
            gettext("query: must be an object of directory filters."), fields={"query": [gettext("Must be an object.")]}
        )
    unknown = sorted(set(query) - set(QUERY_PARAMS))
    if unknown:
        raise ApplicationError(
            gettext("query: unknown filters %(names)s.") % {"names": ", ".join(unknown)},
            fields={"query": [gettext("Allowed filters: %(names)s.") % {"names": ", ".join(QUERY_PARAMS)}]},
        )
    # Keys in one order: "the same search" must not depend on the order a client sent them (SQLite
    # compares JSON as text; the unique constraint and the existence check both read this).
    clean = {k: str(query[k]).strip() for k in sorted(query) if query[k] not in (None, "") and str(query[k]).strip()}
    if not clean:
        raise ApplicationError(
            gettext("query: give at least one filter or a search text."),
            code="required",
            fields={"query": [gettext("A saved search needs at least one filter or a search text.")]},
        )
    bound = DirectoryFilter(data=clean, queryset=directory_queryset())
    if not bound.is_valid():
        fields = {f"query.{name}": [str(e) for e in errors] for name, errors in bound.errors.items()}
        first = next(iter(fields.items()))
        raise ApplicationError(f"{first[0]}: {first[1][0]}", fields=fields)
    return clean


def _clean_name(value: Any, query: dict[str, str]) -> str:
    name = str(value or "").strip() or ", ".join(f"{k}={v}" for k, v in query.items())
    name = name[:120]
    if problem := text_problem(name):
        raise ApplicationError(f"name: {problem}", fields={"name": [problem]})
    return name


def _clean_frequency(value: Any) -> str:
    value = value or SavedSearch.Frequency.IMMEDIATE
    if value not in SavedSearch.Frequency.values:
        choices = ", ".join(SavedSearch.Frequency.values)
        raise ApplicationError(
            gettext("frequency: must be one of %(choices)s.") % {"choices": choices},
            fields={"frequency": [gettext("Must be one of: %(choices)s.") % {"choices": choices}]},
        )
    return value


def _already_saved(same: SavedSearch) -> ApplicationError:
    message = gettext("You already keep this search as “%(name)s”; change or delete that one.") % {"name": same.name}
    return ApplicationError(message, code="already_saved", status=409, fields={"query": [message]})


def saved_search_create(*, user: User, query: Any, name: Any = "", frequency: Any = None) -> SavedSearch:
    """Keep a search for `user`; the same query twice (however the keys are ordered) is a 409 naming
    the kept one. The (user, query) constraint decides between two saves at the same moment."""
    directory_require(user=user)
    clean = _clean_query(query)
    same = SavedSearch.objects.filter(user=user, query=clean).first()  # jsonb equality: key order does not count
    if same is not None:
        raise _already_saved(same)
    search = SavedSearch(user=user, query=clean, name=_clean_name(name, clean), frequency=_clean_frequency(frequency))
    search.full_clean(validate_constraints=False)  # the constraint is the database's, checked by the insert
    try:
        with transaction.atomic():
            search.save()
    except IntegrityError:
        same = SavedSearch.objects.filter(user=user, query=clean).first()
        if same is None:  # not the race this constraint settles: let it be seen
            raise
        raise _already_saved(same) from None
    return search


def saved_search_update(*, search: SavedSearch, name: Any = None, frequency: Any = None) -> SavedSearch:
    if name is not None:
        search.name = _clean_name(name, search.query)
    if frequency is not None:
        search.frequency = _clean_frequency(frequency)
    search.save(update_fields=["name", "frequency"])
    return search


def saved_search_delete(*, search: SavedSearch) -> None:
    search.delete()


def saved_search_alerts_request(*, firm: Firm, **_payload: Any) -> None:
    """Domain-event handler (firm verified / changed): check the saved searches after commit."""
    outbox_enqueue(ALERTS_TASK, firm_id=firm.pk)


def saved_search_alerts_for_firm(*, firm_id: int) -> int:
    """Alert every saved search that `firm_id` now matches and has not alerted yet; returns how many.

    The unique (search, firm) constraint makes a repeated or concurrent run harmless: one alert per
    firm and search, ever, however often the firm changes."""
    if not directory_queryset().filter(pk=firm_id).exists():
        return 0
    already = set(SavedSearchAlert.objects.filter(firm_id=firm_id).values_list("saved_search_id", flat=True))
    created = 0
    searches = SavedSearch.objects.exclude(pk__in=already).select_related("user").order_by("pk")
    for search in searches.iterator():
        if search.user.is_active is False or not _matches(search, firm_id):
            continue
        if _own_firm(search.user, firm_id):
            continue
        try:
            with transaction.atomic():
                alert = SavedSearchAlert.objects.create(saved_search=search, firm_id=firm_id)
                if search.frequency == SavedSearch.Frequency.IMMEDIATE:
                    _deliver(search, [alert])
        except IntegrityError:
            continue  # alerted by a concurrent run
        created += 1
    return created


def _own_firm(user: User, firm_id: int) -> bool:
    return Membership.objects.filter(user=user, firm_id=firm_id).exists()


def _matches(search: SavedSearch, firm_id: int) -> bool:
    bound = DirectoryFilter(data=search.query, queryset=directory_queryset().filter(pk=firm_id))
    return bound.is_valid() and bound.qs.exists()


def _deliver(search: SavedSearch, alerts: list[SavedSearchAlert]) -> Notification | None:
    """One in-app notification (emailed after commit) for these alerts, claimed so each is sent once."""
    ids = [a.pk for a in alerts]
    claimed = SavedSearchAlert.objects.filter(pk__in=ids, delivered_at__isnull=True).update(delivered_at=timezone.now())
    if not claimed:
        return None
    firms = list(Firm.objects.filter(pk__in=[a.firm_id for a in alerts]).order_by("name").values_list("pk", "name"))

    def render() -> tuple[str, str]:
        title = ngettext(
            "A new firm matches your saved search “%(name)s”",
            "%(count)s new firms match your saved search “%(name)s”",
            len(firms),
        ) % {"name": search.name, "count": len(firms)}
        body = gettext("Firms that now match your saved directory search “%(name)s”:") % {"name": search.name}
        return title, body + "\n" + "\n".join(f"- {name} (/directory/{pk}/)" for pk, name in firms)

    texts = notification_texts(render)  # shown in the reader's language, whichever it is later
    with translation.override(user_language(user=search.user)):
        title, body = render()  # what the email says, in the person's language
    notification = Notification.objects.create(
        user=search.user,
        kind="saved_search",
        title=title[:300],
        body=body,
        texts=texts,
        idempotency_key=f"saved-search:{search.pk}:" + ",".join(str(i) for i in sorted(ids))[:90],
    )
    outbox_enqueue(SEND_TASK, notification_id=notification.pk)
    return notification


def saved_search_digests_send(*, now: dt.datetime | None = None) -> int:
    """Send the daily and weekly digests that are due: one notification per search with alerts waiting."""
    now = now or timezone.now()
    due = {SavedSearch.Frequency.DAILY: dt.timedelta(days=1), SavedSearch.Frequency.WEEKLY: dt.timedelta(days=7)}
    sent = 0
    searches: QuerySet[SavedSearch] = (
        SavedSearch.objects.filter(frequency__in=list(due), alerts__delivered_at__isnull=True)
        .distinct()
        .select_related("user")
    )
    for search in searches.order_by("pk"):
        if search.last_digest_at and search.last_digest_at > now - due[search.frequency] + dt.timedelta(minutes=5):
            continue
        with transaction.atomic():
            alerts = list(search.alerts.filter(delivered_at__isnull=True).order_by("pk"))
            if alerts and _deliver(search, alerts) is not None:
                SavedSearch.objects.filter(pk=search.pk).update(last_digest_at=now)
                sent += 1
    return sent


# --- Reviewers' exports -------------------------------------------------------------------------


# What a row of the firm list's export reads (the completeness score is computed by the database).
EXPORT_FIRM_FIELDS = (
    "id",
    "ref",
    "name",
    "country",
    "side",
    "edrpou",
    "lei",
    "status",
    "screening_status",
    "created_at",
    "confirmed_at",
)


def reviewer_firms_export(*, user: User, firms: QuerySet[Firm], file: str, language: str | None = None) -> Export:
    """The reviewers' firm list (`directory.selectors.reviewer_firm_filter(...).qs`) as a CSV or XLSX
    file, headers and labels in `language` (a page's download: the page's language), else the
    reviewer's; one query however many firms."""
    require_reviewer(user)
    firms = completeness_annotate(firms.only(*EXPORT_FIRM_FIELDS))
    with translation.override(language or user_language(user=user)):
        headers = [
            gettext("Name"), gettext("Ref"), "EDRPOU", "LEI", gettext("Country"), gettext("Side"),
            gettext("Status"), gettext("Screening"), gettext("Completeness, percent"), gettext("Registered"),
            gettext("Profile confirmed"), gettext("Stale"),
        ]  # fmt: skip
        cutoff, yes, no = profile_stale_cutoff(), gettext("Yes"), gettext("No")
        sides, statuses, screening = (
            {value: str(label) for value, label in choices.choices}
            for choices in (Firm.Side, Firm.Status, Firm.ScreeningStatus)
        )
        rows = [
            [
                f.name, f.ref, f.edrpou, f.lei, str(f.country), sides.get(f.side, f.side),
                statuses.get(f.status, f.status), screening.get(f.screening_status, f.screening_status),
                completeness_score(f.completeness_points), timezone.localtime(f.created_at).date().isoformat(),
                timezone.localtime(f.confirmed_at).date().isoformat(), yes if f.confirmed_at <= cutoff else no,
            ]
            for f in firms.iterator(chunk_size=2000)
        ]  # fmt: skip
        return table_export(file=file, headers=headers, rows=rows, title=gettext("Firms"), name="firms")
