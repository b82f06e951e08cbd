"""Mass assignment: no write endpoint lets a client set status, score, verification, screening,
side or ownership fields. Generated from the schema: every POST/PUT/PATCH operation is sent the
protected fields (on top of an otherwise valid body) by a persona allowed to call it; the answer
must be 400 naming the field, and firm A, its proposal, memberships and users must be unchanged.

All protected fields go in one request per operation, and each must be named in the error.
A protected field an operation legitimately accepts (a member's `role` on the members endpoint)
must be listed in DELIBERATELY_WRITABLE, so accepting one is always a decision, never an accident.
"""

import pytest
from django.forms.models import model_to_dict

from accounts.models import Membership, User
from matching.models import Proposal
from registry.models import Firm
from tests.security.conftest import client_for
from tests.security.schema import api_schema, fill_path, operations
from tests.security.test_authz_matrix import BODIES, EXPECTED, OK, SETUP

PROTECTED = {
    "status": "verified",
    "score": 1.0,
    "screening_status": "clear",
    "side": "ua",
    "status_changed_by": 1,
    "status_changed_at": "2026-01-01T00:00:00Z",
    "verified": True,
    "verified_by": 1,
    "is_verified": True,
    "is_reviewer": True,
    "is_staff": True,
    "is_superuser": True,
    "role": "owner",
    "memberships": [{"firm_id": 1, "role": "owner"}],
    "owner": 1,
    "created_by": 1,
    "user": 1,
    "rank_for_ukrainian": 1,
    "components": {"complementarity": 1.0},
    "ukrainian_accepted_at": "2026-01-01T00:00:00Z",
    "partner_accepted_at": "2026-01-01T00:00:00Z",
    "screening": {"status": "clear"},
    "matches": [],
    "intro_capacity_override": 40,  # the ministry's, through POST /firms/{id}/capacity-override/ only
}

V1 = "/api/v1"
DELIBERATELY_WRITABLE = {
    # Owners set the role of the members they invite or change (authz matrix: owners/admins only).
    ("POST", f"{V1}/firms/{{firm_id}}/invitations/"): {"role"},
    ("PATCH", f"{V1}/firms/{{firm_id}}/members/{{membership_id}}/"): {"role"},
    # A platform's role for the firm (oem, produces, repairs...), not a person's: members who edit the profile.
    ("POST", f"{V1}/firms/{{id}}/platforms/"): {"role"},
}

# Who is tried: the first persona the matrix allows.
PREFERENCE = ("owner", "reviewer", "admin", "editor", "token", "viewer", "outsider", "anon")


def _request_properties(operation: dict) -> set[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = (content.get("application/json") or {}).get("schema", {})
    if "$ref" in schema:
        schema = api_schema()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return set(schema.get("properties", {}))


def _write_operations():
    return sorted(key for key in EXPECTED if key[0] in ("POST", "PUT", "PATCH"))


def _snapshot(world) -> dict:
    firms = Firm.objects.filter(pk__in=[world.firm_a.pk, world.firm_b.pk, world.pending_firm.pk]).order_by("pk")
    return {
        "firms": [model_to_dict(f) for f in firms],
        "proposals": [model_to_dict(p) for p in Proposal.objects.order_by("pk")],
        "memberships": list(Membership.objects.order_by("pk").values("user_id", "firm_id", "role")),
        "users": list(User.objects.order_by("pk").values("username", "is_reviewer", "is_staff", "is_superuser")),
    }


CASES = _write_operations()


@pytest.mark.parametrize(("method", "path"), CASES, ids=[f"{m} {p}" for m, p in CASES])
def test_protected_fields_are_rejected_by_name_and_change_nothing(request, world, method, path):
    operation = operations().get((method, path))
    if operation is None:
        pytest.skip("not in the schema")
    if "requestBody" not in operation:
        pytest.skip("takes no request body (nothing to assign)")
    accepted = _request_properties(operation) & set(PROTECTED)
    undecided = accepted - DELIBERATELY_WRITABLE.get((method, path), set())
    assert not undecided, (
        f"{method} {path} accepts protected fields {sorted(undecided)}: remove them from the request "
        f"serializer or, if deliberate, list them in DELIBERATELY_WRITABLE"
    )
    attempted = {field: value for field, value in PROTECTED.items() if field not in accepted}
    persona = next(p for p in PREFERENCE if EXPECTED[(method, path)][p] == OK)
    if setup := SETUP.get((method, path)):
        setup(world)
    body = BODIES.get((method, path)) or {}
    if callable(body):
        body = body(world)
    url = fill_path(path, world)  # may create what the path names (a service account): before the snapshot
    before = _snapshot(world)
    response = getattr(client_for(request, persona), method.lower())(url, {**body, **attempted}, format="json")

    assert response.status_code == 400, (
        f"{method} {path} as {persona}: {response.status_code} {response.content[:500]!r}"
    )
    named = set(response.json()["error"]["fields"])
    assert set(attempted) <= named, f"not named in the error: {sorted(set(attempted) - named)}"
    assert _snapshot(world) == before
