"""Writes of the events app: events (organisers), participations and requests (firms), scheduling, meetings."""

from events.services.events import event_check, event_create, event_publish, event_set_status, event_update
from events.services.meetings import meeting_cancel, meeting_follow_up, meeting_set_locked
from events.services.participations import (
    participation_register,
    participation_update,
    participation_withdraw,
    participations_withdraw_for_firm,
)
from events.services.requests import request_accept, request_decline, request_send
from events.services.scheduling import schedule_run_execute, schedule_start

__all__ = [
    "event_check",
    "event_create",
    "event_publish",
    "event_set_status",
    "event_update",
    "meeting_cancel",
    "meeting_follow_up",
    "meeting_set_locked",
    "participation_register",
    "participation_update",
    "participation_withdraw",
    "participations_withdraw_for_firm",
    "request_accept",
    "request_decline",
    "request_send",
    "schedule_run_execute",
    "schedule_start",
]
