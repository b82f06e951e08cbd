"""Full match runs: start, split into chunks, score each chunk, finalise into proposals.

A run moves queued -> running -> succeeded | failed, each step claimed by a conditional
UPDATE so a repeated Celery message does nothing. Chunks score a slice of the Ukrainian
firms against every partner and store their candidates under (run, index); the chunk
whose commit completes the count enqueues the finaliser, which merges all candidates and
writes proposals in one transaction.
"""

from __future__ import annotations

import logging
import time
from dataclasses import fields, replace

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from core.errors import ApplicationError
from core.outbox import outbox_enqueue
from matching.features import Features, features_load
from matching.models import MatchChunk, MatchRun
from matching.scoring import (
    MatchParams,
    Model,
)
from matching.services.allocation import allocation_pack, allocation_store
from matching.services.learning import active_weights
from matching.services.proposals import proposal_rows, proposals_write
from matching.services.selection import candidates_pack, candidates_unpack, excluded_pairs, selection_allocate

log = logging.getLogger(__name__)

ACTIVE = (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING)


# --- parameters -------------------------------------------------------------------------------


def match_params() -> MatchParams:
    """The engine's defaults overridden by settings.MATCHING where a knob of the same name exists,
    and the weights by the learned set a reviewer activated (matching/services/learning.py), if any."""
    names = {f.name for f in fields(MatchParams)}
    params = MatchParams(**{k.lower(): v for k, v in settings.MATCHING.items() if k.lower() in names})
    learned = active_weights()
    return replace(params, weights=learned) if learned else params


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
    blob = candidates_pack(features, candidates)
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
    candidates = candidates_unpack(features, blobs, params.rank_depth)
    selection = selection_allocate(candidates=candidates, features=features, params=params)
    log.info("run #%s: allocation %s", run_id, selection.stats)
    rows = proposal_rows(model=model, features=features, selection=selection)
    with transaction.atomic():
        locked = MatchRun.objects.select_for_update().get(pk=run_id)
        if locked.status != MatchRun.Status.RUNNING:
            return None  # a duplicate finaliser got here first
        counts = proposals_write(run=locked, rows=rows, firm_id=None)
        allocation_store(run_id=run_id, blob=allocation_pack(features=features, selection=selection))
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


def match_run_list():
    """Runs newest first, with their starter; one query (the API filters it: matching.api.match_runs)."""
    return MatchRun.objects.select_related("created_by", "firm").order_by("-created_at", "-id")


def match_run_get(*, pk: int) -> MatchRun:
    return match_run_list().get(pk=pk)
