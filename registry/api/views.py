"""Firm registry endpoints: they translate HTTP to one service or selector call and back."""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.conditional import etag_of, if_match_check
from core.api.ordering import CheckedOrderingFilter
from core.api.schemas import error_responses
from core.permissions import IsReviewer
from registry.api.filters import FirmFilter, NullsLastOrderingFilter, PlatformFilter
from registry.api.representation import firm_reloaded, firm_representation, firm_representation_json
from registry.api.serializers import (
    CapabilitySerializer,
    CapabilityWriteSerializer,
    FirmCapabilityInputSerializer,
    FirmCapacityOverrideSerializer,
    FirmPlatformInputSerializer,
    FirmRevisionSerializer,
    FirmSerializer,
    FirmSuspendSerializer,
    FirmVerifySerializer,
    FirmWriteSerializer,
    PlatformSerializer,
)
from registry.models import Firm, PlatformRole
from registry.selectors import (
    capability_list,
    firm_history_visible_to,
    firm_list_visible_to,
    firm_revision_list,
    platform_list,
)
from registry.services import (
    capability_create,
    firm_capability_put,
    firm_capability_remove,
    firm_confirm,
    firm_create,
    firm_intro_capacity_override_set,
    firm_platform_add,
    firm_platform_remove,
    firm_suspend,
    firm_update,
    firm_verify,
)

# Appended to the description of each single-entry write (capabilities, platforms).
IF_MATCH_NOTE = " With `If-Match` (the firm's ETag you read): 412 and nothing changes if the firm changed since."


@extend_schema_view(
    list=extend_schema(
        summary="List firms",
        description="Verified firms, plus your own firms whatever their status; reviewers see every firm. "
        "`contact` is null except for your own firms (reviewers see all contacts); "
        "`screening_status` is given to reviewers and administrators only.",
        responses={200: FirmSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(summary="A firm", responses={200: FirmSerializer, **error_responses(401, 404)}),
    create=extend_schema(
        summary="Register a firm",
        description="You become its owner. The firm is `pending` until a reviewer verifies it.",
        request=FirmWriteSerializer,
        responses={201: FirmSerializer, **error_responses(400, 401, 415)},
    ),
    update=extend_schema(
        summary="Replace a firm's profile (owners and editors)",
        request=FirmWriteSerializer,
        responses={200: FirmSerializer, **error_responses(400, 401, 403, 404, 415)},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a firm's profile (owners and editors)",
        description="Given fields replace the current ones (offers/seeks as whole lists; contact key by key).",
        request=FirmWriteSerializer(partial=True),
        responses={200: FirmSerializer, **error_responses(400, 401, 403, 404, 415)},
    ),
)
class FirmViewSet(viewsets.GenericViewSet):
    serializer_class = FirmSerializer
    filter_backends = [DjangoFilterBackend, NullsLastOrderingFilter]
    filterset_class = FirmFilter
    # Any path segment reaches the view, so `/firms/abc/` is the API's JSON 404, not Django's HTML one.
    lookup_value_regex = "[^/]+"
    ordering_fields = ["name", "created_at", "employees", "updated_at"]
    sync_field = "updated_at"  # updated_since, cursor (core.api.pagination.SyncPagination)
    ordering = ["name", "id"]

    def get_queryset(self):
        return firm_list_visible_to(user=self.request.user)

    def _render(self, firms: list[Firm], *, many: bool):
        return firm_representation(firms, user=self.request.user, many=many, context=self.get_serializer_context())

    def _reload(self, firm: Firm) -> Firm:
        return firm_reloaded(firm)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._render(list(page), many=True))

    def retrieve(self, request: Request, pk=None) -> Response:
        return Response(self._render([self.get_object()], many=False))

    def create(self, request: Request) -> Response:
        firm = firm_create(user=request.user, data=request.data)
        return Response(self._render([self._reload(firm)], many=False), status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk=None) -> Response:
        firm = firm_update(firm=self.get_object(), user=request.user, data=request.data)
        return Response(self._render([self._reload(firm)], many=False))

    def partial_update(self, request: Request, pk=None) -> Response:
        firm = firm_update(firm=self.get_object(), user=request.user, data=request.data, partial=True)
        return Response(self._render([self._reload(firm)], many=False))

    @extend_schema(
        summary="Verify a firm (reviewers)",
        description="From `pending` or `suspended` to `verified`; the firm then enters matching.",
        request=FirmVerifySerializer,
        responses={200: FirmSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsReviewer])
    def verify(self, request: Request, pk=None) -> Response:
        body = FirmVerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        firm = firm_verify(firm=self.get_object(), reviewer=request.user, note=body.validated_data.get("note", ""))
        return Response(self._render([self._reload(firm)], many=False))

    @extend_schema(
        summary="Suspend a firm (reviewers)",
        description="From `pending` or `verified` to `suspended`, with a reason kept in the firm's history.",
        request=FirmSuspendSerializer,
        responses={200: FirmSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsReviewer])
    def suspend(self, request: Request, pk=None) -> Response:
        body = FirmSuspendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        firm = firm_suspend(firm=self.get_object(), reviewer=request.user, reason=body.validated_data["reason"])
        return Response(self._render([self._reload(firm)], many=False))

    @extend_schema(
        summary="Override a firm's introductions at once (reviewers)",
        description="Sets the ministry's `intro_capacity_override` (e.g. for a state holding), which wins over "
        "the firm's own `intro_capacity` in match runs; `null` clears it. Kept in the firm's history.",
        request=FirmCapacityOverrideSerializer,
        responses={200: FirmSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsReviewer], url_path="capacity-override")
    def capacity_override(self, request: Request, pk=None) -> Response:
        body = FirmCapacityOverrideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        firm = firm_intro_capacity_override_set(
            firm=self.get_object(),
            reviewer=request.user,
            value=body.validated_data["value"],
            note=body.validated_data.get("note", ""),
        )
        return Response(self._render([self._reload(firm)], many=False))

    @extend_schema(
        summary="Confirm that the profile is current (owners and editors)",
        description="Sets `confirmed_at` to now. A profile not confirmed for PROFILE_STALE_MONTHS (12 by "
        "default) is stale: hidden from the directory and left out of matching until confirmed. "
        "Editing the profile confirms it too. No request body.",
        request=None,
        responses={200: FirmSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk=None) -> Response:
        firm = firm_confirm(firm=self.get_object(), user=request.user)
        return Response(self._render([self._reload(firm)], many=False))

    def _render_with_etag(self, firm: Firm, *, status_code: int = status.HTTP_200_OK) -> Response:
        """The firm as GET /firms/{id}/ shows it to this caller, with the ETag that read would carry."""
        data = self._render([self._reload(firm)], many=False)
        response = Response(data, status=status_code)
        response["ETag"] = etag_of(JSONRenderer().render(data))
        return response

    def _if_match(self, firm: Firm):
        """The request's `If-Match`, checked by the service under the firm's row lock (None: no header)."""
        return if_match_check(self.request, current=lambda: firm_representation_json(firm, user=self.request.user))

    @extend_schema(
        summary="Add a capability to a firm's offers or seeks (owners and editors)",
        description="Adds one capability to `offers` (`kind: offer`) or `seeks` (`kind: seek`): 201. Already "
        "listed: its `detail` and `monthly_capacity` are replaced: 200 (nothing recorded when they are the "
        "same). The rules of a PATCH of that list apply (validation, history, re-verification, rematch). "
        "Answers the firm, with its new `ETag`." + IF_MATCH_NOTE,
        request=FirmCapabilityInputSerializer,
        responses={
            200: OpenApiResponse(FirmSerializer, description="The capability was listed; now as given."),
            201: OpenApiResponse(FirmSerializer, description="The capability was added."),
            **error_responses(400, 401, 403, 404, 415),
        },
    )
    @action(detail=True, methods=["post"], url_path="capabilities", url_name="capabilities")
    def capabilities(self, request: Request, pk=None) -> Response:
        firm = self.get_object()
        body = FirmCapabilityInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = dict(body.validated_data)
        kind = entry.pop("kind")
        firm, created = firm_capability_put(
            firm=firm, user=request.user, kind=kind, entry=entry, precondition=self._if_match(firm)
        )
        return self._render_with_etag(firm, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Remove a capability from a firm's offers or seeks (owners and editors)",
        description="Idempotent: when the capability is not listed (any more), nothing changes and the answer is "
        "the same 200 with the firm. The rules of a PATCH of that list apply." + IF_MATCH_NOTE,
        request=None,
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=["offer", "seek"]),
            OpenApiParameter("capability", str, OpenApiParameter.PATH, description="A capability code."),
        ],
        responses={200: FirmSerializer, **error_responses(401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"capabilities/(?P<kind>offer|seek)/(?P<capability>[^/]+)",
        url_name="capability",
    )
    def capability_remove(self, request: Request, pk=None, kind=None, capability=None) -> Response:
        firm = self.get_object()
        firm = firm_capability_remove(
            firm=firm, user=request.user, kind=kind, code=capability, precondition=self._if_match(firm)
        )
        return self._render_with_etag(firm)

    @extend_schema(
        summary="Add a platform to a firm (owners and editors)",
        description="Adds one platform and role pair: 201; already listed: 200, nothing changes. The rules of a "
        "PATCH of `platforms` apply. Answers the firm, with its new `ETag`." + IF_MATCH_NOTE,
        request=FirmPlatformInputSerializer,
        responses={
            200: OpenApiResponse(FirmSerializer, description="The pair was listed already."),
            201: OpenApiResponse(FirmSerializer, description="The pair was added."),
            **error_responses(400, 401, 403, 404, 415),
        },
    )
    @action(detail=True, methods=["post"], url_path="platforms", url_name="platforms")
    def platforms(self, request: Request, pk=None) -> Response:
        firm = self.get_object()
        body = FirmPlatformInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = dict(body.validated_data)
        firm, created = firm_platform_add(firm=firm, user=request.user, entry=entry, precondition=self._if_match(firm))
        return self._render_with_etag(firm, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Remove a platform from a firm (owners and editors)",
        description="Idempotent: a pair that is not listed (any more) changes nothing and answers the same 200."
        + IF_MATCH_NOTE,
        request=None,
        parameters=[
            OpenApiParameter("platform", str, OpenApiParameter.PATH, description="A platform code."),
            OpenApiParameter("role", str, OpenApiParameter.PATH, enum=[r.value for r in PlatformRole]),
        ],
        responses={200: FirmSerializer, **error_responses(401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"platforms/(?P<platform>[^/]+)/(?P<role>" + "|".join(PlatformRole.values) + ")",
        url_name="platform",
    )
    def platform_remove(self, request: Request, pk=None, platform=None, role=None) -> Response:
        firm = self.get_object()
        firm = firm_platform_remove(
            firm=firm, user=request.user, platform=platform, role=role, precondition=self._if_match(firm)
        )
        return self._render_with_etag(firm)

    @extend_schema(
        summary="A firm's profile history (its members and reviewers)",
        responses={200: FirmRevisionSerializer(many=True), **error_responses(401, 404)},
        filters=False,
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
    )
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=FirmRevisionSerializer)
    def history(self, request: Request, pk=None) -> Response:
        firm = self.get_object()
        if not firm_history_visible_to(firm=firm, user=request.user):
            raise Http404
        page = self.paginate_queryset(firm_revision_list(firm=firm))
        return self.get_paginated_response(FirmRevisionSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="The capability taxonomy",
        description="`name` is in the request's language (Accept-Language: uk or en); both are also given.",
        responses={200: CapabilitySerializer(many=True), **error_responses(401)},
    ),
    create=extend_schema(
        summary="Add a capability (reviewers and administrators)",
        request=CapabilityWriteSerializer,
        responses={201: CapabilitySerializer, **error_responses(400, 401, 403, 415)},
    ),
)
class CapabilityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CapabilitySerializer
    pagination_class = None  # about 60 entries: clients want the whole taxonomy at once
    filter_backends = [CheckedOrderingFilter]
    ordering_fields = ["code", "domain"]
    ordering = ["code"]

    def get_queryset(self):
        return capability_list()

    def get_permissions(self):
        if self.action == "create":
            return [IsReviewer()]
        return super().get_permissions()

    def create(self, request: Request) -> Response:
        body = CapabilityWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        capability = capability_create(user=request.user, data=body.validated_data)
        return Response(CapabilitySerializer(capability).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="The platform catalogue",
        description="Weapon systems in Ukrainian service that firms make, repair or supply. `name` is in the "
        "request's language (Accept-Language: uk or en); both are also given. Filter by `kind`, search with `q`.",
        responses={200: PlatformSerializer(many=True), **error_responses(400, 401)},
    ),
)
class PlatformViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PlatformSerializer
    pagination_class = None  # about 130 entries: clients want the whole catalogue at once
    filter_backends = [DjangoFilterBackend]
    filterset_class = PlatformFilter

    def get_queryset(self):
        return platform_list()
