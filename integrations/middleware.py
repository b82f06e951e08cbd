"""`Idempotency-Key` on the API's POST and PATCH (see integrations.services.idempotency).

Keyed by the caller: the token (its hash) or, for a browser session, the user. Requests without
the header, anonymous ones and everything outside /api/ pass through untouched.
"""

from __future__ import annotations

import hashlib
import re

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext

from integrations.services import idempotency

HEADER = "Idempotency-Key"
METHODS = ("POST", "PATCH")
KEY_RULE = re.compile(r"^[\x21-\x7e]{1,255}$")


def _error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": fields or {}}}, status=status)


def _principal(request) -> str | None:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        return hashlib.sha256(auth.encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return hashlib.sha256(f"user:{user.pk}".encode()).hexdigest()
    return None


def _handles(view_func, method: str) -> bool:
    """Whether the view serves `method` (else it answers 405 and the key plays no part)."""
    actions = getattr(view_func, "actions", None)  # a viewset's {method: action}
    if actions is not None:
        return method.lower() in actions
    cls = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    return cls is not None and hasattr(cls, method.lower())


class IdempotencyKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except BaseException:
            if (record := getattr(request, "_idempotency_record", None)) is not None:
                idempotency.idempotency_abandon(record=record)
            raise
        record = getattr(request, "_idempotency_record", None)
        if record is None:
            return response
        if getattr(response, "streaming", False):
            idempotency.idempotency_abandon(record=record)
            return response
        idempotency.idempotency_finish(
            record=record,
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response.content,
            headers={name: response[name] for name in idempotency.REPLAYED_HEADERS if response.has_header(name)},
        )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        key = request.headers.get(HEADER)
        if key is None or request.method not in METHODS or not request.path.startswith("/api/"):
            return None
        if not _handles(view_func, request.method):
            return None
        if not KEY_RULE.match(key):
            message = gettext("Idempotency-Key: 1 to 255 printable ASCII characters, no spaces (a UUID is ideal).")
            return _error(400, "invalid", message, {HEADER: [message]})
        principal = _principal(request)
        if principal is None:
            return None
        try:
            body = request.body
        except RequestDataTooBig:
            return None
        fingerprint = idempotency.fingerprint(method=request.method, path=request.get_full_path(), body=body)
        outcome, record = idempotency.idempotency_begin(principal=principal, key=key, fingerprint=fingerprint)
        if outcome == "mismatch":
            message = gettext(
                "This Idempotency-Key was used with a different request; use a new key for a new request."
            )
            return _error(422, "idempotency_key_reused", message, {HEADER: [message]})
        if outcome == "running":
            message = gettext("A request with this Idempotency-Key is still being processed; retry in a moment.")
            return _error(409, "idempotency_key_in_use", message)
        if outcome == "replay":
            response = HttpResponse(
                bytes(record.response_body), status=record.response_status, content_type=record.response_content_type
            )
            for name, value in (record.response_headers or {}).items():
                response[name] = value  # the first answer's ETag: the one its body's `current_etag` names
            response["Idempotent-Replayed"] = "true"
            return response
        request._idempotency_record = record
        return None


class RateLimitHeadersMiddleware:
    """Copy what the throttle found (integrations.throttling) into RateLimit-* headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        found = getattr(request, "ratelimit", None)
        if found is not None:
            limit, remaining, reset = found
            response["RateLimit-Limit"] = str(limit)
            response["RateLimit-Remaining"] = str(remaining)
            response["RateLimit-Reset"] = str(reset)
        return response
