"""The error answers the OpenAPI schema documents per operation (alliance/api/openapi.py).

schemathesis (test_schemathesis.py) fails on any status an operation gives without documenting
it; these check the other direction for the rules that fuzzing cannot reach (throttling is off in
tests, every fuzzing token is valid): what is documented is what the operation can answer.
"""

import pytest

from tests.security.schema import operations


def _errors(method: str, path: str) -> set[str]:
    return {code for code in operations()[(method, path)]["responses"] if code.startswith("4")}


@pytest.mark.parametrize(
    "method, path, expected",
    [
        # No authentication runs here, so no 401; the lock-out answers 403 (django-axes). A body over the
        # upload limit answers 413 (core.api.errors.bad_request).
        ("POST", "/api/v1/auth/signup/", {"400", "413", "415", "429"}),
        ("POST", "/api/v1/auth/token/", {"400", "403", "413", "415", "429"}),
        # Any operation refuses an unknown query parameter by name (400); a page past the end is a 404;
        # a service account's token outside its scopes gets 403 (core.permissions.TokenScopePermission).
        ("GET", "/api/v1/capabilities/", {"400", "401", "403", "429"}),
        ("GET", "/api/v1/auth/tokens/", {"400", "401", "403", "404", "429"}),
        # Filters can be refused by name.
        ("GET", "/api/v1/firms/", {"400", "401", "403", "404", "429"}),
        # Reviewer-only reads answer 403 to firm members.
        ("GET", "/api/v1/screening/firms/{firm_id}/", {"400", "401", "403", "404", "429"}),
        # A decision: refused input, not allowed, not visible, wrong state (or an Idempotency-Key
        # still running: 409; reused with another body: 422).
        ("POST", "/api/v1/proposals/{id}/approve/", {"400", "401", "403", "404", "409", "413", "415", "422", "429"}),
        # A profile edit: 409 and 422 only from the Idempotency-Key, 412 from If-Match.
        ("PATCH", "/api/v1/firms/{id}/", {"400", "401", "403", "404", "409", "412", "413", "415", "422", "429"}),
    ],
)
def test_each_operation_documents_the_errors_it_can_answer(method, path, expected):
    assert _errors(method, path) == expected


def test_every_error_answer_has_the_one_error_shape():
    for (method, path), operation in operations().items():
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, code, schema)
