"""The project's OpenAPI generator: drf-spectacular's, plus the error answers each operation can give.

Every 4xx has one shape (`core.api.schemas.ErrorSerializer`), so an operation's possible
errors follow from what it is, and are documented here once instead of in every view:

- 429: any request (the per-token and per-address throttles);
- 401: the view authenticates (a missing, wrong or expired token);
- 400: any request: an unknown query parameter is refused by name (core/api/params.py), and a
  body or a filter may be invalid;
- 415: it takes a body (DRF's answer to a body that is not JSON);
- 404: a path parameter names an object, or a `page` parameter may be past the end;
- 403: it writes as a signed-in user, or its permissions are more than "signed in";
- 409: it POSTs to one object (a decision in the wrong state); or, for an authenticated POST or
  PATCH, a repeat of an `Idempotency-Key` whose first request is still running;
- 422: an authenticated POST or PATCH repeats an `Idempotency-Key` with a different body.

Authenticated POST and PATCH operations document the optional `Idempotency-Key` header.

A view's own `extend_schema(responses=...)` still wins for any status it names.
Checked by tests/security/test_schemathesis.py: an undocumented status fails it.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny, IsAuthenticated

from core.api.conditional import CONDITIONAL_PATHS
from core.api.schemas import ERROR_DESCRIPTIONS, ErrorSerializer

WRITES = ("POST", "PUT", "PATCH", "DELETE")
PLAIN_PERMISSIONS = (AllowAny, IsAuthenticated)
ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": "The version of this representation, for If-None-Match and If-Match.",
}
IF_NONE_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "An ETag you hold: 304 with no body while it is still current.",
}
IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag you read: the edit is refused with 412 if the object changed since.",
}
IDEMPOTENT_METHODS = ("POST", "PATCH")
IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
    "description": "Any unique string (a UUID): a repeat with the same key and body within 24 h gets the "
    "first answer again (header `Idempotent-Replayed: true`) instead of acting twice.",
}


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id") or name == "firm"


class AutoSchema(SpectacularAutoSchema):
    def get_tags(self):
        """One tag per resource (`firms`, `proposals`, ...) where a view names none, not the path's `v1`."""
        tags = super().get_tags()
        if tags == ["v1"]:
            return [self.path.removeprefix("/api/v1/").split("/", 1)[0] or "v1"]
        return tags

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            # Object ids are integers (a router's `[^/]+` lookup and django-filter's NumberFilter say
            # string and number): generated clients then take an int.
            kind = parameter.get("schema", {}).get("type")
            if _is_id(parameter["name"]) and parameter["in"] in ("path", "query") and kind in ("string", "number"):
                parameter["schema"] = {"type": "integer", "minimum": 1}
            fields = getattr(self.view, "ordering_fields", None)
            if parameter["name"] == "ordering" and parameter["in"] == "query" and isinstance(fields, list | tuple):
                values = [v for f in fields for v in (f, f"-{f}")]
                parameter["description"] = (
                    "Comma-separated fields, `-` for descending; the id breaks ties. One or more of: "
                    + ", ".join(f"`{v}`" for v in values)
                    + "."
                )
        if self.method in IDEMPOTENT_METHODS and self.view.get_authenticators():
            operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
        conditional = self.path in CONDITIONAL_PATHS
        if conditional and self.method == "GET":
            operation.setdefault("parameters", []).append(IF_NONE_MATCH_PARAMETER)
        elif conditional and self.method in ("PUT", "PATCH"):
            operation.setdefault("parameters", []).append(IF_MATCH_PARAMETER)
        responses = operation.setdefault("responses", {})
        if conditional and "200" in responses:
            responses["200"].setdefault("headers", {})["ETag"] = ETAG_HEADER
            if self.method == "GET":
                responses["304"] = {
                    "description": "Not modified: your `If-None-Match` is the current ETag.",
                    "headers": {"ETag": ETAG_HEADER},
                }
        for status in sorted(self._error_statuses(operation)):
            if str(status) not in responses:
                answer = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
                responses[str(status)] = self._get_response_for_code(answer, str(status))
        if "429" in responses:
            responses["429"].setdefault("headers", {})["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before the next request (also `retry_after` in the body).",
            }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict) -> set[int]:
        parameters = operation.get("parameters", [])
        query = {p["name"] for p in parameters if p.get("in") == "query"}
        has_path_object = any(p.get("in") == "path" for p in parameters)
        has_body = "requestBody" in operation
        authenticates = bool(self.view.get_authenticators())
        permissions = self.view.get_permissions()
        open_to_all = all(isinstance(p, AllowAny) for p in permissions)
        statuses = {400, 429}
        if authenticates:
            statuses.add(401)
            if self.method in IDEMPOTENT_METHODS:
                statuses |= {409, 422}
        if has_body:
            statuses.add(415)
        if has_path_object or "page" in query:
            statuses.add(404)
        if (self.method in WRITES and not open_to_all) or any(
            not isinstance(p, PLAIN_PERMISSIONS) for p in permissions
        ):
            statuses.add(403)
        if self.method == "POST" and has_path_object:
            statuses.add(409)
        if self.method in ("PUT", "PATCH") and self.path in CONDITIONAL_PATHS:
            statuses.add(412)
        return statuses
