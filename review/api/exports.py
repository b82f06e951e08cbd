"""Reviewers' downloads of the review API: the proposal list (with its filters) and the statistics."""

from __future__ import annotations

from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

from core.api.downloads import (
    EXPORT_RESPONSES,
    FILE_PARAMETER,
    ExportInput,
    SpreadsheetDownloadMixin,
    export_file,
)
from core.api.ordering import CheckedOrderingFilter
from core.api.schemas import error_responses
from core.exports import attachment
from core.permissions import IsReviewer
from matching.models import Proposal
from review.selectors import ProposalFilter, proposal_visible_queryset, review_stats
from review.services.exports import proposal_queue_export, review_dashboard_export


class ProposalExportView(SpreadsheetDownloadMixin, GenericAPIView):
    """GET /proposals/'s filters and ordering, every matching proposal in one CSV or XLSX file."""

    serializer_class = ExportInput
    permission_classes = [IsReviewer]
    pagination_class = None
    filter_backends = [DjangoFilterBackend, CheckedOrderingFilter]
    filterset_class = ProposalFilter
    ordering_fields = ["score", "created_at", "status_changed_at", "updated_at"]
    ordering = ["-score", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Proposal.objects.none()
        return proposal_visible_queryset(user=self.request.user, public_only=True)

    @extend_schema(
        summary="Export proposals as CSV or XLSX (reviewers)",
        description="The proposal list's filters and ordering; headers and labels in the reviewer's language.",
        filters=True,
        parameters=[FILE_PARAMETER],
        responses={**EXPORT_RESPONSES, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> HttpResponse:
        file = export_file(request)
        proposals = self.filter_queryset(self.get_queryset())
        return attachment(proposal_queue_export(user=request.user, proposals=proposals, file=file))


class StatsExportView(SpreadsheetDownloadMixin, GenericAPIView):
    """GET /stats/ as a CSV or XLSX file of (figure, breakdown, value) rows."""

    serializer_class = ExportInput
    permission_classes = [IsReviewer]
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="Export the review statistics as CSV or XLSX (reviewers)",
        parameters=[FILE_PARAMETER],
        responses={**EXPORT_RESPONSES, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> HttpResponse:
        file = export_file(request)
        return attachment(review_dashboard_export(user=request.user, numbers={"stats": review_stats()}, file=file))
