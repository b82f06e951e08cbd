"""The project's OpenAPI generator: drf-spectacular's, plus the error answers each operation can give.

Every 4xx has one shape (`core.api.schemas.ErrorSerializer`), so an operation's possible
errors follow from what it is, and are documented here once instead of in every view:

- 429: any request (the per-token and per-address throttles);
- 401: the view authenticates (a missing, wrong or expired token);
- 400: the operation takes a body or a filter (page, page_size and ordering are never refused);
- 415: it takes a body (DRF's answer to a body that is not JSON);
- 404: a path parameter names an object, or a `page` parameter may be past the end;
- 403: it writes as a signed-in user, or its permissions are more than "signed in";
- 409: it POSTs to one object (a decision in the wrong state).

A view's own `extend_schema(responses=...)` still wins for any status it names.
Checked by tests/security/test_schemathesis.py: an undocumented status fails it.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny, IsAuthenticated

from core.api.schemas import ERROR_DESCRIPTIONS, ErrorSerializer

WRITES = ("POST", "PUT", "PATCH", "DELETE")
PLAIN_PERMISSIONS = (AllowAny, IsAuthenticated)
NEVER_REFUSED = {"page", "page_size", "ordering"}  # a bad value is ignored (or, for page, a 404)


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
        authenticates = bool(self.view.get_authenticators())
        permissions = self.view.get_permissions()
        open_to_all = all(isinstance(p, AllowAny) for p in permissions)
        statuses = {429}
        if authenticates:
            statuses.add(401)
        if has_body or query - NEVER_REFUSED:
            statuses.add(400)
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
        return statuses
