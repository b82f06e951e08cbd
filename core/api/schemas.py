"""OpenAPI pieces shared by every app's API: the one error shape and its documented responses.

Use: `@extend_schema(responses={200: FooSerializer, **error_responses(400, 401, 403, 404)})`
or `ERROR_RESPONSES` for all of them.
"""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` names each offending field (unknown fields included) and the rule it breaks.",
    401: "Not authenticated: missing, wrong, expired or revoked token.",
    403: "Authenticated but not allowed to do this.",
    404: "Not found, or not visible to you.",
    409: "Not allowed in the current state; `current_state` says what the state is.",
    412: "Precondition failed: `If-Match` is not the current ETag (someone changed it since you read it).",
    413: "Request body too large.",
    415: "Unsupported media type: send `Content-Type: application/json`.",
    422: "This `Idempotency-Key` was used with a different request body; use a new key for a new request.",
    429: "Too many requests; retry after `retry_after` seconds.",
}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. `invalid`, `not_found`.")
    message = serializers.CharField(help_text="Human-readable summary.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Per-field messages, e.g. `{"edrpou": ["check digit is 4, expected 7"]}`; nested as `offers[0].capability`.',
    )
    current_state = serializers.CharField(required=False, help_text="409 only: the state that forbids the action.")
    retry_after = serializers.IntegerField(required=False, help_text="429 only: seconds to wait.")
    current_etag = serializers.CharField(
        required=False, help_text="412 only: the resource's current ETag (read it again, or retry with this one)."
    )


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer: `{"error": {"code", "message", "fields"}}`."""

    error = ErrorDetailSerializer()


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {s: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[s]) for s in statuses}


ERROR_RESPONSES = error_responses(400, 401, 403, 404, 409)
