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
- 422: an authenticated POST or PATCH repeats an `Idempotency-Key` with a different body;
- 412: a PUT or PATCH of a firm or proposal, or a write of a firm's capability, platform or owner
  (core.api.conditional.SUBRESOURCE_PRECONDITION_PATHS), whose `If-Match` is not the current ETag.

Authenticated POST and PATCH operations document the optional `Idempotency-Key` header. Every
operation a token reaches says which scope a service account needs (`x-required-scopes`, from
core.permissions.SCOPES_BY_URL_NAME) or that such tokens cannot call it (`x-service-accounts: false`);
throttled answers document the `RateLimit-*` headers; `postprocess_schema` (a POSTPROCESSING_HOOK)
declares the tags, types integers and describes the server (Spectral/OWASP, docs/api.md).

A view's own `extend_schema(responses=...)` still wins for any status it names.
Checked by tests/security/test_schemathesis.py: an undocumented status fails it.
"""

from django.conf import settings
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import AllowAny, IsAuthenticated

from core.api.conditional import CONDITIONAL_PATHS, SUBRESOURCE_EDITS, SUBRESOURCE_PRECONDITION_PATHS
from core.api.params import route_template
from core.api.schemas import ERROR_DESCRIPTIONS, ErrorSerializer
from core.permissions import required_scope

WRITES = ("POST", "PUT", "PATCH", "DELETE")
PLAIN_PERMISSIONS = (AllowAny, IsAuthenticated)
ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": "The version of this representation, for If-None-Match and If-Match.",
}
FIRM_ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": "The firm's ETag after the change (as GET /api/v1/firms/{id}/ now answers it to you): "
    "send it as `If-Match` with your next change of the firm.",
}
CURRENT_ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": "The current ETag (as `current_etag` in the body): read again, merge, retry with it.",
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
FIRM_IF_MATCH_PARAMETER = {
    **IF_MATCH_PARAMETER,
    "description": "The firm's ETag you read (GET /api/v1/firms/{id}/): the change is refused with 412, "
    "and nothing changes, if the firm changed since.",
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


RATELIMIT_HEADERS = {
    name: {"schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 2**31 - 1}, "description": text}
    for name, text in (
        ("RateLimit-Limit", "Requests allowed per window (when the request was counted by a throttle)."),
        ("RateLimit-Remaining", "Requests left in the current window."),
        ("RateLimit-Reset", "Seconds until the oldest counted request leaves the window."),
    )
}

_url_names: dict[str, str] | None = None


def url_names_by_path() -> dict[str, str]:
    """The schema's path of every named URL pattern -> its name (the key of SCOPES_BY_URL_NAME)."""
    global _url_names
    if _url_names is None:
        from django.urls import URLPattern, URLResolver, get_resolver

        found: dict[str, str] = {}

        def walk(entries, prefix):
            for entry in entries:
                if isinstance(entry, URLResolver):
                    walk(entry.url_patterns, prefix + str(entry.pattern))
                elif isinstance(entry, URLPattern) and entry.name:
                    found.setdefault(route_template(prefix + str(entry.pattern)), entry.name)

        walk(get_resolver().url_patterns, "")
        _url_names = found
    return _url_names


def scope_annotation(path: str, method: str) -> tuple[dict, str]:
    """The operation's `x-required-scopes` (from core.permissions.SCOPES_BY_URL_NAME, the one map the
    permission checks) and the sentence that says it in the description."""
    needed = required_scope(url_name=url_names_by_path().get(path), method=method)
    if needed is None:
        return {"x-service-accounts": False}, "Service-account tokens cannot call this operation."
    if needed == "":
        return {"x-required-scopes": []}, "Service-account tokens need no particular scope."
    return {"x-required-scopes": [str(needed)]}, f"Service-account tokens need the scope `{needed}`."


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id") or name == "firm"


class AutoSchema(SpectacularAutoSchema):
    def get_tags(self):
        """One tag per resource (`firms`, `proposals`, ...) where a view names none, not the path's `v1`."""
        tags = super().get_tags()
        if tags == ["v1"]:
            return [self.path.removeprefix("/api/v1/").split("/", 1)[0] or "v1"]
        return tags

    def _map_basic_serializer(self, serializer, direction):
        """In answers, a serializer that names the fields it may leave out (`optional_in_response`, a tuple)
        has every other field required: generated clients then type them as always there (not `Unset`).
        Request shapes are untouched (COMPONENT_SPLIT_REQUEST gives them their own components)."""
        result = super()._map_basic_serializer(serializer, direction)
        optional = getattr(serializer, "optional_in_response", None)
        if direction == "response" and optional is not None and "properties" in result:
            result["required"] = [name for name in result["properties"] if name not in optional]
        return result

    def get_filter_backends(self):
        """`ordering` only where the view declares `ordering_fields`: a list that does not order (most
        GenericAPIView lists) must not document a parameter it ignores, so `?ordering=` there is a 400
        (core/api/params.py). The ordering filter itself documents its values (core/api/ordering.py)."""
        backends = super().get_filter_backends()
        if getattr(self.view, "ordering_fields", None):
            return backends
        return [b for b in backends if not issubclass(b, OrderingFilter)]

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            # Object ids are integers (a router's `[^/]+` lookup and django-filter's NumberFilter say
            # string and number): generated clients then take an int.
            kind = parameter.get("schema", {}).get("type")
            if (
                _is_id(parameter["name"])
                and parameter["in"] in ("path", "query")
                and kind in ("string", "number", "integer")
            ):
                parameter["schema"] = {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}
        if self.view.get_authenticators() and not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            extension, sentence = scope_annotation(self.path, self.method)
            operation.update(extension)
            description = operation.get("description", "")
            operation["description"] = f"{description}\n\n{sentence}" if description else sentence
        if self.method in IDEMPOTENT_METHODS and self.view.get_authenticators():
            operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
        conditional = self.path in CONDITIONAL_PATHS
        if conditional and self.method == "GET":
            operation.setdefault("parameters", []).append(IF_NONE_MATCH_PARAMETER)
        elif conditional and self.method in ("PUT", "PATCH"):
            operation.setdefault("parameters", []).append(IF_MATCH_PARAMETER)
        elif self._firm_precondition():
            operation.setdefault("parameters", []).append(FIRM_IF_MATCH_PARAMETER)
        responses = operation.setdefault("responses", {})
        if conditional and "200" in responses:
            responses["200"].setdefault("headers", {})["ETag"] = ETAG_HEADER
            if self.method == "GET":
                responses["304"] = {
                    "description": "Not modified: your `If-None-Match` is the current ETag.",
                    "headers": {"ETag": ETAG_HEADER},
                }
        if self._firm_precondition():
            for code in ("200", "201"):
                if code in responses:
                    responses[code].setdefault("headers", {})["ETag"] = FIRM_ETAG_HEADER
        for status in sorted(self._error_statuses(operation)):
            if str(status) not in responses:
                answer = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
                responses[str(status)] = self._get_response_for_code(answer, str(status))
        if "412" in responses:
            responses["412"].setdefault("headers", {})["ETag"] = CURRENT_ETAG_HEADER
        if self.view.get_throttles():
            for code, response in responses.items():
                if code[0] in "24" and code != "401":
                    response.setdefault("headers", {}).update(RATELIMIT_HEADERS)
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
            statuses |= {413, 415}  # 413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (core.api.errors.bad_request)
        if has_path_object or "page" in query:
            statuses.add(404)
        if (self.method in WRITES and not open_to_all) or any(
            not isinstance(p, PLAIN_PERMISSIONS) for p in permissions
        ):
            statuses.add(403)
        if self.method == "POST" and has_path_object:
            statuses.add(409)
        if (self.method in ("PUT", "PATCH") and self.path in CONDITIONAL_PATHS) or self._firm_precondition():
            statuses.add(412)
        return statuses

    def _firm_precondition(self) -> bool:
        """An edit of a firm's part that takes the firm's `If-Match` (core.api.conditional.if_match_check)."""
        return self.path in SUBRESOURCE_PRECONDITION_PATHS and self.method in SUBRESOURCE_EDITS


def postprocess_schema(result, generator, request, public):
    """After drf-spectacular's enum hook: declare every tag used (Spectral's operation-tag-defined), type
    every integer without a format as int64 (OWASP api4 integer-format: our ids and counts are bigint),
    and say whom the server is for and in which environment (OWASP api9 inventory rules)."""
    used = sorted({tag for item in result.get("paths", {}).values() for op in item.values() if isinstance(op, dict)
                   for tag in op.get("tags", [])})  # fmt: skip
    known = {tag["name"] for tag in result.get("tags", [])}
    result["tags"] = [*result.get("tags", []), *({"name": tag} for tag in used if tag not in known)]
    _integers_typed(result)
    for server in result.get("servers", []):
        server.setdefault("x-internal", False)
        if not any(word in server.get("description", "").lower() for word in ("production", "local", "staging")):
            environment = "local development" if settings.DEBUG else "production"
            server["description"] = f"{server.get('description', 'This deployment')} ({environment})".strip()
    return result


def _integers_typed(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer" and "format" not in node:
            node["format"] = "int64"
        for value in node.values():
            _integers_typed(value)
    elif isinstance(node, list):
        for value in node:
            _integers_typed(value)
