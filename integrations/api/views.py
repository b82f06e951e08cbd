"""REST API of webhooks: a firm's owners manage its endpoints and read and re-send its deliveries.

404 for anyone outside the firm (as for members and invitations), 403 for its members who are
not owners. Rules live in integrations.services.webhooks, reads in integrations.selectors.
"""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api.schemas import error_responses as errors
from core.api.strict import StrictFieldsMixin
from integrations import selectors
from integrations.models import EVENT_TYPES, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import webhooks

TAGS = ["webhooks"]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)))
    secret_rotating_until = serializers.DateTimeField(
        source="previous_secret_expires_at",
        allow_null=True,
        help_text="While set (and in the future), deliveries carry a signature with the previous secret too.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "secret_rotating_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="`whsec_...`: verify signatures with it. Shown only now; keep it safe.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="An https:// address that answers 2xx within 10 s.")
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)), min_length=1)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class WebhookEndpointUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_TYPES)), min_length=1, required=False
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_active = serializers.BooleanField(required=False, help_text="true re-enables an endpoint that was disabled.")


class RotateSecretSerializer(StrictFieldsMixin, serializers.Serializer):
    overlap_hours = serializers.IntegerField(
        required=False, default=24, min_value=0, max_value=168, help_text="Hours both secrets sign (0 to 168)."
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "manual", "started_at", "duration_ms", "response_code", "error", "succeeded"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, read_only=True)
    attempt_log = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "msg_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "last_response_code",
            "last_error",
            "delivered_at",
            "created_at",
            "payload",
            "attempt_log",
        ]
        read_only_fields = fields

    @extend_schema_field(WebhookAttemptSerializer(many=True))
    def get_attempt_log(self, delivery: WebhookDelivery) -> list[dict]:
        attempts = self.context.get("attempts", {}).get(delivery.pk)
        if attempts is None:
            attempts = list(delivery.attempt_log.all())
        return WebhookAttemptSerializer(attempts, many=True).data


def _managed_firm(request, firm_id: int):
    firm, manages = selectors.firm_for_webhooks(firm_id=firm_id, user=request.user)
    if not manages:
        raise PermissionDenied(gettext("Only the firm's owners can manage its webhooks."))
    return firm


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class WebhookEndpointListView(GenericAPIView):
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()  # for the schema generator; the selector reads
    filter_backends: list = []

    @extend_schema(
        tags=TAGS,
        summary="List the firm's webhook endpoints (owners)",
        responses={200: WebhookEndpointSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, firm_id: int):
        firm = _managed_firm(request, firm_id)
        page = self.paginate_queryset(selectors.webhook_endpoint_list(firm=firm))
        return self.get_paginated_response(WebhookEndpointSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Register a webhook endpoint (owners)",
        description="The answer carries the endpoint's signing secret, shown only here and after a rotation.",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointWithSecretSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request, firm_id: int):
        firm = _managed_firm(request, firm_id)
        data = _validated(WebhookEndpointCreateSerializer, request)
        endpoint = webhooks.webhook_endpoint_create(firm=firm, user=request.user, **data)
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(GenericAPIView):
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()

    @extend_schema(tags=TAGS, summary="One webhook endpoint (owners)", responses={200: WebhookEndpointSerializer})
    def get(self, request, firm_id: int, webhook_id: int):
        endpoint = selectors.webhook_endpoint_get(firm=_managed_firm(request, firm_id), endpoint_id=webhook_id)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a webhook endpoint, or enable or disable it (owners)",
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer},
    )
    def patch(self, request, firm_id: int, webhook_id: int):
        endpoint = selectors.webhook_endpoint_get(firm=_managed_firm(request, firm_id), endpoint_id=webhook_id)
        data = _validated(WebhookEndpointUpdateSerializer, request)
        return Response(WebhookEndpointSerializer(webhooks.webhook_endpoint_update(endpoint=endpoint, data=data)).data)

    @extend_schema(tags=TAGS, summary="Delete a webhook endpoint and its delivery log (owners)", responses={204: None})
    def delete(self, request, firm_id: int, webhook_id: int):
        endpoint = selectors.webhook_endpoint_get(firm=_managed_firm(request, firm_id), endpoint_id=webhook_id)
        webhooks.webhook_endpoint_delete(endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecretView(GenericAPIView):
    serializer_class = WebhookEndpointWithSecretSerializer
    queryset = WebhookEndpoint.objects.none()

    @extend_schema(
        tags=TAGS,
        summary="Rotate the endpoint's signing secret (owners)",
        description="A new secret; the old one keeps signing too for `overlap_hours` (default 24), so "
        "receivers can switch without losing a delivery.",
        request=RotateSecretSerializer,
        responses={200: WebhookEndpointWithSecretSerializer},
    )
    def post(self, request, firm_id: int, webhook_id: int):
        endpoint = selectors.webhook_endpoint_get(firm=_managed_firm(request, firm_id), endpoint_id=webhook_id)
        data = _validated(RotateSecretSerializer, request)
        endpoint = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint, overlap_hours=data["overlap_hours"])
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)


class WebhookDeliveryListView(GenericAPIView):
    serializer_class = WebhookDeliverySerializer
    queryset = WebhookDelivery.objects.none()
    filter_backends: list = []

    @extend_schema(
        tags=TAGS,
        summary="The endpoint's delivery log, newest first (owners)",
        description="Each delivery with its status and every attempt: response code, duration, error.",
        responses={200: WebhookDeliverySerializer(many=True)},
    )
    def get(self, request, firm_id: int, webhook_id: int):
        endpoint = selectors.webhook_endpoint_get(firm=_managed_firm(request, firm_id), endpoint_id=webhook_id)
        page = self.paginate_queryset(selectors.webhook_delivery_list(endpoint=endpoint))
        attempts = selectors.webhook_attempt_list(delivery_ids=[d.pk for d in page])
        data = WebhookDeliverySerializer(page, many=True, context={"attempts": attempts}).data
        return self.get_paginated_response(data)


class WebhookDeliveryResendView(GenericAPIView):
    serializer_class = WebhookDeliverySerializer
    queryset = WebhookDelivery.objects.none()

    @extend_schema(
        tags=TAGS,
        summary="Re-send a delivered or failed message, with the same webhook-id (owners)",
        description="One attempt, logged as manual. 409 while the delivery is still being attempted or the "
        "endpoint is disabled.",
        request=None,
        responses={200: WebhookDeliverySerializer},
    )
    def post(self, request, firm_id: int, webhook_id: int, delivery_id: int):
        endpoint = selectors.webhook_endpoint_get(firm=_managed_firm(request, firm_id), endpoint_id=webhook_id)
        delivery = selectors.webhook_delivery_get(endpoint=endpoint, delivery_id=delivery_id)
        delivery = webhooks.webhook_delivery_resend(delivery=delivery)
        return Response(WebhookDeliverySerializer(delivery).data)
