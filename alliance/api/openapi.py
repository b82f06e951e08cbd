"""The project's OpenAPI generator: drf-spectacular's, plus the error answers each operation can give.

Every 4xx has one shape (`alliance.api.schemas.ErrorSerializer`), so an operation's possible
errors follow from what it is, and are documented here once instead of in every view:

- 401 and 429: any request (a wrong or expired token; the per-token and per-address throttles);
- 400: the operation takes a body or query parameters;
- 415: it takes a body (DRF's answer to a body that is not JSON);
- 404: a path parameter names an object, or a `page` parameter may be past the end;
- 403: it writes, or its permissions are more than "signed in" (reviewers only, owners only...);
- 409: it writes to one object (a decision in the wrong state, a run already in progress).

A view's own `extend_schema(responses=...)` still wins for any status it names.
Checked by tests/security/test_schemathesis.py: an undocumented status fails it.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny, IsAuthenticated

from alliance.api.schemas import ERROR_DESCRIPTIONS, ErrorSerializer

WRITES = ("POST", "PUT", "PATCH", "DELETE")
PLAIN_PERMISSIONS = (AllowAny, IsAuthenticated)


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for status in sorted(self._error_statuses(operation)):
            if str(status) not in responses:
                answer = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
                responses[str(status)] = self._get_response_for_code(answer, str(status))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict) -> set[int]:
        parameters = operation.get("parameters", [])
        query = {p["name"] for p in parameters if p.get("in") == "query"}
        has_path_object = any(p.get("in") == "path" for p in parameters)
        has_body = "requestBody" in operation
        writes = self.method in WRITES
        statuses = {401, 429}
        if has_body or query:
            statuses.add(400)
        if has_body:
            statuses.add(415)
        if has_path_object or "page" in query:
            statuses.add(404)
        if writes or self._needs_more_than_a_login():
            statuses.add(403)
        if writes and has_path_object:
            statuses.add(409)
        return statuses

    def _needs_more_than_a_login(self) -> bool:
        return any(not isinstance(p, PLAIN_PERMISSIONS) for p in self.view.get_permissions())
