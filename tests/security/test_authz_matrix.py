"""Authorization matrix: every operation of the OpenAPI schema x every persona.

EXPECTED lists, for each (METHOD, path template), what each persona gets. An operation in the
schema without a row FAILS `test_every_schema_operation_has_an_expected_row`, so a new endpoint
cannot ship without someone deciding who may call it. Paths are filled with firm A's objects
(tests/security/schema.py), so bob (owner of firm B) must get 404 on A's private ones.

Outcomes: OK = authorization passed. With a body in BODIES (a valid request) OK means a 2xx;
without one it also accepts 400/409 (the request reached validation or the state machine).
401/403/404 must be exactly that status.
"""

from datetime import date, timedelta

import pytest

from accounts.models import Membership
from matching.models import Proposal
from tests.events.world import set_event_status
from tests.security.conftest import PERSONAS, client_for
from tests.security.schema import fill_path, operations, platform_code

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
# An outcome's date: not before the proposal (made today by the world fixture), tomorrow in any time zone.
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
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
    # Sending one's own confirmation link again: anyone signed in (personas are confirmed: 409, reached).
    ("POST", f"{V1}/me/email-confirmation/"): ANY_USER,
    # The emailed token names the account and the address: no log-in needed.
    ("POST", f"{V1}/me/email-confirmation/confirm/"): PUBLIC,
    ("GET", f"{V1}/firms/{{firm_id}}/members/"): only((*A_MEMBERS, "reviewer", "admin")),
    # Adding someone is by invitation only (security review, section 4): no POST members/ any more.
    ("PATCH", f"{V1}/firms/{{firm_id}}/members/{{membership_id}}/"): only(("owner", "token", "admin")),
    ("DELETE", f"{V1}/firms/{{firm_id}}/members/{{membership_id}}/"): only(("owner", "token", "admin")),
    # Invitations: the firm's owners (and administrators) only, as member management; 404 for bob.
    ("GET", f"{V1}/firms/{{firm_id}}/invitations/"): only(("owner", "token", "admin")),
    ("POST", f"{V1}/firms/{{firm_id}}/invitations/"): only(("owner", "token", "admin")),
    ("DELETE", f"{V1}/firms/{{firm_id}}/invitations/{{invitation_id}}/"): only(("owner", "token", "admin")),
    # Service accounts (issue 16): the firm's owners (and administrators), as invitations.
    ("GET", f"{V1}/firms/{{firm_id}}/service-accounts/"): only(("owner", "token", "admin")),
    ("POST", f"{V1}/firms/{{firm_id}}/service-accounts/"): only(("owner", "token", "admin")),
    ("DELETE", f"{V1}/firms/{{firm_id}}/service-accounts/{{account_id}}/"): only(("owner", "token", "admin")),
    ("POST", f"{V1}/firms/{{firm_id}}/service-accounts/{{account_id}}/rotate-token/"): only(
        ("owner", "token", "admin")
    ),
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
    # Confirming the profile is current (issue 14) is a profile write: its owners and editors.
    ("POST", f"{V1}/firms/{{id}}/confirm/"): only(A_WRITERS, outsider=403),
    # One capability or platform at a time (issue 16): the rules of a PATCH.
    ("POST", f"{V1}/firms/{{id}}/capabilities/"): only(A_WRITERS, outsider=403),
    ("DELETE", f"{V1}/firms/{{id}}/capabilities/{{kind}}/{{capability}}/"): only(A_WRITERS, outsider=403),
    ("POST", f"{V1}/firms/{{id}}/platforms/"): only(A_WRITERS, outsider=403),
    ("DELETE", f"{V1}/firms/{{id}}/platforms/{{platform}}/{{role}}/"): only(A_WRITERS, outsider=403),
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
    ("POST", f"{V1}/firms/{{firm_id}}/owners/"): only(A_WRITERS),
    ("DELETE", f"{V1}/firms/{{firm_id}}/owners/{{owner_id}}/"): only(A_WRITERS),
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
    # Exports of the list and the statistics (issue 14): reviewers and administrators only.
    ("GET", f"{V1}/proposals/export/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/notifications/"): ANY_USER,
    ("POST", f"{V1}/notifications/read-all/"): ANY_USER,
    # Notifications are personal: alice's own (owner and her token) only.
    ("POST", f"{V1}/notifications/{{id}}/read/"): only(("owner", "token"), denied=404),
    ("GET", f"{V1}/stats/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/stats/export/"): only(("reviewer", "admin"), outsider=403),
    # --- events (issue 18): organised by reviewers; a firm's registration, requests and agenda are its own ---
    ("GET", f"{V1}/events/"): ANY_USER,
    ("POST", f"{V1}/events/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/events/{{id}}/"): ANY_USER,  # published: every signed-in person may see it
    ("PATCH", f"{V1}/events/{{id}}/"): only(("reviewer", "admin"), outsider=403),
    ("POST", f"{V1}/events/{{id}}/status/"): only(("reviewer", "admin"), outsider=403),
    ("POST", f"{V1}/events/{{id}}/publish/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/events/{{id}}/schedule/"): only(("reviewer", "admin"), outsider=403),
    ("POST", f"{V1}/events/{{id}}/schedule/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/events/{{id}}/meetings/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/events/{{id}}/stats/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/events/{{id}}/participants/"): ANY_USER,  # the public list to request meetings from
    # Registering firm A: its owners and editors only; bob and reviewers act for no firm A.
    ("POST", f"{V1}/events/{{id}}/participations/"): only(A_WRITERS, outsider=403),
    ("GET", f"{V1}/participations/{{id}}/"): only((*A_MEMBERS, "reviewer", "admin")),
    ("PATCH", f"{V1}/participations/{{id}}/"): only(A_WRITERS),
    ("DELETE", f"{V1}/participations/{{id}}/"): only((*A_WRITERS, "reviewer", "admin")),
    ("GET", f"{V1}/participations/{{id}}/requests/"): only((*A_MEMBERS, "reviewer", "admin")),
    ("POST", f"{V1}/participations/{{id}}/requests/"): only(A_WRITERS),
    ("GET", f"{V1}/participations/{{id}}/suggestions/"): only((*A_MEMBERS, "reviewer", "admin")),
    ("GET", f"{V1}/participations/{{id}}/agenda/"): only((*A_MEMBERS, "reviewer", "admin")),
    # C asked A: A's owners and editors answer.
    ("POST", f"{V1}/meeting-requests/{{id}}/accept/"): only(A_WRITERS),
    ("POST", f"{V1}/meeting-requests/{{id}}/decline/"): only(A_WRITERS),
    ("POST", f"{V1}/meetings/{{id}}/lock/"): only(("reviewer", "admin")),
    ("POST", f"{V1}/meetings/{{id}}/cancel/"): only((*A_WRITERS, "reviewer", "admin")),
    ("POST", f"{V1}/meetings/{{id}}/follow-up/"): only(A_WRITERS),
    # --- integrations (issue 16): a firm's webhooks are its owners' (and administrators'), as invitations ---
    ("GET", f"{V1}/firms/{{firm_id}}/webhooks/"): only(("owner", "token", "admin")),
    ("POST", f"{V1}/firms/{{firm_id}}/webhooks/"): only(("owner", "token", "admin")),
    ("GET", f"{V1}/firms/{{firm_id}}/webhooks/{{webhook_id}}/"): only(("owner", "token", "admin")),
    ("PATCH", f"{V1}/firms/{{firm_id}}/webhooks/{{webhook_id}}/"): only(("owner", "token", "admin")),
    ("DELETE", f"{V1}/firms/{{firm_id}}/webhooks/{{webhook_id}}/"): only(("owner", "token", "admin")),
    ("POST", f"{V1}/firms/{{firm_id}}/webhooks/{{webhook_id}}/rotate-secret/"): only(("owner", "token", "admin")),
    ("GET", f"{V1}/firms/{{firm_id}}/webhooks/{{webhook_id}}/deliveries/"): only(("owner", "token", "admin")),
    ("POST", f"{V1}/firms/{{firm_id}}/webhooks/{{webhook_id}}/deliveries/{{delivery_id}}/resend/"): only(
        ("owner", "token", "admin")
    ),
    # --- directory (issue 14): members of verified firms and reviewers; A and B are both verified ---
    ("GET", f"{V1}/directory/"): ANY_USER,
    ("GET", f"{V1}/directory/{{id}}/"): ANY_USER,  # A's public profile (no contacts)
    # Owners and editors of a verified firm ask; bob (partner) may ask A, alice's own people get 400
    # (same side); viewers and reviewers, who act for no firm, 403.
    ("POST", f"{V1}/directory/{{id}}/introductions/"): only(("editor", "owner", "token"), outsider=OK),
    ("GET", f"{V1}/directory/saved-searches/"): ANY_USER,
    ("POST", f"{V1}/directory/saved-searches/"): ANY_USER,
    # A saved search is personal (alice's): 404 to everyone else, reviewers included.
    ("GET", f"{V1}/directory/saved-searches/{{id}}/"): only(("owner", "token"), denied=404),
    ("PATCH", f"{V1}/directory/saved-searches/{{id}}/"): only(("owner", "token"), denied=404),
    ("DELETE", f"{V1}/directory/saved-searches/{{id}}/"): only(("owner", "token"), denied=404),
    # Reviewers find and export every firm (any status); firm members are refused.
    ("GET", f"{V1}/directory/reviewer/firms/"): only(("reviewer", "admin"), outsider=403),
    ("GET", f"{V1}/directory/reviewer/firms/export/"): only(("reviewer", "admin"), outsider=403),
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
    ("PATCH", f"{V1}/events/{{id}}/"): set_event_status("open"),
    ("POST", f"{V1}/events/{{id}}/status/"): set_event_status("open"),
    ("POST", f"{V1}/events/{{id}}/publish/"): set_event_status("scheduling"),
    ("POST", f"{V1}/events/{{id}}/schedule/"): set_event_status("scheduling"),
    ("POST", f"{V1}/events/{{id}}/participations/"): set_event_status("open", withdraw_a=True),
    ("PATCH", f"{V1}/participations/{{id}}/"): set_event_status("open"),
    ("DELETE", f"{V1}/participations/{{id}}/"): set_event_status("open"),
    ("POST", f"{V1}/participations/{{id}}/requests/"): set_event_status(
        "open", drop_meeting=True, request_status="declined"
    ),
    ("POST", f"{V1}/meeting-requests/{{id}}/accept/"): set_event_status(
        "open", drop_meeting=True, request_status="pending"
    ),
    ("POST", f"{V1}/meeting-requests/{{id}}/decline/"): set_event_status(
        "open", drop_meeting=True, request_status="pending"
    ),
    ("POST", f"{V1}/meetings/{{id}}/follow-up/"): set_event_status("closed"),
    ("POST", f"{V1}/meetings/{{id}}/lock/"): set_event_status("published"),
    ("POST", f"{V1}/meetings/{{id}}/cancel/"): set_event_status("published"),
}

# Valid request bodies (callables get the world): allowed personas must then get a 2xx.
BODIES = {
    ("POST", f"{V1}/proposals/{{id}}/approve/"): {"note": "Looks right"},
    ("POST", f"{V1}/proposals/{{id}}/reject/"): {"reason": "Duplicate of an existing partnership"},
    ("POST", f"{V1}/proposals/{{id}}/accept/"): {},
    ("POST", f"{V1}/proposals/{{id}}/decline/"): {"reason": "No capacity this year"},
    ("POST", f"{V1}/proposals/{{id}}/outcome/"): {"kind": "mou", "date": TOMORROW},
    ("POST", f"{V1}/proposals/bulk-review/"): lambda w: {"action": "approve", "ids": [w.proposal_a.pk]},
    ("PATCH", f"{V1}/me/"): {"language": "uk"},
    ("POST", f"{V1}/firms/{{id}}/capacity-override/"): {"value": 12},
    ("POST", f"{V1}/firms/{{id}}/confirm/"): {},
    ("PATCH", f"{V1}/firms/{{id}}/"): {"description": "Builds reconnaissance drones and now thermal optics too."},
    ("POST", f"{V1}/capabilities/"): {
        "code": "optics.test_lenses",
        "domain": "optics",
        "name_en": "Test lenses",
        "name_uk": "Тестові лінзи",
    },
    ("POST", f"{V1}/firms/{{firm_id}}/invitations/"): {"email": "new.colleague@example.org", "role": "viewer"},
    ("PATCH", f"{V1}/firms/{{firm_id}}/members/{{membership_id}}/"): {"role": "editor"},
    ("POST", f"{V1}/firms/{{firm_id}}/service-accounts/"): {"name": "CRM", "scopes": ["firms:read"]},
    ("POST", f"{V1}/firms/{{firm_id}}/service-accounts/{{account_id}}/rotate-token/"): {},
    ("POST", f"{V1}/firms/{{id}}/capabilities/"): lambda w: {"kind": "seek", "capability": w.capability.code},
    ("POST", f"{V1}/firms/{{id}}/platforms/"): lambda w: {"platform": platform_code(), "role": "repairs"},
    ("POST", f"{V1}/firms/{{firm_id}}/owners/"): {"name": "Taras Holding", "country": "UA", "share_percent": "20.00"},
    ("POST", f"{V1}/notifications/{{id}}/read/"): {},
    ("POST", f"{V1}/notifications/read-all/"): {},
    ("POST", f"{V1}/auth/logout/"): {},
    ("POST", f"{V1}/events/"): {
        "name_en": "Lviv Forum",
        "name_uk": "Львівський форум",
        "venue": "Lviv",
        "days": ["2027-05-12"],
        "blocks": [{"start": "09:00", "end": "12:00"}],
        "tables": [{"number": 1}, {"number": 2}],
    },
    ("PATCH", f"{V1}/events/{{id}}/"): {"venue": "Kyiv, Expo Centre"},
    ("POST", f"{V1}/events/{{id}}/status/"): {"to_status": "scheduling"},
    ("POST", f"{V1}/events/{{id}}/publish/"): {"final": False},
    ("POST", f"{V1}/events/{{id}}/schedule/"): {"time_limit": 2},
    ("POST", f"{V1}/events/{{id}}/participations/"): lambda w: {
        "firm": w.firm_a.pk,
        "attendees": [w.firm_a.memberships.get(user__username="alice").user_id],
    },
    ("PATCH", f"{V1}/participations/{{id}}/"): {"blocked_slots": [3]},
    ("DELETE", f"{V1}/participations/{{id}}/"): {},
    ("POST", f"{V1}/participations/{{id}}/requests/"): lambda w: {
        "receiver": w.extra["request"].sender_id,
        "reason": "Thermal optics for our drones",
    },
    ("POST", f"{V1}/meeting-requests/{{id}}/accept/"): {},
    ("POST", f"{V1}/meeting-requests/{{id}}/decline/"): {},
    ("POST", f"{V1}/meetings/{{id}}/lock/"): {"locked": True},
    ("POST", f"{V1}/meetings/{{id}}/cancel/"): {},
    ("POST", f"{V1}/meetings/{{id}}/follow-up/"): {"answer": "yes"},
    ("POST", f"{V1}/firms/{{firm_id}}/webhooks/"): {
        "url": "https://hooks.partner.example/alliance",
        "event_types": ["proposal.approved", "notification.created"],
    },
    ("PATCH", f"{V1}/firms/{{firm_id}}/webhooks/{{webhook_id}}/"): {"description": "Our CRM"},
    ("POST", f"{V1}/firms/{{firm_id}}/webhooks/{{webhook_id}}/rotate-secret/"): {"overlap_hours": 24},
    ("POST", f"{V1}/firms/{{firm_id}}/webhooks/{{webhook_id}}/deliveries/{{delivery_id}}/resend/"): {},
    ("POST", f"{V1}/directory/saved-searches/"): {"query": {"search": "thermal optics", "side": "partner"}},
    ("PATCH", f"{V1}/directory/saved-searches/{{id}}/"): {"frequency": "weekly"},
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
