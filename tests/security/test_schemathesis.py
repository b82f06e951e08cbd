"""Fuzzing with schemathesis: every operation of /api/schema/, 50 generated requests each, sent as
a firm member (alice's Bearer token) and as a reviewer (rita's), in-process against the WSGI app.

Zero server errors, and every response conforms to the schema: content type, headers, body, and a
documented status code for that operation (alliance/api/openapi.py documents each one's errors).
Derandomized, so a failure reproduces. Roughly 2 x 50 x operations requests.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
)

from tests.security.schema import api_schema

CHECKS = [not_a_server_error, content_type_conformance, response_headers_conformance, response_schema_conformance]
V1 = "/api/v1"
# Status codes an operation may answer without its schema documenting them: none. Errors are
# documented per operation by alliance/api/openapi.py; add a row here only with a reason.
KNOWN_UNDOCUMENTED: dict[str, set[str]] = {}


def _call_and_validate(case, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
    documented = set(case.operation.definition.raw.get("responses", {}))
    status = str(response.status_code)
    # Deliberately wrong requests from the coverage phase: a method the path does not have (405;
    # OPTIONS/HEAD are served), or a body that is not JSON (415). Both are right answers.
    if case.method.upper() != case.operation.method.upper():
        # Permissions are checked before the method: a non-reviewer gets 403 on reviewer-only paths.
        allowed = {"405", "401", "403"} | ({"200"} if case.method.upper() in ("OPTIONS", "HEAD") else set())
        assert status in allowed, f"{case.method} {case.path}: {status}"
        return
    if status == "415":  # DRF's answer to a body that is not JSON: right, and in the error shape
        assert response.json()["error"]["code"] == "unsupported_media_type"
        if "requestBody" in case.operation.definition.raw:
            assert "415" in documented, f"{case.method.upper()} {case.path}: 415 not documented"
        return
    if status in documented or "default" in documented or f"{status[0]}XX" in documented:
        return
    known = KNOWN_UNDOCUMENTED.get(f"{case.method.upper()} {case.path}", set())
    assert status in known, (
        f"{case.method.upper()} {case.path} answered {status}, which its schema does not document "
        f"(documented: {sorted(documented)}). Document it in the view's extend_schema. "
        f"Body: {response.text[:300]}"
    )


FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _load_schema():
    from alliance.wsgi import application

    # The schema drf-spectacular serves at /api/schema/, generated from the live URL conf.
    loaded = schemathesis.openapi.from_dict(api_schema())
    loaded.app = application  # requests go in-process through the WSGI app, on the test database
    return loaded


schema = _load_schema()


@pytest.fixture
def member_headers(world):
    """alice: owner of firm A (world: A has members, proposals, notifications to find)."""
    _, secret = AuthToken.objects.create(world.firm_a.memberships.get(role="owner").user)
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def reviewer_headers(world, rita):
    _, secret = AuthToken.objects.create(rita)
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    # 50 examples per operation would trip the per-token limit; throttling has its own test.
    from rest_framework.throttling import AnonRateThrottle

    from accounts.throttling import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "allow_request", lambda self, request, view: True)
    monkeypatch.setattr(AnonRateThrottle, "allow_request", lambda self, request, view: True)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight into the WSGI app, so request_started/finished would close the database
    connection the test's transaction lives on (PostgreSQL); Django's own test client does this too."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    settings.AXES_ENABLED = False  # fuzzed log-ins must not lock the fuzzer out half way


@schema.parametrize()
@FUZZ
def test_api_as_a_firm_member(case, member_headers):
    _call_and_validate(case, member_headers)


@schema.parametrize()
@FUZZ
def test_api_as_a_reviewer(case, reviewer_headers):
    _call_and_validate(case, reviewer_headers)
