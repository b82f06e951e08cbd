"""Events (forums with one-to-one meetings): participations, meeting requests, meetings, scheduler runs."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.i18n import language_code


class Event(models.Model):
    """A forum organised by the ministry's reviewers; its meetings are scheduled into slots x tables."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for registration")
        SCHEDULING = "scheduling", _("Scheduling")
        PUBLISHED = "published", _("Agenda published")
        CLOSED = "closed", _("Closed")

    name_en = models.CharField(max_length=200)
    name_uk = models.CharField(max_length=200)
    venue = models.CharField(max_length=300, blank=True, default="")
    online = models.BooleanField(default=False)
    timezone = models.CharField(max_length=64, default="Europe/Kyiv")
    days = models.JSONField(default=list)  # ["2027-03-10", ...]
    meeting_minutes = models.PositiveSmallIntegerField(default=30)
    blocks = models.JSONField(default=list)  # [{"start": "09:00", "end": "12:30"}, ...]; gaps are breaks
    tables = models.JSONField(default=list)  # [{"number": 1, "zone": "A"}, ...]
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    booking_opens_at = models.DateTimeField(null=True, blank=True)
    booking_closes_at = models.DateTimeField(null=True, blank=True)
    opt_out = models.BooleanField(default=False)  # requests count as accepted unless declined
    max_meetings_per_firm = models.PositiveSmallIntegerField(default=12)
    agenda_final = models.BooleanField(default=False)  # published agenda: preliminary or final
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting_minutes__gte=5) & Q(meeting_minutes__lte=240), name="event_meeting_minutes_5_240"
            ),
            models.CheckConstraint(condition=Q(max_meetings_per_firm__gte=1), name="event_max_meetings_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_uk if language_code() == "uk" else self.name_en


class ScheduleRun(models.Model):
    """One run of the scheduler for an event, its progress (polled by the organiser's page) and result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)
    stage = models.CharField(max_length=32, blank=True, default="")
    time_limit = models.PositiveIntegerField(default=30)
    meetings = models.PositiveIntegerField(null=True, blank=True)
    upper_bound = models.PositiveIntegerField(null=True, blank=True)
    requests = models.PositiveIntegerField(null=True, blank=True)
    solver_status = models.CharField(max_length=16, blank=True, default="")
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(status__in=["queued", "running"]), name="schedulerun_one_active_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"schedule run #{self.pk} of event {self.event_id} ({self.status})"


class Participation(models.Model):
    """A firm registered for an event: its attendees and availability."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Registered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    firm = models.ForeignKey("alliance.Firm", on_delete=models.CASCADE, related_name="event_participations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="event_participations")
    blocks = models.JSONField(default=list)  # indices of the event's blocks the firm attends (every day)
    blocked_slots = models.JSONField(default=list)  # slot numbers the firm cannot meet in
    withdrawn_reason = models.CharField(max_length=300, blank=True, default="")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "firm__name", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "firm"], name="participation_one_per_firm")]

    def __str__(self) -> str:
        return f"{self.firm_id} at event {self.event_id}"


class MeetingRequest(models.Model):
    """One firm asks another, at the same event, for a meeting; the other accepts or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="requests")
    sender = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="sent_requests")
    receiver = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="received_requests")
    reason = models.TextField()
    priority = models.PositiveSmallIntegerField(default=3)  # the sender's ranking: 1 (most wanted) to 5
    score = models.FloatField(null=True, blank=True)  # the pair's match score, where matching has one
    proposal = models.ForeignKey(
        "matching.Proposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "priority", "-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "receiver"], name="meetingrequest_one_per_pair"),
            models.CheckConstraint(condition=~Q(sender=F("receiver")), name="meetingrequest_two_firms"),
            models.CheckConstraint(
                condition=Q(priority__gte=1) & Q(priority__lte=5), name="meetingrequest_priority_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.sender_id} -> {self.receiver_id} ({self.status})"


class Meeting(models.Model):
    """An accepted request placed in a slot at a table; `locked` ones stay when the scheduler re-runs."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    class FollowUp(models.TextChoices):
        YES = "yes", _("Yes, it should lead somewhere")
        NO = "no", _("No")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    slot = models.PositiveIntegerField()
    table = models.PositiveIntegerField()  # index into the event's tables
    locked = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    # Where the last published agenda put it: a change after publishing is told to both firms.
    published_slot = models.PositiveIntegerField(null=True, blank=True)
    published_table = models.PositiveIntegerField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender_follow_up = models.CharField(max_length=3, choices=FollowUp.choices, blank=True, default="")
    receiver_follow_up = models.CharField(max_length=3, choices=FollowUp.choices, blank=True, default="")
    follow_up_proposal = models.ForeignKey(
        "matching.Proposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "slot", "table"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slot", "table"], condition=Q(status="scheduled"), name="meeting_one_per_table_slot"
            )
        ]

    def __str__(self) -> str:
        return f"meeting {self.request_id} slot {self.slot} table {self.table}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's secret calendar feed URL: every published meeting they attend."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_calendar")
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
