"""REST API of match runs: reviewers and administrators list them, follow progress, start a full run.

Firm members get 403 on all of it (runs say nothing about one firm's business); anonymous 401.
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import BoundedFilterSet
from core.api.schemas import error_responses
from core.api.strict import StrictFieldsMixin
from matching.models import MatchRun
from matching.services.runs import match_run_get, match_run_list, match_run_start
from registry.api.views import IsReviewer


class MatchRunSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(read_only=True, help_text="Chunks done / chunks total, 0..1.")
    created_by = serializers.CharField(
        source="created_by.username",
        default=None,
        read_only=True,
        allow_null=True,
        help_text="The username of who started the run; null when no person did (a scheduled or a one-firm run).",
    )
    firm = serializers.IntegerField(source="firm_id", read_only=True, allow_null=True)
    duration_seconds = serializers.SerializerMethodField(help_text="Start to finish (or to now while running).")

    class Meta:
        model = MatchRun
        fields = [
            "id", "kind", "firm", "status", "progress", "chunks_done", "chunks_total", "pairs_scored",
            "proposals_created", "proposals_updated", "proposals_superseded", "parameters", "error",
            "created_by", "created_at", "started_at", "finished_at", "duration_seconds", "finalise_seconds",
        ]  # fmt: skip
        read_only_fields = fields

    def get_duration_seconds(self, run: MatchRun) -> float | None:
        from django.utils import timezone

        if run.started_at is None:
            return None
        return round(((run.finished_at or timezone.now()) - run.started_at).total_seconds(), 3)


class MatchRunStartSerializer(StrictFieldsMixin, serializers.Serializer):
    """Starting a full run takes no input: weights and thresholds come from settings and are stored on the run."""


class MatchRunFilter(BoundedFilterSet):
    """`kind` and `status` of the run list: a value outside the choices is a 400 naming the parameter."""

    kind = django_filters.ChoiceFilter(choices=MatchRun.Kind.choices, help_text="Only runs of this kind.")
    status = django_filters.ChoiceFilter(choices=MatchRun.Status.choices, help_text="Only runs in this state.")

    class Meta:
        model = MatchRun
        fields = ["kind", "status"]


class MatchRunListView(ListAPIView):
    permission_classes = [IsAuthenticated, IsReviewer]
    serializer_class = MatchRunSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MatchRunFilter

    def get_queryset(self):
        return match_run_list()

    @extend_schema(
        summary="List match runs",
        description="Newest first. Reviewers and administrators only.",
        responses={200: MatchRunSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Start a full match run",
        description="Queues a run over every eligible pair and answers 202 with it; follow it at "
        "`/api/v1/match-runs/{id}/`. 409 `run_in_progress` while another full run is queued or running.",
        request=MatchRunStartSerializer,
        responses={202: MatchRunSerializer, **error_responses(400, 401, 403, 409)},
    )
    def post(self, request, *args, **kwargs):
        MatchRunStartSerializer(data=request.data or {}).is_valid(raise_exception=True)
        run = match_run_start(user=request.user)
        run = match_run_get(pk=run.pk)  # re-read: with eager tasks the run may already be finished
        return Response(MatchRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class MatchRunDetailView(APIView):
    permission_classes = [IsAuthenticated, IsReviewer]

    @extend_schema(
        summary="A match run and its progress",
        responses={200: MatchRunSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        try:
            run = match_run_get(pk=pk)
        except MatchRun.DoesNotExist:
            raise Http404
        return Response(MatchRunSerializer(run).data)
