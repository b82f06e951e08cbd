"""Input and output shapes of the events API. Rules live in events.services; these only check types."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core.api.strict import StrictFieldsMixin
from events.models import Event, Meeting, MeetingRequest, Participation, ScheduleRun
from events.services.requests import REASON_MAX_LENGTH

# --- Input ------------------------------------------------------------------------------------


class BlockInput(StrictFieldsMixin, serializers.Serializer):
    start = serializers.RegexField(r"^\d{2}:\d{2}$", max_length=5, help_text="HH:MM")
    end = serializers.RegexField(r"^\d{2}:\d{2}$", max_length=5, help_text="HH:MM")


class TableInput(StrictFieldsMixin, serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=100_000)
    zone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class EventInput(StrictFieldsMixin, serializers.Serializer):
    name_en = serializers.CharField(max_length=200)
    name_uk = serializers.CharField(max_length=200)
    venue = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online = serializers.BooleanField(required=False)
    timezone = serializers.CharField(max_length=64, required=False)
    days = serializers.ListField(child=serializers.DateField(), min_length=1, max_length=14)
    meeting_minutes = serializers.IntegerField(min_value=5, max_value=240, required=False)
    blocks = BlockInput(many=True)
    tables = TableInput(many=True)
    registration_opens_at = serializers.DateTimeField(required=False, allow_null=True)
    registration_closes_at = serializers.DateTimeField(required=False, allow_null=True)
    booking_opens_at = serializers.DateTimeField(required=False, allow_null=True)
    booking_closes_at = serializers.DateTimeField(required=False, allow_null=True)
    opt_out = serializers.BooleanField(required=False)
    max_meetings_per_firm = serializers.IntegerField(min_value=1, max_value=100, required=False)


class EventStatusInput(StrictFieldsMixin, serializers.Serializer):
    to_status = serializers.ChoiceField(choices=[s for s in Event.Status.values if s != Event.Status.PUBLISHED])


class PublishInput(StrictFieldsMixin, serializers.Serializer):
    final = serializers.BooleanField(required=False, default=False)


class ScheduleInput(StrictFieldsMixin, serializers.Serializer):
    time_limit = serializers.IntegerField(min_value=1, max_value=300, required=False, default=30)


class ParticipationInput(StrictFieldsMixin, serializers.Serializer):
    firm = serializers.IntegerField(min_value=1)
    attendees = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=3)
    blocks = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False, max_length=50)
    blocked_slots = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False, max_length=2000)


class ParticipationUpdateInput(StrictFieldsMixin, serializers.Serializer):
    attendees = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=3, required=False
    )
    blocks = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False, max_length=50)
    blocked_slots = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False, max_length=2000)


class RequestInput(StrictFieldsMixin, serializers.Serializer):
    receiver = serializers.IntegerField(min_value=1, help_text="the other firm's participation id")
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, style={"base_template": "textarea.html"})
    priority = serializers.IntegerField(min_value=1, max_value=5, required=False, default=3)


class EmptyInput(StrictFieldsMixin, serializers.Serializer):
    pass


class LockInput(StrictFieldsMixin, serializers.Serializer):
    locked = serializers.BooleanField()


class CancelInput(StrictFieldsMixin, serializers.Serializer):
    firm = serializers.IntegerField(min_value=1, required=False)


class FollowUpInput(StrictFieldsMixin, serializers.Serializer):
    answer = serializers.ChoiceField(choices=Meeting.FollowUp.values)
    firm = serializers.IntegerField(min_value=1, required=False)


# --- Output -----------------------------------------------------------------------------------
# `optional_in_response = ()`: every field is in every answer, so the schema marks each required
# (core.api.openapi.AutoSchema) and generated clients type none of them as `Unset`.


@extend_schema_serializer(component_name="AllianceEvent")  # "Event" is a proposal's event (review API)
class EventSerializer(serializers.ModelSerializer):
    optional_in_response = ()
    participant_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Event
        fields = [
            "id",
            "name_en",
            "name_uk",
            "venue",
            "online",
            "timezone",
            "days",
            "meeting_minutes",
            "blocks",
            "tables",
            "registration_opens_at",
            "registration_closes_at",
            "booking_opens_at",
            "booking_closes_at",
            "opt_out",
            "max_meetings_per_firm",
            "agenda_final",
            "status",
            "participant_count",
            "created_at",
        ]
        read_only_fields = fields


class FirmBriefSerializer(serializers.Serializer):
    optional_in_response = ()
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()


def firm_brief(firm) -> dict[str, Any]:
    return {"id": firm.pk, "name": firm.name, "country": str(firm.country)}


class ParticipantSerializer(serializers.Serializer):
    """A registered firm in the event's participant list: public facts only."""

    optional_in_response = ()
    id = serializers.IntegerField()
    firm = FirmBriefSerializer()

    def to_representation(self, p: Participation) -> dict[str, Any]:
        return {"id": p.pk, "firm": firm_brief(p.firm)}


class ParticipationSerializer(serializers.ModelSerializer):
    optional_in_response = ()
    firm = serializers.SerializerMethodField()
    attendees = serializers.SerializerMethodField()

    class Meta:
        model = Participation
        fields = ["id", "event", "firm", "status", "attendees", "blocks", "blocked_slots", "created_at"]
        read_only_fields = fields

    def get_firm(self, p: Participation) -> dict[str, Any]:
        return firm_brief(p.firm)

    def get_attendees(self, p: Participation) -> list[dict[str, Any]]:
        return [{"id": u.pk, "name": u.get_full_name() or u.get_username()} for u in p.attendees.all()]


class MeetingRequestSerializer(serializers.ModelSerializer):
    optional_in_response = ()
    sender = serializers.SerializerMethodField()
    receiver = serializers.SerializerMethodField()

    class Meta:
        model = MeetingRequest
        fields = ["id", "event", "sender", "receiver", "reason", "priority", "score", "status", "created_at"]
        read_only_fields = fields

    def get_sender(self, r: MeetingRequest) -> dict[str, Any]:
        return {"participation": r.sender_id, "firm": firm_brief(r.sender.firm)}

    def get_receiver(self, r: MeetingRequest) -> dict[str, Any]:
        return {"participation": r.receiver_id, "firm": firm_brief(r.receiver.firm)}


class SuggestionSerializer(serializers.Serializer):
    optional_in_response = ()
    participation = serializers.IntegerField()
    firm = FirmBriefSerializer()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    proposal = serializers.IntegerField(allow_null=True)


class SuggestionsSerializer(serializers.Serializer):
    optional_in_response = ()
    introduced = SuggestionSerializer(many=True)
    suggested = SuggestionSerializer(many=True)


class AgendaRowSerializer(serializers.Serializer):
    optional_in_response = ()
    id = serializers.IntegerField()
    slot = serializers.IntegerField()
    # null for a meeting whose slot is no longer in the event's days and blocks (events.selectors.meeting_rows)
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)
    table = serializers.CharField()
    locked = serializers.BooleanField()
    sender = FirmBriefSerializer()
    receiver = FirmBriefSerializer()
    counterpart = FirmBriefSerializer()
    reason = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())

    def to_representation(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": row["id"],
            "slot": row["slot"],
            "start": row["start"].isoformat() if row["start"] else None,
            "end": row["end"].isoformat() if row["end"] else None,
            "table": row["table"],
            "locked": row["locked"],
            "sender": firm_brief(row["sender"]),
            "receiver": firm_brief(row["receiver"]),
            "counterpart": firm_brief(row["counterpart"]),
            "reason": row["reason"],
            "reasons": row["reasons"],
        }


class MeetingSerializer(serializers.ModelSerializer):
    optional_in_response = ()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "event",
            "request",
            "slot",
            "table",
            "locked",
            "status",
            "sender_follow_up",
            "receiver_follow_up",
        ]
        read_only_fields = fields


class ScheduleRunSerializer(serializers.ModelSerializer):
    optional_in_response = ()

    class Meta:
        model = ScheduleRun
        fields = [
            "id",
            "status",
            "progress",
            "stage",
            "time_limit",
            "meetings",
            "upper_bound",
            "requests",
            "solver_status",
            "seconds",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class EventStatsSerializer(serializers.Serializer):
    optional_in_response = ()
    participants = serializers.IntegerField()
    by_country = serializers.DictField(child=serializers.IntegerField())
    requests = serializers.DictField(child=serializers.IntegerField())
    requests_total = serializers.IntegerField()
    acceptance_rate = serializers.FloatField(allow_null=True)
    meetings = serializers.IntegerField()
    upper_bound = serializers.IntegerField(allow_null=True)
    follow_ups = serializers.DictField(child=serializers.IntegerField())
