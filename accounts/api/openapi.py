"""Documented error responses for the accounts endpoints (the one error shape of alliance/api/errors.py)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

DESCRIPTIONS = {
    400: "Invalid input: `fields` names each offending field (unknown fields included) and the rule.",
    401: "Not authenticated: missing, wrong, expired or revoked token.",
    403: "Authenticated but not allowed.",
    404: "Not found, or not visible to you.",
    409: "Conflicts with the current state (e.g. the last owner of a firm).",
    429: "Too many requests or too many failed log-ins; retry later.",
}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    return {s: OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[s]) for s in statuses}
