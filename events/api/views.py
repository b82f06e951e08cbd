"""REST API of events. Views only translate HTTP: visibility in events.selectors, rules in events.services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response

from core.api.schemas import error_responses
from core.permissions import IsReviewer
from events import selectors, services
from events.api import serializers as s
from events.models import Event, Meeting, MeetingRequest, Participation
from events.rules import invalid, not_found
from registry.models import Firm

ERRORS = error_responses(400, 401, 403, 404, 409)


def _validated(serializer_class, request, *, partial: bool = False) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _event_out(request, event: Event) -> dict[str, Any]:
    return s.EventSerializer(selectors.event_get_for(user=request.user, pk=event.pk)).data


class EventListView(ListAPIView):
    """Events: reviewers see all, everyone else those past their draft. Reviewers create them."""

    serializer_class = s.EventSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return selectors.event_list_for(user=self.request.user)

    @extend_schema(request=s.EventInput, responses={201: s.EventSerializer, **ERRORS})
    def post(self, request):
        event = services.event_create(reviewer=request.user, data=_validated(s.EventInput, request))
        return Response(_event_out(request, event), status=status.HTTP_201_CREATED)


class EventDetailView(GenericAPIView):
    serializer_class = s.EventSerializer

    @extend_schema(responses={200: s.EventSerializer, **ERRORS})
    def get(self, request, pk: int):
        return Response(s.EventSerializer(selectors.event_get_for(user=request.user, pk=pk)).data)

    @extend_schema(request=s.EventInput(partial=True), responses={200: s.EventSerializer, **ERRORS})
    def patch(self, request, pk: int):
        event = selectors.event_get_for(user=request.user, pk=pk)
        services.event_update(event=event, reviewer=request.user, data=_validated(s.EventInput, request, partial=True))
        return Response(_event_out(request, event))


class _ReviewerEventView(GenericAPIView):
    permission_classes = [IsReviewer]
    serializer_class = s.EventSerializer

    def event(self, request, pk: int) -> Event:
        return selectors.event_get_for(user=request.user, pk=pk)


class EventStatusView(_ReviewerEventView):
    @extend_schema(request=s.EventStatusInput, responses={200: s.EventSerializer, **ERRORS})
    def post(self, request, pk: int):
        event = self.event(request, pk)
        services.event_set_status(
            event=event, reviewer=request.user, status=_validated(s.EventStatusInput, request)["to_status"]
        )
        return Response(_event_out(request, event))


class EventPublishView(_ReviewerEventView):
    @extend_schema(request=s.PublishInput, responses={200: s.EventSerializer, **ERRORS})
    def post(self, request, pk: int):
        event = self.event(request, pk)
        services.event_publish(event=event, reviewer=request.user, final=_validated(s.PublishInput, request)["final"])
        return Response(_event_out(request, event))


class EventScheduleView(_ReviewerEventView):
    serializer_class = s.ScheduleRunSerializer

    @extend_schema(responses={200: s.ScheduleRunSerializer, **ERRORS})
    def get(self, request, pk: int):
        run = selectors.latest_run(event=self.event(request, pk))
        if run is None:
            raise not_found()
        return Response(s.ScheduleRunSerializer(run).data)

    @extend_schema(request=s.ScheduleInput, responses={202: s.ScheduleRunSerializer, **ERRORS})
    def post(self, request, pk: int):
        event = self.event(request, pk)
        run = services.schedule_start(
            event=event, reviewer=request.user, time_limit=_validated(s.ScheduleInput, request)["time_limit"]
        )
        run.refresh_from_db()
        return Response(s.ScheduleRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class EventMeetingsView(_ReviewerEventView):
    serializer_class = s.AgendaRowSerializer
    pagination_class = None
    queryset = Meeting.objects.none()  # for the schema generator: the rows are built by a selector

    @extend_schema(responses={200: s.AgendaRowSerializer(many=True), **ERRORS})
    def get(self, request, pk: int):
        rows = selectors.event_meetings(event=self.event(request, pk))
        return Response(s.AgendaRowSerializer(rows, many=True).data)


class EventStatsView(_ReviewerEventView):
    serializer_class = s.EventStatsSerializer

    @extend_schema(responses={200: s.EventStatsSerializer, **ERRORS})
    def get(self, request, pk: int):
        return Response(selectors.event_stats(event=self.event(request, pk)))


class EventParticipantsView(ListAPIView):
    """The event's registered firms (public facts), to pick meeting requests from."""

    serializer_class = s.ParticipantSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Participation.objects.none()
        return selectors.participant_list(event=selectors.event_get_for(user=self.request.user, pk=self.kwargs["pk"]))


class EventRegisterView(GenericAPIView):
    serializer_class = s.ParticipationSerializer

    @extend_schema(request=s.ParticipationInput, responses={201: s.ParticipationSerializer, **ERRORS})
    def post(self, request, pk: int):
        event = selectors.event_get_for(user=request.user, pk=pk)
        data = _validated(s.ParticipationInput, request)
        firm = Firm.objects.filter(pk=data.pop("firm")).first()
        if firm is None:
            raise invalid("firm", gettext("No firm with this id."))
        participation = services.participation_register(event=event, user=request.user, firm=firm, **data)
        return Response(s.ParticipationSerializer(participation).data, status=status.HTTP_201_CREATED)


class ParticipationDetailView(GenericAPIView):
    serializer_class = s.ParticipationSerializer

    @extend_schema(responses={200: s.ParticipationSerializer, **ERRORS})
    def get(self, request, pk: int):
        return Response(s.ParticipationSerializer(selectors.participation_get_for(user=request.user, pk=pk)).data)

    @extend_schema(request=s.ParticipationUpdateInput, responses={200: s.ParticipationSerializer, **ERRORS})
    def patch(self, request, pk: int):
        p = selectors.participation_get_for(user=request.user, pk=pk)
        services.participation_update(
            participation=p, user=request.user, data=_validated(s.ParticipationUpdateInput, request)
        )
        return Response(s.ParticipationSerializer(selectors.participation_get_for(user=request.user, pk=pk)).data)

    @extend_schema(responses={200: s.ParticipationSerializer, **ERRORS})
    def delete(self, request, pk: int):
        p = selectors.participation_get_for(user=request.user, pk=pk)
        services.participation_withdraw(participation=p, user=request.user)
        return Response(s.ParticipationSerializer(selectors.participation_get_for(user=request.user, pk=pk)).data)


class ParticipationRequestsView(ListAPIView):
    """Requests the participant sent and received; POST sends one."""

    serializer_class = s.MeetingRequestSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MeetingRequest.objects.none()
        p = selectors.participation_get_for(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.request_list_for(participation=p)

    @extend_schema(request=s.RequestInput, responses={201: s.MeetingRequestSerializer, **ERRORS})
    def post(self, request, pk: int):
        p = selectors.participation_get_for(user=request.user, pk=pk)
        data = _validated(s.RequestInput, request)
        made = services.request_send(
            sender=p, receiver=data["receiver"], user=request.user, reason=data["reason"], priority=data["priority"]
        )
        return Response(s.MeetingRequestSerializer(made).data, status=status.HTTP_201_CREATED)


class ParticipationSuggestionsView(GenericAPIView):
    serializer_class = s.SuggestionsSerializer

    @extend_schema(responses={200: s.SuggestionsSerializer, **ERRORS})
    def get(self, request, pk: int):
        p = selectors.participation_get_for(user=request.user, pk=pk)
        return Response(selectors.suggestions_for(participation=p))


class ParticipationAgendaView(GenericAPIView):
    serializer_class = s.AgendaRowSerializer
    pagination_class = None
    queryset = Meeting.objects.none()  # for the schema generator: the rows are built by a selector

    @extend_schema(responses={200: s.AgendaRowSerializer(many=True), **ERRORS})
    def get(self, request, pk: int):
        p = selectors.participation_get_for(user=request.user, pk=pk)
        return Response(s.AgendaRowSerializer(selectors.agenda_for(participation=p), many=True).data)


class _RequestActionView(GenericAPIView):
    serializer_class = s.MeetingRequestSerializer
    action_name = ""

    @extend_schema(request=s.EmptyInput, responses={200: s.MeetingRequestSerializer, **ERRORS})
    def post(self, request, pk: int):
        r = selectors.request_get_for(user=request.user, pk=pk)
        _validated(s.EmptyInput, request)
        action = services.request_accept if self.action_name == "accept" else services.request_decline
        return Response(s.MeetingRequestSerializer(action(request=r, user=request.user)).data)


class RequestAcceptView(_RequestActionView):
    action_name = "accept"


class RequestDeclineView(_RequestActionView):
    action_name = "decline"


class MeetingLockView(GenericAPIView):
    serializer_class = s.MeetingSerializer

    @extend_schema(request=s.LockInput, responses={200: s.MeetingSerializer, **ERRORS})
    def post(self, request, pk: int):
        m = selectors.meeting_get_for(user=request.user, pk=pk)
        done = services.meeting_set_locked(
            meeting=m, reviewer=request.user, locked=_validated(s.LockInput, request)["locked"]
        )
        return Response(s.MeetingSerializer(done).data)


class MeetingCancelView(GenericAPIView):
    serializer_class = s.MeetingSerializer

    @extend_schema(request=s.CancelInput, responses={200: s.MeetingSerializer, **ERRORS})
    def post(self, request, pk: int):
        m = selectors.meeting_get_for(user=request.user, pk=pk)
        data = _validated(s.CancelInput, request)
        return Response(
            s.MeetingSerializer(services.meeting_cancel(meeting=m, user=request.user, firm_id=data.get("firm"))).data
        )


class MeetingFollowUpView(GenericAPIView):
    serializer_class = s.MeetingSerializer

    @extend_schema(request=s.FollowUpInput, responses={200: s.MeetingSerializer, **ERRORS})
    def post(self, request, pk: int):
        m = selectors.meeting_get_for(user=request.user, pk=pk)
        data = _validated(s.FollowUpInput, request)
        done = services.meeting_follow_up(meeting=m, user=request.user, answer=data["answer"], firm_id=data.get("firm"))
        return Response(s.MeetingSerializer(done).data)
