"""Authorization matrix: every operation of the OpenAPI schema x every persona.

EXPECTED lists, for each (METHOD, path template), what each persona gets. An operation in the
schema without a row FAILS `test_every_schema_operation_has_an_expected_row`, so a new endpoint
cannot ship without someone deciding who may call it. Paths are filled with firm A's objects
(tests/security/schema.py), so bob (owner of firm B) must get 404 on A's private ones.

Outcomes: OK = authorization passed. With a body in BODIES (a valid request) OK means a 2xx;
without one it also accepts 400/409 (the request reached validation or the state machine).
401/403/404 must be exactly that status.
"""

from datetime import date

import pytest

from accounts.models import Membership
from matching.models import Proposal
from tests.security.conftest import PERSONAS, client_for
from tests.security.schema import fill_path, operations

OK = "ok"
ANY_USER = {"anon": 401, **dict.fromkeys(PERSONAS[1:], OK)}
PUBLIC = dict.fromkeys(PERSONAS, OK)
A_MEMBERS = ("viewer", "editor", "owner", "token")
A_WRITERS = ("editor", "owner", "token")  # token = alice, owner of A


def row(default=ANY_USER, **personas):
    """A row: `default` for every persona, overridden by keyword (persona=status or OK)."""
    unknown = set(personas) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    return {**default, **personas}


def only(allowed, denied=403, outsider=404):
    """Allowed personas get OK, the other signed-in ones `denied`, bob (outsider) `outsider`, anon 401."""
    result = dict.fromkeys(PERSONAS, denied)
    result.update(anon=401, outsider=outsider)
    result.update(dict.fromkeys(allowed, OK))
    return result


V1 = "/api/v1"
EXPECTED: dict[tuple[str, str], dict[str, int | str]] = {
    # --- accounts (issue #2) ---
    ("POST", f"{V1}/auth/token/"): PUBLIC,
    ("POST", f"{V1}/auth/signup/"): PUBLIC,
    ("POST", f"{V1}/auth/logout/"): ANY_USER,
    ("GET", f"{V1}/auth/tokens/"): ANY_USER,
    # Tokens are strictly personal: even reviewers and admins cannot see or revoke alice's.
    ("DELETE", f"{V1}/auth/tokens/{{token_key}}/"): only(("owner", "token"), denied=404),
    ("GET", f"{V1}/me/"): ANY_USER,
    ("PATCH", f"{V1}/me/"): ANY_USER,
    ("GET", f"{V1}/firms/{{firm_id}}/members/"): only((*A_MEMBERS, "reviewer", "admin")),
    # Adding someone is by invitation only (security review, section 4): no POST members/ any more.
    ("PATCH", f"{V1}/firms/{{firm_id}}/members/{{membership_id}}/"): only(("owner", "token", "admin")),
    ("DELETE", f"{V1}/firms/{{firm_id}}/members/{{membership_id}}/"): only(("owner", "token", "admin")),
    # Invitations: the firm's owners (and administrators) only, as member management; 404 for bob.
    ("GET", f"{V1}/firms/{{firm_id}}/invitations/"): only(("owner", "token", "admin")),
    ("POST", f"{V1}/firms/{{firm_id}}/invitations/"): only(("owner", "token", "admin")),
    ("DELETE", f"{V1}/firms/{{firm_id}}/invitations/{{invitation_id}}/"): only(("owner", "token", "admin")),
    # Anyone signed in may present a token (the link is the proof); a made-up one is a 400.
    ("POST", f"{V1}/invitations/accept/"): ANY_USER,
    # --- registry (issue #2) ---
    ("GET", f"{V1}/capabilities/"): ANY_USER,
    # Documented choice of the registry: reviewers as well as administrators extend the taxonomy.
    ("POST", f"{V1}/capabilities/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/platforms/"): ANY_USER,  # the platform catalogue (issue 13): read-only, any signed-in user
    ("GET", f"{V1}/firms/"): ANY_USER,
    ("POST", f"{V1}/firms/"): ANY_USER,  # self-service: anyone signed in may register a firm
    ("GET", f"{V1}/firms/{{id}}/"): ANY_USER,  # A is verified: its public profile is public
    # Only the firm's own owners and editors write its profile (administrators use the Django admin).
    ("PUT", f"{V1}/firms/{{id}}/"): only(A_WRITERS, outsider=403),
    ("PATCH", f"{V1}/firms/{{id}}/"): only(A_WRITERS, outsider=403),
    ("GET", f"{V1}/firms/{{id}}/history/"): only((*A_MEMBERS, "reviewer", "admin")),
    ("POST", f"{V1}/firms/{{id}}/verify/"): only(("reviewer", "admin"), outsider=403),
    ("POST", f"{V1}/firms/{{id}}/suspend/"): only(("reviewer", "admin"), outsider=403),
    # The ministry's override of a firm's introductions at once (state holdings): never the firm's own.
    ("POST", f"{V1}/firms/{{id}}/capacity-override/"): only(("reviewer", "admin"), outsider=403),
    # --- matching (issue #3) ---
    ("GET", f"{V1}/match-runs/"): only(("reviewer", "admin"), outsider=403),
    ("POST", f"{V1}/match-runs/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/match-runs/{{id}}/"): only(("reviewer", "admin"), outsider=403),
    # --- compliance (issue #6): firms never see list details ---
    ("GET", f"{V1}/screening/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/screening/firms/{{firm_id}}/"): only(("reviewer", "admin"), outsider=403),
    ("POST", f"{V1}/screening/firms/{{firm_id}}/confirm/"): only(("reviewer", "admin"), outsider=403),
    ("POST", f"{V1}/screening/firms/{{firm_id}}/dismiss/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/firms/{{firm_id}}/owners/"): only((*A_MEMBERS, "reviewer", "admin")),
    ("PUT", f"{V1}/firms/{{firm_id}}/owners/"): only(A_WRITERS),
    # --- review workflow (issue #4) ---
    ("GET", f"{V1}/proposals/"): ANY_USER,
    ("GET", f"{V1}/proposals/{{id}}/"): only((*A_MEMBERS, "reviewer", "admin")),
    ("GET", f"{V1}/proposals/{{id}}/events/"): only((*A_MEMBERS, "reviewer", "admin")),
    # Firms never see a proposal before a reviewer approves it: 404 to them, not 403.
    ("POST", f"{V1}/proposals/{{id}}/approve/"): only(("reviewer", "admin"), denied=404),
    ("POST", f"{V1}/proposals/{{id}}/reject/"): only(("reviewer", "admin"), denied=404),
    ("POST", f"{V1}/proposals/{{id}}/accept/"): only(A_WRITERS),
    ("POST", f"{V1}/proposals/{{id}}/decline/"): only(A_WRITERS),
    ("POST", f"{V1}/proposals/{{id}}/outcome/"): only((*A_WRITERS, "reviewer", "admin")),
    ("POST", f"{V1}/proposals/bulk-review/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/notifications/"): ANY_USER,
    ("POST", f"{V1}/notifications/read-all/"): ANY_USER,
    # Notifications are personal: alice's own (owner and her token) only.
    ("POST", f"{V1}/notifications/{{id}}/read/"): only(("owner", "token"), denied=404),
    ("GET", f"{V1}/stats/"): only(("reviewer", "admin"), outsider=403),
}


def _set_proposal_status(status):
    def setup(world):
        Proposal.objects.filter(pk=world.proposal_a.pk).update(status=status)

    return setup


# State each operation needs so the allowed personas succeed (a 409 would hide the permission check).
SETUP = {
    ("POST", f"{V1}/proposals/{{id}}/approve/"): _set_proposal_status(Proposal.Status.PROPOSED),
    ("POST", f"{V1}/proposals/{{id}}/reject/"): _set_proposal_status(Proposal.Status.PROPOSED),
    ("POST", f"{V1}/proposals/{{id}}/outcome/"): _set_proposal_status(Proposal.Status.CONNECTED),
    ("POST", f"{V1}/proposals/bulk-review/"): _set_proposal_status(Proposal.Status.PROPOSED),
}

# Valid request bodies (callables get the world): allowed personas must then get a 2xx.
BODIES = {
    ("POST", f"{V1}/proposals/{{id}}/approve/"): {"note": "Looks right"},
    ("POST", f"{V1}/proposals/{{id}}/reject/"): {"reason": "Duplicate of an existing partnership"},
    ("POST", f"{V1}/proposals/{{id}}/accept/"): {},
    ("POST", f"{V1}/proposals/{{id}}/decline/"): {"reason": "No capacity this year"},
    ("POST", f"{V1}/proposals/{{id}}/outcome/"): {"kind": "mou", "date": date(2026, 10, 1).isoformat()},
    ("POST", f"{V1}/proposals/bulk-review/"): lambda w: {"action": "approve", "ids": [w.proposal_a.pk]},
    ("PATCH", f"{V1}/me/"): {"language": "uk"},
    ("POST", f"{V1}/firms/{{id}}/capacity-override/"): {"value": 12},
    ("PATCH", f"{V1}/firms/{{id}}/"): {"description": "Builds reconnaissance drones and now thermal optics too."},
    ("POST", f"{V1}/capabilities/"): {
        "code": "optics.test_lenses",
        "domain": "optics",
        "name_en": "Test lenses",
        "name_uk": "Тестові лінзи",
    },
    ("POST", f"{V1}/firms/{{firm_id}}/invitations/"): {"email": "new.colleague@example.org", "role": "viewer"},
    ("PATCH", f"{V1}/firms/{{firm_id}}/members/{{membership_id}}/"): {"role": "editor"},
    ("POST", f"{V1}/notifications/{{id}}/read/"): {},
    ("POST", f"{V1}/notifications/read-all/"): {},
    ("POST", f"{V1}/auth/logout/"): {},
}


def test_every_schema_operation_has_an_expected_row():
    missing = sorted(set(operations()) - set(EXPECTED))
    assert not missing, (
        "Operations without a row in tests/security/test_authz_matrix.py EXPECTED "
        "(decide who may call them):\n" + "\n".join(f"  {m} {p}" for m, p in missing)
    )


def test_every_expected_row_is_still_in_the_schema():
    stale = sorted(set(EXPECTED) - set(operations()))
    assert not stale, "EXPECTED rows for operations the schema no longer has:\n" + "\n".join(
        f"  {m} {p}" for m, p in stale
    )


def _matches(expected, status: int, has_body: bool) -> bool:
    if expected == OK:
        return 200 <= status < 300 or (not has_body and status in (400, 409))
    return status == expected


CASES = [(method, path, persona) for (method, path) in EXPECTED for persona in PERSONAS]


@pytest.mark.parametrize(("method", "path", "persona"), CASES, ids=[f"{m} {p} {who}" for m, p, who in CASES])
def test_operation_answers_each_persona_as_expected(request, world, method, path, persona):
    if (method, path) not in operations():
        pytest.skip("not in the schema (test_every_expected_row_is_still_in_the_schema reports it)")
    if setup := SETUP.get((method, path)):
        setup(world)
    body = BODIES.get((method, path))
    has_body = body is not None
    if callable(body):
        body = body(world)
    client = client_for(request, persona)
    url = fill_path(path, world)
    response = getattr(client, method.lower())(url, body or {}, format="json")
    expected = EXPECTED[(method, path)][persona]
    assert _matches(expected, response.status_code, has_body), (
        f"{method} {url} as {persona}: expected {expected}, got {response.status_code} "
        f"{getattr(response, 'data', response.content)!r}"[:800]
    )
    if response.status_code >= 400:
        # The one error shape for every 4xx.
        assert set(response.json()["error"]) >= {"code", "message", "fields"}


def test_persona_roles_are_what_the_matrix_assumes(world):
    roles = dict(Membership.objects.filter(firm=world.firm_a).values_list("user__username", "role"))
    assert roles == {"alice": "owner", "alice_editor": "editor", "alice_viewer": "viewer", "carol": "viewer"}
