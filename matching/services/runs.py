"""Full match runs: start, split into chunks, score each chunk, finalise into proposals.

A run moves queued -> running -> succeeded | failed, each step claimed by a conditional
UPDATE so a repeated Celery message does nothing. Chunks score a slice of the Ukrainian
firms against every partner and store their candidates under (run, index); the chunk
whose commit completes the count enqueues the finaliser, which merges all candidates and
writes proposals in one transaction.
"""

from __future__ import annotations

import io
import json
import logging
import time
from dataclasses import dataclass, fields
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from core.errors import ApplicationError
from core.outbox import outbox_enqueue
from matching.features import Features, features_load, rows_of
from matching.models import MatchChunk, MatchRun, Proposal, ProposalEvent
from matching.scoring import (
    COMPONENTS,
    Candidates,
    ColumnTops,
    MatchParams,
    Model,
    explain,
    firm_capacity,
    select_proposals,
)

log = logging.getLogger(__name__)

# A pair that got this far is never proposed again.
NEVER_AGAIN = (
    Proposal.Status.APPROVED,
    Proposal.Status.CONNECTED,
    Proposal.Status.PARTNERSHIP,
    Proposal.Status.CLOSED,
)
# A pair turned down recently is left alone for settings.MATCHING["COOLDOWN_DAYS"].
COOLING_DOWN = (Proposal.Status.REJECTED, Proposal.Status.DECLINED, Proposal.Status.EXPIRED)
ACTIVE = (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING)
# Dropped by a run, or withdrawn when a firm left matching: proposed again as soon as a run selects
# the pair (runs only score eligible firms, so a withdrawn pair returns once both are eligible again).
PROPOSE_AGAIN = (Proposal.Status.SUPERSEDED, Proposal.Status.WITHDRAWN)


# --- parameters -------------------------------------------------------------------------------


def match_params() -> MatchParams:
    """The engine's defaults overridden by settings.MATCHING where a knob of the same name exists."""
    names = {f.name for f in fields(MatchParams)}
    return MatchParams(**{k.lower(): v for k, v in settings.MATCHING.items() if k.lower() in names})


def run_parameters() -> dict:
    return {**match_params().to_dict(), "cooldown_days": settings.MATCHING["COOLDOWN_DAYS"]}


def params_of(run: MatchRun) -> MatchParams:
    names = {f.name for f in fields(MatchParams)}
    return MatchParams.from_dict({k: v for k, v in run.parameters.items() if k in names})


# --- start ----------------------------------------------------------------------------------


def match_run_start(*, user=None, enqueue: bool = True) -> MatchRun:
    """Create a queued full run and (after commit) enqueue it; refuses while another full run is active."""
    active = MatchRun.objects.filter(kind=MatchRun.Kind.FULL, status__in=ACTIVE).first()
    if active is not None:
        raise _run_in_progress(active)
    try:
        with transaction.atomic():
            run = MatchRun.objects.create(
                kind=MatchRun.Kind.FULL, status=MatchRun.Status.QUEUED, parameters=run_parameters(), created_by=user
            )
            if enqueue:
                outbox_enqueue("matching.tasks.run_full_match_task", run_id=run.pk)
    except IntegrityError:
        # Lost a race with another start: the partial unique index matchrun_one_active_full_run said no.
        raise _run_in_progress(MatchRun.objects.filter(kind=MatchRun.Kind.FULL, status__in=ACTIVE).first())
    return run


BUSY_ATTEMPTS = 60  # x MATCHING["BUSY_RETRY_SECONDS"] (120 s): two hours, far longer than any full run


def match_run_requested(*, requested_at: str, attempt: int = 0, can_wait: bool = True) -> MatchRun | None:
    """A full run asked for at `requested_at` (by a large import): start it now. While another run
    is in progress, a run planned after the request already covers it (it reads the registry when
    planned); one planned before may miss the request's firms, so ask again in
    MATCHING["BUSY_RETRY_SECONDS"], through the outbox, at most BUSY_ATTEMPTS times. None when not started."""
    try:
        return match_run_start()
    except ApplicationError as exc:
        if exc.code != "run_in_progress":
            raise
    active = MatchRun.objects.filter(kind=MatchRun.Kind.FULL, status__in=ACTIVE).first()
    if active is not None and (active.started_at is None or active.started_at >= parse_datetime(requested_at)):
        log.info("full match requested at %s: covered by run #%s, planned after it", requested_at, active.pk)
        return None
    if not can_wait or attempt >= BUSY_ATTEMPTS:
        log.warning("full match requested at %s not started: a run is still in progress", requested_at)
        return None
    with transaction.atomic():
        outbox_enqueue(
            "matching.tasks.run_full_match_task",
            countdown=settings.MATCHING["BUSY_RETRY_SECONDS"],
            requested_at=requested_at,
            busy_attempt=attempt + 1,
        )
    return None


def _run_in_progress(active: MatchRun | None) -> ApplicationError:
    if active is None:
        message = gettext("A full match run is already in progress; wait for it to finish before starting another.")
    else:
        message = gettext(
            "A full match run is already in progress (run #%(id)s, %(status)s, %(done)s/%(total)s chunks); "
            "wait for it to finish before starting another."
        ) % {
            "id": active.pk,
            "status": str(MatchRun.Status(active.status).label).lower(),
            "done": active.chunks_done,
            "total": active.chunks_total,
        }
    return ApplicationError(
        message,
        code="run_in_progress",
        status=409,
        extra={"run_id": active.pk} if active else None,
    )


def match_run_plan(*, run_id: int, enqueue: bool = True) -> MatchRun | None:
    """Claim a queued run, split the eligible Ukrainian firms into chunks, enqueue one task per chunk."""
    now = timezone.now()
    if not MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, started_at=now
    ):
        return None  # already claimed by an earlier delivery of the same message
    from registry.selectors import firms_eligible_for_matching

    run = MatchRun.objects.get(pk=run_id)
    ua_ids = list(firms_eligible_for_matching().filter(side="ua").order_by("id").values_list("id", flat=True))
    size = params_of(run).chunk_size
    slices = [ua_ids[i : i + size] for i in range(0, len(ua_ids), size)]
    with transaction.atomic():
        MatchChunk.objects.bulk_create(
            [MatchChunk(run=run, index=i, ua_firm_ids=ids) for i, ids in enumerate(slices)], ignore_conflicts=True
        )
        MatchRun.objects.filter(pk=run_id).update(chunks_total=len(slices))
        if enqueue:
            for i in range(len(slices)):
                outbox_enqueue("matching.tasks.match_chunk_task", run_id=run_id, index=i)
            if not slices:
                outbox_enqueue("matching.tasks.finalise_match_task", run_id=run_id)
    run.refresh_from_db()
    return run


# --- chunks -----------------------------------------------------------------------------------


def excluded_pairs(*, features: Features, cooldown_days: int, firm_id: int | None = None) -> np.ndarray:
    """(q, 2) (ua_row, partner_row) pairs that must not be proposed: too far along, or turned down recently."""
    cutoff = timezone.now() - timedelta(days=cooldown_days)
    qs = Proposal.objects.filter(Q(status__in=NEVER_AGAIN) | Q(status__in=COOLING_DOWN, status_changed_at__gte=cutoff))
    if firm_id is not None:
        qs = qs.filter(Q(ukrainian_id=firm_id) | Q(partner_id=firm_id))
    pairs = np.array(list(qs.values_list("ukrainian_id", "partner_id")), dtype=np.int64).reshape(-1, 2)
    rows = np.stack([features.ua_rows(pairs[:, 0]), features.partner_rows(pairs[:, 1])], axis=1)
    return rows[(rows >= 0).all(axis=1)].astype(np.int64)


# One prepared model per worker process, for the run it is working on: loading features and fitting
# TF-IDF costs seconds at 22,000 firms, so a process handling several chunks of a run (and maybe its
# finaliser) prepares them once. The run therefore scores one snapshot of the registry; the key has
# started_at so a reused primary key (SQLite test rollbacks) never hits a stale entry.
_MODELS: dict[tuple[int, str], tuple[Features, Model]] = {}


def _run_model(run: MatchRun) -> tuple[Features, Model]:
    key = (run.pk, run.started_at.isoformat() if run.started_at else "")
    if key not in _MODELS:
        _MODELS.clear()  # at most one run's model in memory
        features = features_load()
        _MODELS[key] = (features, Model(features.ua, features.partners, features.taxonomy, params_of(run)))
    return _MODELS[key]


def match_chunk_process(*, run_id: int, index: int, enqueue: bool = True) -> bool:
    """Score one chunk and store its candidates; True when this call did the work (not a repeat)."""
    run = MatchRun.objects.get(pk=run_id)
    chunk = MatchChunk.objects.get(run_id=run_id, index=index)
    if run.status != MatchRun.Status.RUNNING or chunk.done_at is not None:
        return False
    started = time.perf_counter()
    MatchChunk.objects.filter(pk=chunk.pk).update(attempts=F("attempts") + 1)
    features, model = _run_model(run)
    rows = features.ua_rows(chunk.ua_firm_ids)
    rows = rows[rows >= 0]  # a firm suspended since the run started is simply left out
    exclude = excluded_pairs(features=features, cooldown_days=run.parameters.get("cooldown_days", 180))
    exclude = exclude[np.isin(exclude[:, 0], rows)]
    candidates = model.candidates(rows.astype(np.int64), exclude=exclude if len(exclude) else None)
    blob = _pack(features, candidates)
    pairs = len(rows) * len(features.partners)
    with transaction.atomic():
        claimed = MatchChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(
            candidates=blob, pairs_scored=pairs, seconds=time.perf_counter() - started, done_at=timezone.now()
        )
        if not claimed:
            return False  # a duplicate delivery finished first
        MatchRun.objects.filter(pk=run_id).update(
            chunks_done=F("chunks_done") + 1, pairs_scored=F("pairs_scored") + pairs
        )
        # The UPDATE above holds the run row's lock, so exactly one chunk sees the final count.
        done, total = MatchRun.objects.filter(pk=run_id).values_list("chunks_done", "chunks_total").get()
        if done == total and enqueue:
            outbox_enqueue("matching.tasks.finalise_match_task", run_id=run_id)
    return True


def _pack(features: Features, c: Candidates) -> bytes:
    """Candidates by firm id (not row: rows shift if a firm changes state between tasks), with the
    Ukrainian-side ranks and the chunk's best scores per partner column (for partner-side ranks)."""
    buf = io.BytesIO()
    tops = c.column_tops
    np.savez(
        buf,
        ua_ids=features.ua.firm_ids[np.asarray(c.ua_rows, dtype=np.int64)],
        partner_ids=features.partners.firm_ids[np.asarray(c.partner_rows, dtype=np.int64)],
        scores=np.asarray(c.scores, dtype=np.float32),
        components=np.asarray(c.components, dtype=np.float32).reshape(-1, len(COMPONENTS)),
        ua_rank=np.asarray(c.ua_rank if c.ua_rank is not None else np.zeros(len(c)), dtype=np.int32),
        tops=tops.scores if tops is not None else np.zeros((0, len(features.partners)), np.float32),
        tops_rows_seen=np.int64(tops.rows_seen if tops is not None else 0),
        tops_partner_ids=features.partners.firm_ids,
    )
    return buf.getvalue()


def _unpack(features: Features, blobs: list[bytes], depth: int) -> Candidates:
    parts = [np.load(io.BytesIO(bytes(b))) for b in blobs if b]
    if not parts:
        return _empty_candidates()
    ua = features.ua_rows(np.concatenate([p["ua_ids"] for p in parts]))
    pa = features.partner_rows(np.concatenate([p["partner_ids"] for p in parts]))
    keep = (ua >= 0) & (pa >= 0)
    tops = []
    for p in parts:  # a loop over chunks: each chunk's columns placed at this run's partner rows
        cols = features.partner_rows(p["tops_partner_ids"])
        placed = np.full((p["tops"].shape[0], len(features.partners)), -1, dtype=np.float32)
        placed[:, cols[cols >= 0]] = p["tops"][:, cols >= 0]
        tops.append(ColumnTops(placed, int(p["tops_rows_seen"])))
    return Candidates(
        ua_rows=ua[keep].astype(np.int32),
        partner_rows=pa[keep].astype(np.int32),
        scores=np.concatenate([p["scores"] for p in parts])[keep],
        components=np.concatenate([p["components"] for p in parts])[keep],
        ua_rank=np.concatenate([p["ua_rank"] for p in parts])[keep],
        column_tops=ColumnTops.merge(tops, depth),
    )


def _empty_candidates() -> Candidates:
    return Candidates(
        ua_rows=np.zeros(0, np.int32),
        partner_rows=np.zeros(0, np.int32),
        scores=np.zeros(0, np.float32),
        components=np.zeros((0, len(COMPONENTS)), np.float32),
    )


def selection_allocate(*, candidates: Candidates, features: Features, params: MatchParams, firm_id: int | None = None):
    """The global allocation over a run's candidates, with each firm's capacity (`firm_capacities`)."""
    capacity_ua, capacity_partner = firm_capacities(features=features, params=params, firm_id=firm_id)
    return select_proposals(
        candidates,
        len(features.ua),
        len(features.partners),
        params,
        features.ua.firm_ids,
        features.partners.firm_ids,
        capacity_ua=capacity_ua,
        capacity_partner=capacity_partner,
    )


def firm_capacities(*, features: Features, params: MatchParams, firm_id: int | None = None) -> tuple:
    """(Ukrainian, partner) capacity arrays for a run: by size, minus the slots of approved and
    connected proposals (open, and never re-selected by a run; proposed ones are re-selected or
    superseded, so they do not count). In a single-firm rematch (`firm_id`) the firm's proposed
    pairs with other firms are not re-selected either, so they count as used too.

    A firm's own "introductions at once", or the ministry's override of it, replaces the size
    default (`registry.selectors.firm_intro_capacity_expression`, loaded by features_load).
    """
    open_q = Q(status__in=(Proposal.Status.APPROVED, Proposal.Status.CONNECTED))
    if firm_id is not None:
        open_q |= Q(status=Proposal.Status.PROPOSED) & ~(Q(ukrainian_id=firm_id) | Q(partner_id=firm_id))
    used_pairs = np.array(
        list(Proposal.objects.filter(open_q).values_list("ukrainian_id", "partner_id")), dtype=np.int64
    ).reshape(-1, 2)
    used = []
    for side, column in ((features.ua, 0), (features.partners, 1)):
        rows = rows_of(side.firm_ids, used_pairs[:, column])
        used.append(np.bincount(rows[rows >= 0], minlength=len(side)))
    return (
        firm_capacity(
            features.ua.employees, params, n=len(features.ua), used=used[0], override=features.ua.intro_capacity
        ),
        firm_capacity(
            features.partners.employees,
            params,
            n=len(features.partners),
            used=used[1],
            override=features.partners.intro_capacity,
        ),
    )


# --- finalise ---------------------------------------------------------------------------------


def match_run_finalise(*, run_id: int) -> MatchRun | None:
    """Merge every chunk's candidates, pick proposals, write them; marks the run succeeded."""
    run = MatchRun.objects.get(pk=run_id)
    if run.status != MatchRun.Status.RUNNING:
        return None
    if run.chunks.filter(done_at__isnull=False).count() < run.chunks_total:
        return None  # not every chunk is in yet (a stray early message): the last chunk enqueues us again
    started = time.perf_counter()
    params = params_of(run)
    features, model = _run_model(run)
    blobs = list(run.chunks.order_by("index").values_list("candidates", flat=True))
    candidates = _unpack(features, blobs, params.rank_depth)
    selection = selection_allocate(candidates=candidates, features=features, params=params)
    log.info("run #%s: allocation %s", run_id, selection.stats)
    rows = proposal_rows(model=model, features=features, selection=selection)
    with transaction.atomic():
        locked = MatchRun.objects.select_for_update().get(pk=run_id)
        if locked.status != MatchRun.Status.RUNNING:
            return None  # a duplicate finaliser got here first
        counts = proposals_write(run=locked, rows=rows, firm_id=None)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            finalise_seconds=time.perf_counter() - started,
            **counts,
        )
        # Candidates were only needed to get here; drop them so the table stays small.
        MatchChunk.objects.filter(run_id=run_id).update(candidates=None)
    _MODELS.clear()
    return MatchRun.objects.get(pk=run_id)


def match_run_fail(*, run_id: int, error: str) -> None:
    """Mark an unfinished run failed with the error text (a chunk ran out of retries, say)."""
    MatchRun.objects.filter(pk=run_id, status__in=ACTIVE).update(
        status=MatchRun.Status.FAILED, error=error[:5000], finished_at=timezone.now()
    )


def match_run_execute(*, run_id: int, progress=None) -> MatchRun:
    """Run a queued full run to the end in this process (no broker): plan, every chunk, finalise.

    `progress(chunks_done, chunks_total)` is called after each chunk.
    """
    try:
        match_run_plan(run_id=run_id, enqueue=False)
        for index in MatchChunk.objects.filter(run_id=run_id).order_by("index").values_list("index", flat=True):
            match_chunk_process(run_id=run_id, index=index, enqueue=False)
            if progress:
                run = MatchRun.objects.only("chunks_done", "chunks_total").get(pk=run_id)
                progress(run.chunks_done, run.chunks_total)
        match_run_finalise(run_id=run_id)
    except Exception as exc:
        match_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    return MatchRun.objects.get(pk=run_id)


# --- proposal writes ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalRow:
    ukrainian_id: int
    partner_id: int
    score: float
    rank_for_ukrainian: int | None
    rank_for_partner: int | None
    components: dict
    reasons: dict
    flags: dict


def proposal_rows(
    *, model: Model, features: Features, selection, keep_counterpart_rank: str | None = None
) -> list[ProposalRow]:
    """Selected pairs with explanations and export-control flags, ready to write (per-pair Python is fine:
    a few thousand pairs)."""
    flagger = _export_control_flagger(features, selection.partner_rows)
    out = []
    for i in range(len(selection.ua_rows)):
        u, p = int(selection.ua_rows[i]), int(selection.partner_rows[i])
        comps = np.asarray(selection.components[i], dtype=np.float64)
        ua_id, partner_id = int(features.ua.firm_ids[u]), int(features.partners.firm_ids[p])
        rank_u = int(selection.rank_for_ukrainian[i]) or None
        rank_p = int(selection.rank_for_partner[i]) or None
        out.append(
            ProposalRow(
                ukrainian_id=ua_id,
                partner_id=partner_id,
                score=float(min(max(selection.scores[i], 0.0), 1.0)),
                rank_for_ukrainian=rank_u,
                rank_for_partner=rank_p,
                components={name: round(float(v), 4) for name, v in zip(COMPONENTS, comps, strict=True)},
                reasons=explain(model, u, p, comps),
                flags=flagger(p),
            )
        )
    return out


def _export_control_flagger(features: Features, partner_rows: np.ndarray):
    """Per-partner export-control flags (compliance.export_control), one query for the partners involved.

    The partner is the exporter, so its offered capabilities' ML categories, its declared regimes and
    its country decide the flags; they are the same for all of its pairs.
    """
    from compliance.export_control import proposal_flags
    from registry.models import Firm

    rows = np.unique(np.asarray(partner_rows, dtype=np.int64))
    ids = features.partners.firm_ids[rows].tolist()
    declared = {
        pk: (str(country), regimes or [])
        for pk, country, regimes in Firm.objects.filter(pk__in=ids).values_list("id", "country", "export_regimes")
    }
    offers = features.partners.offers
    ml = features.taxonomy.ml_categories
    cache: dict[int, dict] = {}

    def flags(partner_row: int) -> dict:
        if partner_row not in cache:
            country, regimes = declared.get(int(features.partners.firm_ids[partner_row]), ("", []))
            cols = offers.indices[offers.indptr[partner_row] : offers.indptr[partner_row + 1]]
            cache[partner_row] = proposal_flags(
                partner_offer_ml_categories=[ml[c] for c in cols],
                partner_export_regimes=regimes,
                partner_country=country,
            )
        return cache[partner_row]

    return flags


def proposals_write(*, run: MatchRun, rows: list[ProposalRow], firm_id: int | None) -> dict:
    """Upsert the selected pairs and supersede the dropped ones, in the caller's transaction.

    Scope is every proposal (full run) or the one firm's (rematch). Rows in scope are locked
    first so a reviewer's concurrent decision is either seen here or waits for us. Returns the
    counts for the MatchRun.
    """
    now = timezone.now()
    cutoff = now - timedelta(days=run.parameters.get("cooldown_days", settings.MATCHING["COOLDOWN_DAYS"]))
    scope = Proposal.objects.all()
    if firm_id is not None:
        scope = scope.filter(Q(ukrainian_id=firm_id) | Q(partner_id=firm_id))
    existing = {
        (u, p): (pk, status, changed, rank_u, rank_p)
        for pk, u, p, status, changed, rank_u, rank_p in scope.select_for_update()
        .order_by("pk")
        .values_list(
            "pk", "ukrainian_id", "partner_id", "status", "status_changed_at", "rank_for_ukrainian", "rank_for_partner"
        )
    }
    upserts: list[Proposal] = []
    reproposed: list[tuple[int, str]] = []
    created = updated = 0
    selected = set()
    for row in rows:
        key = (row.ukrainian_id, row.partner_id)
        selected.add(key)
        current = existing.get(key)
        if current is not None:
            pk, status, changed, rank_u, rank_p = current
            if status == Proposal.Status.PROPOSED:
                updated += 1
            elif status in PROPOSE_AGAIN or (status in COOLING_DOWN and changed < cutoff):
                reproposed.append((pk, status))
                updated += 1
            else:
                continue  # under review or further along (or cooling down): its state and history stay
            if firm_id is not None:
                # A single-firm rematch cannot rank the counterpart among all its options: keep what it had.
                row = _keep_counterpart_rank(row, firm_id, rank_u, rank_p)
        else:
            created += 1
        upserts.append(
            Proposal(
                ukrainian_id=row.ukrainian_id,
                partner_id=row.partner_id,
                run=run,
                score=row.score,
                rank_for_ukrainian=row.rank_for_ukrainian,
                rank_for_partner=row.rank_for_partner,
                components=row.components,
                reasons=row.reasons,
                flags=row.flags,
                status=Proposal.Status.PROPOSED,
            )
        )
    _proposals_upsert(upserts, now)
    if reproposed:
        Proposal.objects.filter(pk__in=[pk for pk, _ in reproposed]).update(status_changed_at=now)
    dropped = [
        pk
        for key, (pk, status, *_rest) in existing.items()
        if status == Proposal.Status.PROPOSED and key not in selected
    ]
    if dropped:
        Proposal.objects.filter(pk__in=dropped).update(
            status=Proposal.Status.SUPERSEDED, status_changed_at=now, updated_at=now
        )
    events = [
        ProposalEvent(
            proposal_id=pk,
            actor=None,
            actor_role="system",
            from_status=Proposal.Status.PROPOSED,
            to_status=Proposal.Status.SUPERSEDED,
            note=f"Dropped out of match run #{run.pk}",
            data={"run": run.pk},
        )
        for pk in dropped
    ] + [
        ProposalEvent(
            proposal_id=pk,
            actor=None,
            actor_role="system",
            from_status=status,
            to_status=Proposal.Status.PROPOSED,
            note=f"Proposed again by match run #{run.pk}",
            data={"run": run.pk},
        )
        for pk, status in reproposed
    ]
    ProposalEvent.objects.bulk_create(events, batch_size=1000)
    return {"proposals_created": created, "proposals_updated": updated, "proposals_superseded": len(dropped)}


UPSERT_FIELDS = ["run", "score", "rank_for_ukrainian", "rank_for_partner", "components", "reasons", "flags", "status"]


def _proposals_upsert(proposals: list[Proposal], now) -> None:
    """INSERT ... ON CONFLICT (pair) DO UPDATE of the given proposals (states already checked under lock)."""
    if not proposals:
        return
    if connection.vendor == "postgresql":
        _proposals_upsert_copy(proposals, now)
        return
    Proposal.objects.bulk_create(
        proposals,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["ukrainian", "partner"],
        update_fields=[*UPSERT_FIELDS, "updated_at"],
    )


def _proposals_upsert_copy(proposals: list[Proposal], now) -> None:
    """PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT.

    A multi-row INSERT with 20,000 x 14 parameters spends most of its time binding them
    (~25 s measured); COPY streams the same rows in well under a second.
    """
    table = Proposal._meta.db_table
    copied = ["ukrainian_id", "partner_id", "run_id", "score", "rank_for_ukrainian", "rank_for_partner"]
    copied += ["components", "reasons", "flags"]
    # Every other NOT NULL column gets its model default (timestamps: now), so new fields keep working.
    constants: dict[str, object] = {"status": Proposal.Status.PROPOSED}
    for field in Proposal._meta.concrete_fields:
        if field.primary_key or field.null or field.column in copied or field.column in constants:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constants[field.column] = now
        else:
            constants[field.column] = field.get_db_prep_save(field.get_default(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE _proposal_upsert (ukrainian_id bigint, partner_id bigint, run_id bigint, "
            "score double precision, rank_for_ukrainian integer, rank_for_partner integer, "
            "components jsonb, reasons jsonb, flags jsonb) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY _proposal_upsert FROM STDIN") as copy:
            for p in proposals:
                copy.write_row(
                    (
                        p.ukrainian_id, p.partner_id, p.run_id, p.score, p.rank_for_ukrainian, p.rank_for_partner,
                        json.dumps(p.components), json.dumps(p.reasons, ensure_ascii=False), json.dumps(p.flags, ensure_ascii=False),
                    )
                )  # fmt: skip
        columns = copied + list(constants)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [f"{f}_id" if f == "run" else f for f in UPSERT_FIELDS])
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - identifiers from model metadata only
            f"SELECT {', '.join(copied)}, {', '.join(['%s'] * len(constants))} FROM _proposal_upsert "
            f"ON CONFLICT (ukrainian_id, partner_id) DO UPDATE SET {updates}, updated_at = EXCLUDED.updated_at",
            list(constants.values()),
        )
        cursor.execute("DROP TABLE _proposal_upsert")


def _keep_counterpart_rank(row: ProposalRow, firm_id: int, rank_u, rank_p) -> ProposalRow:
    from dataclasses import replace

    if firm_id == row.ukrainian_id:
        return replace(row, rank_for_partner=rank_p)
    return replace(row, rank_for_ukrainian=rank_u)


# --- reads (match runs; the proposals' reads are in review/selectors.py) --------


def match_run_list(*, kind: str | None = None, status: str | None = None):
    """Runs newest first, with their starter; one query."""
    qs = MatchRun.objects.select_related("created_by", "firm").order_by("-created_at", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def match_run_get(*, pk: int) -> MatchRun:
    return match_run_list().get(pk=pk)
