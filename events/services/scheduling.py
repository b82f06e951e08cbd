"""Run the scheduler for an event: load the instance, solve it (events.scheduling), store the meetings."""

from __future__ import annotations

import logging
import time

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import ApplicationError, ConflictError
from core.outbox import outbox_enqueue
from core.permissions import require_reviewer
from events.models import Event, Meeting, MeetingRequest, Participation, ScheduleRun
from events.rules import available_slots, require_status, slots_of
from events.scheduling.solver import Instance, solve

log = logging.getLogger(__name__)
TASK = "events.tasks.schedule_event_task"
MAX_TIME_LIMIT = 300
PROGRESS_EVERY = 0.5  # seconds between stored progress updates


def schedule_start(*, event: Event, reviewer, time_limit: int = 30) -> ScheduleRun:
    """Queue a scheduler run (one at a time per event); the task runs after commit."""
    require_reviewer(reviewer, gettext("Only ministry reviewers can organise events."))
    if not (1 <= int(time_limit) <= MAX_TIME_LIMIT):
        raise ApplicationError(
            gettext("time_limit: must be between 1 and %(n)s seconds.") % {"n": MAX_TIME_LIMIT},
            fields={"time_limit": [gettext("Must be between 1 and %(n)s seconds.") % {"n": MAX_TIME_LIMIT}]},
        )
    try:
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=event.pk)
            require_status(
                event,
                Event.Status.SCHEDULING,
                message=gettext("Move the event to scheduling before running the scheduler."),
            )
            run = ScheduleRun.objects.create(event=event, time_limit=int(time_limit), created_by=reviewer)
            outbox_enqueue(TASK, run_id=run.pk)
    except IntegrityError as exc:
        raise ConflictError(
            gettext("The scheduler is already running for this event."), current_state="running", code="already_running"
        ) from exc
    return run


def _instance(event: Event) -> tuple[Instance, list[MeetingRequest], list[Participation]]:
    slots = slots_of(event)
    participations = list(
        Participation.objects.filter(event=event, status=Participation.Status.ACTIVE)
        .prefetch_related("attendees")
        .order_by("pk")
    )
    index = {p.pk: i for i, p in enumerate(participations)}
    available = np.zeros((len(participations), len(slots)), dtype=bool)
    for i, p in enumerate(participations):
        available[i, available_slots(event, slots, blocks=p.blocks, blocked_slots=p.blocked_slots)] = True
    # An attendee of two participating firms is a resource both share.
    firms_of_person: dict[int, list[int]] = {}
    for i, p in enumerate(participations):
        for user in p.attendees.all():
            firms_of_person.setdefault(user.pk, []).append(i)
    shared: dict[int, list[int]] = {}
    for n, (_user, firms) in enumerate(sorted(firms_of_person.items())):
        if len(firms) > 1:
            for i in firms:
                shared.setdefault(i, []).append(n)
    statuses = [MeetingRequest.Status.ACCEPTED]
    if event.opt_out:
        statuses.append(MeetingRequest.Status.PENDING)
    requests = [
        r
        for r in MeetingRequest.objects.filter(event=event, status__in=statuses)
        .select_related("meeting")
        .order_by("pk")
        if r.sender_id in index and r.receiver_id in index
    ]
    locked: dict[int, tuple[int, int]] = {}
    for n, r in enumerate(requests):
        meeting = getattr(r, "meeting", None)
        if meeting is not None and meeting.locked and meeting.status == Meeting.Status.SCHEDULED:
            locked[n] = (meeting.slot, meeting.table)
    weights = [0.8 * (5 - r.priority) / 4 + 0.2 * (r.score or 0.0) for r in requests]
    instance = Instance(
        n_participants=len(participations),
        n_slots=len(slots),
        tables=[len(event.tables)] * len(slots),
        requests=[(index[r.sender_id], index[r.receiver_id]) for r in requests],
        available=available,
        weights=weights,
        max_per_firm=event.max_meetings_per_firm,
        locked=locked,
        shared_resources=shared,
    )
    return instance, requests, participations


def schedule_run_execute(*, run_id: int) -> bool:
    """Claim a queued run, solve, store the meetings; False when the run was not queued (a repeat)."""
    claimed = ScheduleRun.objects.filter(pk=run_id, status=ScheduleRun.Status.QUEUED).update(
        status=ScheduleRun.Status.RUNNING, started_at=timezone.now(), progress=0.01, stage="loading"
    )
    if not claimed:
        return False
    run = ScheduleRun.objects.select_related("event").get(pk=run_id)
    event = run.event
    try:
        instance, requests, _participations = _instance(event)
        last = [0.0]

        def progress(fraction: float, stage: str) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY or fraction >= 1.0:
                last[0] = now
                ScheduleRun.objects.filter(pk=run_id).update(progress=min(fraction, 0.99), stage=stage[:32])

        result = solve(instance, time_limit=run.time_limit, progress=progress)
        with transaction.atomic():
            Event.objects.select_for_update().get(pk=event.pk)
            _store(event, requests, result.assignment)
            ScheduleRun.objects.filter(pk=run_id).update(
                status=ScheduleRun.Status.SUCCEEDED,
                progress=1.0,
                stage="done",
                meetings=result.meetings,
                upper_bound=result.upper_bound,
                requests=len(requests),
                solver_status=result.status,
                seconds=result.seconds,
                finished_at=timezone.now(),
            )
    except Exception as exc:
        schedule_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    return True


def schedule_run_fail(*, run_id: int, error: str) -> None:
    ScheduleRun.objects.filter(pk=run_id, status__in=["queued", "running"]).update(
        status=ScheduleRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def _store(event: Event, requests: list[MeetingRequest], assignment: dict[int, tuple[int, int]]) -> None:
    """Replace the unlocked meetings by the solver's; locked ones are in `assignment` unchanged."""
    placed = {requests[n].pk: slot_table for n, slot_table in assignment.items()}
    # Requests cancelled, declined or withdrawn while the solver ran are not placed.
    statuses = [MeetingRequest.Status.ACCEPTED] + ([MeetingRequest.Status.PENDING] if event.opt_out else [])
    still = set(
        MeetingRequest.objects.filter(
            pk__in=placed,
            status__in=statuses,
            sender__status=Participation.Status.ACTIVE,
            receiver__status=Participation.Status.ACTIVE,
        ).values_list("pk", flat=True)
    )
    placed = {pk: slot_table for pk, slot_table in placed.items() if pk in still}
    unlocked = Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED, locked=False)
    unlocked.exclude(request_id__in=placed).delete()
    # Out of the way first, so that moving meetings never collide on (slot, table) meanwhile.
    unlocked.update(table=F("table") + 100_000)
    existing = {m.request_id: m for m in Meeting.objects.filter(event=event, request_id__in=placed)}
    new = []
    for request_id, (slot, table) in placed.items():
        meeting = existing.get(request_id)
        if meeting is None:
            new.append(Meeting(event=event, request_id=request_id, slot=slot, table=table))
        elif meeting.locked and meeting.status == Meeting.Status.SCHEDULED:
            continue
        else:
            meeting.slot, meeting.table, meeting.status = slot, table, Meeting.Status.SCHEDULED
            meeting.save(update_fields=["slot", "table", "status", "updated_at"])
    Meeting.objects.bulk_create(new)
