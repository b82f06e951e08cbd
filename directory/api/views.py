"""Directory endpoints: they translate HTTP to one service or selector call and back."""

from django.http import HttpResponse
from django.utils.translation import get_language, gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.downloads import (
    EXPORT_RESPONSES,
    FILE_PARAMETER,
    ExportInput,
    SpreadsheetDownloadMixin,
    export_file,
)
from core.api.ordering import CheckedOrderingFilter
from core.api.pagination import Pagination, SyncPagination
from core.api.schemas import error_responses
from core.exports import attachment
from core.permissions import IsReviewer
from directory import selectors, services
from directory.api.serializers import (
    DirectoryFirmSerializer,
    IntroductionRequestInput,
    IntroductionRequestSerializer,
    ReviewerFirmSerializer,
    SavedSearchInput,
    SavedSearchSerializer,
    SavedSearchUpdateInput,
)
from directory.filters import SORT_FIT, DirectoryFilter, ReviewerFirmFilter
from directory.models import SavedSearch
from registry.models import Firm


def _validated(serializer_class, request: Request) -> dict:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _lang() -> str:
    return "uk" if (get_language() or "").startswith("uk") else "en"


class DirectoryListView(GenericAPIView):
    """Verified firms that may be introduced, searched and filtered; members of verified firms and reviewers."""

    serializer_class = DirectoryFirmSerializer
    queryset = Firm.objects.none()  # for the schema generator; reads go through directory.selectors
    filterset_class = DirectoryFilter
    pagination_class = SyncPagination
    sync_field = "updated_at"  # updated_since, cursor (core.api.pagination.SyncPagination)
    filter_backends = [DjangoFilterBackend, CheckedOrderingFilter]  # documented here, applied in get()
    ordering_fields = ["name", "created_at", "updated_at"]

    @extend_schema(
        summary="Search the directory",
        description="`ordering` (validated, the id breaks ties) replaces `sort`'s order; with `sort=fit` it is "
        "refused (400). `updated_since` / `cursor` sync the listed firms by (`updated_at`, id) with the same "
        "filters (not with `sort=fit`: 400). A firm that leaves the directory (suspended, under screening, "
        "stale) is not sent again: compare the ids you hold with a full listing to drop them.",
        responses={200: DirectoryFirmSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        selectors.directory_require(user=request.user)
        bound = selectors.directory_filter(params=request.query_params)
        if not bound.is_valid():
            raise serializers.ValidationError(bound.errors)
        data = bound.form.cleaned_data
        search, sort = data.get("search") or "", data.get("sort") or "relevance"
        scores = None
        ordering = CheckedOrderingFilter().get_ordering(request, bound.qs, self)
        if ordering and sort == SORT_FIT:
            raise serializers.ValidationError({"ordering": [gettext("Cannot be combined with sort=fit.")]})
        for name in ("updated_since", "cursor"):
            if name in request.query_params and sort == SORT_FIT:
                raise serializers.ValidationError({name: [gettext("Cannot be combined with sort=fit.")]})
        if ordering:
            page = self.paginate_queryset(bound.qs.order_by(*ordering))
        elif sort == SORT_FIT:
            firm = selectors.directory_fit_firm(user=request.user, firm_id=data.get("firm"))
            ranked = selectors.directory_fit_ordered(queryset=bound.qs, firm=firm, search=search)
            page = self.paginate_queryset(ranked)
            scores = ranked.shown
        else:
            page = self.paginate_queryset(selectors.directory_ordered(queryset=bound.qs, search=search, sort=sort))
        entries = selectors.directory_entries(firms=list(page), lang=_lang(), scores=scores)
        return self.get_paginated_response(DirectoryFirmSerializer(entries, many=True).data)


class DirectoryFirmView(GenericAPIView):
    serializer_class = DirectoryFirmSerializer
    queryset = Firm.objects.none()

    @extend_schema(
        summary="A firm's public profile", responses={200: DirectoryFirmSerializer, **error_responses(401, 403, 404)}
    )
    def get(self, request: Request, pk: int) -> Response:
        selectors.directory_require(user=request.user)
        firm = selectors.directory_firm_get(pk=pk)
        return Response(DirectoryFirmSerializer(selectors.directory_entries(firms=[firm], lang=_lang())[0]).data)


class IntroductionRequestView(GenericAPIView):
    serializer_class = IntroductionRequestSerializer
    queryset = Firm.objects.none()

    @extend_schema(
        summary="Ask for an introduction to this firm (owners and editors of a verified firm)",
        description="Becomes a proposal with origin `requested`, in the reviewers' queue with the message. "
        "The message: 20-1,000 characters once surrounding spaces are trimmed (400 `required` when empty, "
        "`length` when shorter or longer, naming `message`). Limits: DIRECTORY MAX_OPEN_REQUESTS open requests per firm (409 `too_many_requests`), no repeat "
        "within REQUEST_COOLDOWN_DAYS of a decline or rejection (409 `cooling_down`), the target's "
        "capacity (409 `target_at_capacity`). A member of both firms cannot ask (400 `same_person` naming "
        "`firm`): each side's yes comes from a different person.",
        request=IntroductionRequestInput,
        responses={201: IntroductionRequestSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    def post(self, request: Request, pk: int) -> Response:
        selectors.directory_require(user=request.user)
        target = selectors.directory_firm_get(pk=pk)
        services.introduction_require_requester(user=request.user)
        data = _validated(IntroductionRequestInput, request)
        proposal = services.introduction_request(
            user=request.user, target=target, message=data["message"], firm_id=data.get("firm")
        )
        return Response(IntroductionRequestSerializer(proposal).data, status=status.HTTP_201_CREATED)


class SavedSearchListView(GenericAPIView):
    serializer_class = SavedSearchSerializer
    queryset = SavedSearch.objects.none()
    pagination_class = None

    @extend_schema(
        summary="Your saved directory searches",
        responses={200: SavedSearchSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        selectors.directory_require(user=request.user)
        return Response(SavedSearchSerializer(selectors.saved_search_list(user=request.user), many=True).data)

    @extend_schema(
        summary="Save a directory search",
        description="You are told once (in-app and by email) when a firm starts matching it: at once, or in a "
        "daily or weekly digest (`frequency`).",
        request=SavedSearchInput,
        responses={201: SavedSearchSerializer, **error_responses(400, 401, 403, 409, 415)},
    )
    def post(self, request: Request) -> Response:
        data = _validated(SavedSearchInput, request)
        search = services.saved_search_create(
            user=request.user, query=data["query"], name=data.get("name", ""), frequency=data.get("frequency")
        )
        return Response(SavedSearchSerializer(search).data, status=status.HTTP_201_CREATED)


class SavedSearchDetailView(GenericAPIView):
    serializer_class = SavedSearchSerializer
    queryset = SavedSearch.objects.none()

    @extend_schema(
        summary="One of your saved searches", responses={200: SavedSearchSerializer, **error_responses(401, 404)}
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(SavedSearchSerializer(selectors.saved_search_get(user=request.user, pk=pk)).data)

    @extend_schema(
        summary="Rename a saved search or change its digest",
        request=SavedSearchUpdateInput,
        responses={200: SavedSearchSerializer, **error_responses(400, 401, 404, 415)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        search = selectors.saved_search_get(user=request.user, pk=pk)
        data = _validated(SavedSearchUpdateInput, request)
        search = services.saved_search_update(search=search, name=data.get("name"), frequency=data.get("frequency"))
        return Response(SavedSearchSerializer(search).data)

    @extend_schema(summary="Delete a saved search", responses={204: None, **error_responses(401, 404)})
    def delete(self, request: Request, pk: int) -> Response:
        services.saved_search_delete(search=selectors.saved_search_get(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewerFirmListView(ListAPIView):
    """Reviewers: every firm, any status, found by name, EDRPOU, LEI or ref and filtered by status,
    side, country, screening and completeness (`ReviewerFirmFilter`, as on the page and in the export)."""

    serializer_class = ReviewerFirmSerializer
    permission_classes = [IsReviewer]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReviewerFirmFilter

    def get_queryset(self):
        return selectors.reviewer_firm_queryset()

    @extend_schema(
        summary="Find any firm by name, EDRPOU, LEI or ref (reviewers)",
        responses={200: ReviewerFirmSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        firms = selectors.reviewer_firm_page(firms=page)
        return self.get_paginated_response(self.get_serializer(firms, many=True).data)


class ReviewerFirmExportView(SpreadsheetDownloadMixin, GenericAPIView):
    """The same list, with the same filters, as a CSV or XLSX file (formula-like cells neutralised)."""

    serializer_class = ExportInput
    permission_classes = [IsReviewer]
    pagination_class = None
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReviewerFirmFilter

    def get_queryset(self):
        return selectors.reviewer_firm_queryset()

    @extend_schema(
        summary="Export the firm list as CSV or XLSX (reviewers)",
        description="Headers and labels in the reviewer's language; takes the list's filters.",
        filters=True,  # the list's filters, documented (and so accepted) here too
        parameters=[FILE_PARAMETER],
        responses={**EXPORT_RESPONSES, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> HttpResponse:
        file = export_file(request)
        firms = self.filter_queryset(self.get_queryset())
        return attachment(services.reviewer_firms_export(user=request.user, firms=firms, file=file))
