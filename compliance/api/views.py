"""Reviewers' screening API and the firms' beneficial-owner declarations. Views only translate HTTP."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from compliance import selectors, services
from compliance.api import serializers as s
from core.api.conditional import etag_of, if_match_check
from core.api.pagination import Pagination
from core.errors import ApplicationError
from core.permissions import IsReviewer
from registry.api.representation import firm_representation_json
from registry.api.views import IF_MATCH_NOTE
from registry.models import Firm
from registry.selectors import firm_blocking_owners, firms_eligible_for_matching


def _detail(firm: Firm) -> dict:
    return {
        "firm_id": firm.pk,
        "ref": firm.ref,
        "name": firm.name,
        "country": str(firm.country),
        "status": firm.status,
        "screening_status": firm.screening_status,
        "eligible_for_matching": firms_eligible_for_matching().filter(pk=firm.pk).exists(),
        "screening": selectors.screening_latest(firm=firm),
        "decisions": list(selectors.screening_decisions(firm=firm)),
        "ownership_block": list(firm_blocking_owners(firm=firm)),
    }


@extend_schema(
    tags=["screening"],
    parameters=[
        OpenApiParameter(
            "status",
            OpenApiTypes.STR,
            enum=[v for v in Firm.ScreeningStatus.values if v != "clear"],
            description="Only firms with this screening status",
        )
    ],
)
class ScreeningListView(generics.ListAPIView):
    """Firms whose sanctions screening is not clear, for reviewers."""

    permission_classes = [IsReviewer]
    serializer_class = s.ScreeningFirmListSerializer
    pagination_class = Pagination
    filter_backends: list = []

    def get_queryset(self):
        status = self.request.query_params.get("status") or None
        allowed = set(Firm.ScreeningStatus.values) - {Firm.ScreeningStatus.CLEAR}
        if status is not None and status not in allowed:
            raise ApplicationError(
                gettext("status: must be one of %(choices)s.") % {"choices": ", ".join(sorted(allowed))},
                fields={"status": [gettext("Must be one of %(choices)s.") % {"choices": ", ".join(sorted(allowed))}]},
            )
        return selectors.screening_firm_list(status=status)


class ScreeningFirmView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(tags=["screening"], responses=s.ScreeningFirmDetailSerializer)
    def get(self, request, firm_id: int):
        """One firm's latest screening with its matches, the reviewers' decisions and any ownership block."""
        firm = get_object_or_404(Firm, pk=firm_id)
        return Response(s.ScreeningFirmDetailSerializer(_detail(firm)).data)


class _DecisionView(APIView):
    permission_classes = [IsReviewer]
    action = ""

    def post(self, request, firm_id: int):
        firm = get_object_or_404(Firm, pk=firm_id)
        data = s.DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decide = services.screening_confirm if self.action == "confirm" else services.screening_dismiss
        decide(firm=firm, reviewer=request.user, note=data.validated_data["note"])
        firm.refresh_from_db()
        return Response(s.ScreeningFirmDetailSerializer(_detail(firm)).data)


class ScreeningConfirmView(_DecisionView):
    action = "confirm"

    @extend_schema(tags=["screening"], request=s.DecisionInputSerializer, responses=s.ScreeningFirmDetailSerializer)
    def post(self, request, firm_id: int):
        """Confirm a potential match: the firm is suspended and its open proposals withdrawn (409 unless potential)."""
        return super().post(request, firm_id)


class ScreeningDismissView(_DecisionView):
    action = "dismiss"

    @extend_schema(tags=["screening"], request=s.DecisionInputSerializer, responses=s.ScreeningFirmDetailSerializer)
    def post(self, request, firm_id: int):
        """Dismiss a potential match as a false positive (409 unless potential)."""
        return super().post(request, firm_id)


class FirmOwnersView(APIView):
    """A firm's declared beneficial owners above 10%: members and reviewers read, owners and editors replace."""

    def _firm(self, request, firm_id: int, *, write: bool) -> Firm:
        firm = get_object_or_404(Firm, pk=firm_id)
        user = request.user
        role = Membership.objects.filter(user=user, firm=firm).values_list("role", flat=True).first()
        if role is None and not user.can_review:
            raise Http404  # outsiders must not learn the firm exists
        if write and role not in (Membership.Role.OWNER, Membership.Role.EDITOR):
            raise ApplicationError(
                gettext("Only an owner or editor of the firm can declare its owners."),
                code="permission_denied",
                status=403,
            )
        return firm

    def _if_match(self, request, firm: Firm):
        """`If-Match` holds the firm's ETag (GET /firms/{id}/ as this caller): the service checks it under the
        firm's row lock. None without the header."""
        return if_match_check(request, current=lambda: firm_representation_json(firm, user=request.user))

    def _out(self, firm: Firm) -> Response:
        owners = list(firm.beneficial_owners.all())
        data = {"firm_id": firm.pk, "owners": owners, "blocks_matching": firm_blocking_owners(firm=firm).exists()}
        return Response(s.OwnersOutputSerializer(data).data)

    def _written(self, request, firm: Firm, *, status_code: int = 200) -> Response:
        """A write's answer: the owners' list, with the firm's new `ETag` (GET /firms/{id}/ as this caller)
        for the next `If-Match`."""
        response = self._out(firm)
        response.status_code = status_code
        response["ETag"] = etag_of(firm_representation_json(firm, user=request.user))
        return response

    @extend_schema(tags=["firms"], responses=s.OwnersOutputSerializer)
    def get(self, request, firm_id: int):
        return self._out(self._firm(request, firm_id, write=False))

    @extend_schema(
        tags=["firms"],
        description="Replace the declared owners; an owner from Russia or Belarus above 10% keeps the firm out of "
        "matching. Kept in the firm's history; answers the owners with the firm's new `ETag`." + IF_MATCH_NOTE,
        request=s.OwnersInputSerializer,
        responses=s.OwnersOutputSerializer,
    )
    def put(self, request, firm_id: int):
        firm = self._firm(request, firm_id, write=True)
        data = s.OwnersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.beneficial_owners_replace(
            firm=firm,
            owners=data.validated_data["owners"],
            user=request.user,
            precondition=self._if_match(request, firm),
        )
        return self._written(request, firm)

    @extend_schema(
        tags=["firms"],
        summary="Declare one beneficial owner (owners and editors)",
        description="Adds one owner (201), or changes the share of the one with the same name and country "
        "(200; unchanged: nothing happens). The rules of a replacement apply: shares up to 100%, screening, "
        "matching eligibility. Kept in the firm's history; answers the owners with the firm's new `ETag`."
        + IF_MATCH_NOTE,
        request=s.OwnerSerializer,
        responses={200: s.OwnersOutputSerializer, 201: s.OwnersOutputSerializer},
    )
    def post(self, request, firm_id: int):
        firm = self._firm(request, firm_id, write=True)
        data = s.OwnerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _, created = services.beneficial_owner_add(
            firm=firm, owner=data.validated_data, user=request.user, precondition=self._if_match(request, firm)
        )
        return self._written(request, firm, status_code=201 if created else 200)


class FirmOwnerView(FirmOwnersView):
    """One declared owner: withdraw it."""

    http_method_names = ["delete", "options"]  # the collection's GET, PUT and POST are not its

    @extend_schema(
        tags=["firms"],
        summary="Withdraw one declared beneficial owner (owners and editors)",
        description="Idempotent: an owner not declared (any more) changes nothing and answers the same 200. "
        "Answers the owners with the firm's new `ETag`." + IF_MATCH_NOTE,
        request=None,
        responses={200: s.OwnersOutputSerializer},  # the owners' list, not a 204
    )
    def delete(self, request, firm_id: int, owner_id: int):
        firm = self._firm(request, firm_id, write=True)
        services.beneficial_owner_remove(
            firm=firm, owner_id=owner_id, user=request.user, precondition=self._if_match(request, firm)
        )
        return self._written(request, firm)
