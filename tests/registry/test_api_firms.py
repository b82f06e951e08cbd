"""/api/v1/firms/: every endpoint for every persona, privacy of contacts, strict input, query counts."""

import pytest
from rest_framework.test import APIClient

from core.models import OutboxMessage
from registry.models import Capability, Firm, FirmCapability, FirmRevision
from tests.conftest import PERSONAS
from tests.factories import FirmCapabilityFactory, FirmFactory, MembershipFactory, UserFactory

MEMBERS = {"alice_client", "alice_editor_client", "alice_viewer_client", "alice_token"}
EDITORS = {"alice_client", "alice_editor_client", "alice_token"}
REVIEWERS = {"rita_client", "adam_client"}


def _payload(ref: str = "ua-new-works", **changes) -> dict:
    doc = {
        "ref": ref,
        "name": "Kharkiv Drone Works LLC",
        "country": "UA",
        "edrpou": "14360570",
        "website": "https://kharkiv-drones.example",
        "employees": 120,
        "founded": 2019,
        "description": "Builds FPV strike drones and wants a partner for thermal cameras.",
        "offers": [{"capability": "uav.fpv", "detail": "7-inch FPV", "monthly_capacity": 3000}],
        "seeks": [{"capability": "sensors.optics_thermal"}],
        "partnership_types": ["co_production"],
        "languages": ["uk", "en"],
        "contact": {"name": "Oksana Melnyk", "email": "oksana@kharkiv-drones.example", "phone": "+380441234567"},
    }
    doc.update(changes)
    return doc


@pytest.fixture
def firms(firm_a, firm_b, alice, alice_editor, alice_viewer, bob, rita, adam):
    """Firms A and B with an offer each, and every persona's user created."""
    FirmCapabilityFactory(firm=firm_a, capability=Capability.objects.get(code="uav.fixed_wing_isr"))
    FirmCapabilityFactory(firm=firm_b, capability=Capability.objects.get(code="sensors.optics_thermal"))
    return firm_a, firm_b


def _url(firm=None, suffix="") -> str:
    return f"/api/v1/firms/{firm.pk}/{suffix}" if firm else "/api/v1/firms/"


# --- Persona matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_list_firms_by_persona(firms, persona, request):
    name = request.node.callspec.params["persona"]
    response = persona.get(_url())
    assert response.status_code == (401 if name == "anon" else 200)
    if name != "anon":
        assert {f["ref"] for f in response.json()["results"]} == {"ua-skyforge", "de-optronik"}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_retrieve_a_verified_firm_by_persona_shows_contact_to_members_and_reviewers_only(firms, persona, request):
    name = request.node.callspec.params["persona"]
    response = persona.get(_url(firms[0]))
    if name == "anon":
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        return
    assert response.status_code == 200
    body = response.json()
    assert body["ref"] == "ua-skyforge" and body["side"] == "ua" and body["status"] == "verified"
    if name in MEMBERS | REVIEWERS:
        assert body["contact"] == {
            "name": "Olena Petrenko",
            "email": "contact@ua-skyforge.example",
            "phone": "+380441234567",
        }
    else:
        assert body["contact"] is None


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_a_pending_firm_is_visible_to_its_members_and_reviewers_and_404_to_others(firms, persona, request):
    name = request.node.callspec.params["persona"]
    Firm.objects.filter(pk=firms[0].pk).update(status="pending")
    expected = 401 if name == "anon" else 200 if name in MEMBERS | REVIEWERS else 404
    assert persona.get(_url(firms[0])).status_code == expected
    if name == "bob_client":
        assert "ua-skyforge" not in {f["ref"] for f in persona.get(_url()).json()["results"]}
        assert persona.get(_url(firms[0], "history/")).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_create_a_firm_by_persona_makes_the_creator_its_owner(firms, persona, request):
    name = request.node.callspec.params["persona"]
    ref = f"ua-new-{name.replace('_', '-')}"
    response = persona.post(_url(), _payload(ref=ref), format="json")
    if name == "anon":
        assert response.status_code == 401
        assert not Firm.objects.filter(ref=ref).exists()
        return
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["side"] == "ua"
    assert body["contact"]["email"] == "oksana@kharkiv-drones.example"  # the creator is a member now
    assert body["offers"] == [{"capability": "uav.fpv", "detail": "7-inch FPV", "monthly_capacity": 3000}]
    firm = Firm.objects.get(ref=ref)
    assert firm.memberships.get().role == "owner"
    assert firm.revisions.get().source == "api"


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_update_a_firm_by_persona(firms, persona, request, method):
    name = request.node.callspec.params["persona"]
    firm_a = firms[0]
    body = {"employees": 555} if method == "patch" else _payload(ref="ua-skyforge", employees=555)
    response = getattr(persona, method)(_url(firm_a), body, format="json")
    expected = 401 if name == "anon" else 200 if name in EDITORS else 403
    assert response.status_code == expected, response.json()
    firm_a.refresh_from_db()
    assert (firm_a.employees == 555) is (expected == 200)
    if expected == 403:
        assert response.json()["error"]["code"] == "permission_denied"


def test_bob_cannot_update_a_pending_firm_he_cannot_see(firms, bob_client):
    Firm.objects.filter(pk=firms[0].pk).update(status="pending")
    assert bob_client.patch(_url(firms[0]), {"employees": 1}, format="json").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_verify_by_persona(firms, persona, request):
    name = request.node.callspec.params["persona"]
    Firm.objects.filter(pk=firms[0].pk).update(status="pending")
    response = persona.post(_url(firms[0], "verify/"), {}, format="json")
    expected = 401 if name == "anon" else 200 if name in REVIEWERS else 403
    assert response.status_code == expected
    firms[0].refresh_from_db()
    assert firms[0].status == ("verified" if expected == 200 else "pending")
    if expected == 200:
        assert firms[0].status_changed_by.username == {"rita_client": "rita", "adam_client": "adam"}[name]
        assert response.json()["status"] == "verified"


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_suspend_by_persona(firms, persona, request):
    name = request.node.callspec.params["persona"]
    response = persona.post(_url(firms[0], "suspend/"), {"reason": "Sanctions list match under review"}, format="json")
    expected = 401 if name == "anon" else 200 if name in REVIEWERS else 403
    assert response.status_code == expected
    firms[0].refresh_from_db()
    assert firms[0].status == ("suspended" if expected == 200 else "verified")


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_history_by_persona(firms, persona, request):
    name = request.node.callspec.params["persona"]
    response = persona.get(_url(firms[0], "history/"))
    expected = 401 if name == "anon" else 200 if name in MEMBERS | REVIEWERS else 404
    assert response.status_code == expected


# --- Status changes ----------------------------------------------------------------------------


def test_verifying_twice_is_a_conflict(firms, rita_client):
    response = rita_client.post(_url(firms[0], "verify/"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "invalid_transition",
        "message": "The firm is already verified.",
        "fields": {},
        "current_state": "verified",
    }


def test_suspending_needs_a_reason(firms, rita_client):
    response = rita_client.post(_url(firms[0], "suspend/"), {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    response = rita_client.post(_url(firms[0], "suspend/"), {"reason": "x", "until": "never"}, format="json")
    assert response.status_code == 400
    assert "until" in response.json()["error"]["fields"]


def test_suspend_then_reinstate_keeps_the_history_with_reason(firms, rita_client, alice_client):
    rita_client.post(_url(firms[0], "suspend/"), {"reason": "Ownership unclear"}, format="json")
    rita_client.post(_url(firms[0], "verify/"), {"note": "Ownership documents received"}, format="json")
    history = alice_client.get(_url(firms[0], "history/")).json()["results"]
    assert [(h["source"], h["changed_fields"], h["note"], h["changed_by"]) for h in history] == [
        ("status", ["status"], "Ownership documents received", "rita"),
        ("status", ["status"], "Ownership unclear", "rita"),
    ]
    assert history[0]["data"]["ref"] == "ua-skyforge"


def test_verify_enqueues_a_rematch_of_the_firm(firms, rita_client):
    Firm.objects.filter(pk=firms[0].pk).update(status="pending")
    rita_client.post(_url(firms[0], "verify/"), {}, format="json")
    assert OutboxMessage.objects.filter(
        task="matching.tasks.rematch_firm_task", kwargs={"firm_id": firms[0].pk}
    ).exists()


# --- Updates: validation, strictness, side effects ------------------------------------------------


def test_unknown_and_read_only_fields_are_rejected_by_name(firms, alice_client):
    response = alice_client.patch(
        _url(firms[0]), {"colour": "green", "status": "verified", "employees": 2}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["colour"][0].startswith("unknown field (allowed: ref, name, country")
    assert fields["status"] == ["is read-only and cannot be set"]
    firms[0].refresh_from_db()
    assert firms[0].employees != 2


def test_creating_with_a_status_is_refused_not_silently_dropped(firms, bob_client):
    response = bob_client.post(_url(), {**_payload(), "status": "verified", "screening_status": "clear"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status", "screening_status"}
    assert not Firm.objects.filter(ref="ua-new-works").exists()


def test_validation_errors_name_the_field_and_rule(firms, bob_client):
    response = bob_client.post(
        _url(), _payload(edrpou="32855968", offers=[{"capability": "uav.nope"}], country="UA"), format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "edrpou": ["This EDRPOU is not valid: check the 8 digits on your extract from the state register"],
        "offers[0].capability": ["unknown capability 'uav.nope'"],
    }


def test_counts_beyond_the_database_integer_are_a_400_naming_the_field_not_a_server_error(firms, bob_client):
    offers = [{"capability": "uav.fpv", "monthly_capacity": 10**12}]
    response = bob_client.post(_url(), _payload(employees=10**12, offers=offers), format="json")
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"employees", "offers[0].monthly_capacity"}
    assert all("2147483647" in " ".join(messages).replace(",", "") for messages in fields.values())
    assert not Firm.objects.filter(ref="ua-new-works").exists()


def test_a_taken_ref_is_refused(firms, bob_client):
    response = bob_client.post(_url(), _payload(ref="ua-skyforge"), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"ref": ["a firm with ref 'ua-skyforge' already exists"]}


def test_the_ref_cannot_change(firms, alice_client):
    response = alice_client.patch(_url(firms[0]), {"ref": "ua-other"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ref"][0].startswith("cannot be changed")


def test_a_body_that_is_not_an_object_is_a_400(firms, alice_client):
    response = alice_client.put(_url(firms[0]), [1, 2], format="json")
    assert response.status_code == 400


def test_patch_merges_contact_and_records_a_revision_and_requests_rematch_and_screening(firms, alice_client):
    # A new name is a new identity: re-verification, screening, no rematch (tests/registry/test_identity_change.py).
    response = alice_client.patch(
        _url(firms[0]), {"website": "https://skyforge.example", "contact": {"phone": "+380442222222"}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["contact"] == {
        "name": "Olena Petrenko",
        "email": "contact@ua-skyforge.example",
        "phone": "+380442222222",
    }
    revision = FirmRevision.objects.get(firm=firms[0])
    assert revision.changed_fields == ["website", "contact"] and revision.changed_by.username == "alice"
    tasks = set(OutboxMessage.objects.values_list("task", flat=True))
    assert "matching.tasks.rematch_firm_task" in tasks
    assert not tasks & {"compliance.tasks.screen_firm_task", "compliance.tasks.screen_firms_task"}


def test_a_patch_that_changes_nothing_writes_nothing(firms, alice_client):
    response = alice_client.patch(_url(firms[0]), {"employees": firms[0].employees}, format="json")
    assert response.status_code == 200
    assert not FirmRevision.objects.exists() and not OutboxMessage.objects.exists()


def test_put_replaces_offers_and_seeks(firms, alice_client):
    response = alice_client.put(_url(firms[0]), _payload(ref="ua-skyforge"), format="json")
    assert response.status_code == 200, response.json()
    links = FirmCapability.objects.filter(firm=firms[0]).values_list("kind", "capability__code")
    assert sorted(links) == [("offer", "uav.fpv"), ("seek", "sensors.optics_thermal")]


def test_a_partner_firm_may_not_carry_an_edrpou(firms, bob_client):
    response = bob_client.post(
        _url(), _payload(ref="de-new", country="DE", contact={"name": "A B", "email": "a@b.example"}), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["edrpou"]


# --- Filters, ordering, pagination, query counts -----------------------------------------------------


def _firm_with(ref, country="DE", status="verified", offers=(), seeks=(), **kw):
    firm = FirmFactory(ref=ref, partner=country != "UA", country=country, status=status, **kw)
    for code in offers:
        FirmCapabilityFactory(firm=firm, capability=Capability.objects.get(code=code), kind="offer")
    for code in seeks:
        FirmCapabilityFactory(firm=firm, capability=Capability.objects.get(code=code), kind="seek")
    return firm


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        ("country=pl", ["pl-ammo"]),
        ("side=ua", ["ua-skyforge"]),
        ("side=partner", ["de-optronik", "pl-ammo", "fr-radar"]),
        ("offers=munitions.artillery_155", ["pl-ammo"]),
        ("seeks=uav.fpv", ["fr-radar", "pl-ammo"]),
        ("search=radar", ["fr-radar"]),
        ("search=SKYFORGE", ["ua-skyforge"]),
        ("status=pending", []),
    ],
)
def test_filters(firms, bob_client, query, refs):
    _firm_with("pl-ammo", "PL", offers=["munitions.artillery_155"], seeks=["uav.fpv"], name="Amunicja S.A.")
    _firm_with("fr-radar", "FR", offers=["sensors.radar"], seeks=["uav.fpv"], name="Radar Systems SAS",
               description="We build ground surveillance radars for air defence.")  # fmt: skip
    _firm_with("cz-hidden", "CZ", status="pending", offers=["uav.fpv"], seeks=["uav.fpv"])
    response = bob_client.get(f"{_url()}?{query}")
    assert response.status_code == 200
    assert sorted(f["ref"] for f in response.json()["results"]) == sorted(refs)


def test_reviewers_can_filter_the_pending_queue(firms, rita_client):
    _firm_with("cz-hidden", "CZ", status="pending", offers=["uav.fpv"])
    assert [f["ref"] for f in rita_client.get(f"{_url()}?status=pending").json()["results"]] == ["cz-hidden"]


def test_an_invalid_filter_value_is_a_400_naming_it(firms, bob_client):
    response = bob_client.get(f"{_url()}?side=martian")
    assert response.status_code == 400
    assert "side" in response.json()["error"]["fields"]


def test_ordering_and_page_size_limit(firms, rita_client):
    for i in range(5):
        _firm_with(f"de-o{i}", employees=10 * (5 - i), offers=["uav.fpv"])
    body = rita_client.get(f"{_url()}?ordering=-employees&page_size=3").json()
    assert body["count"] == 7 and len(body["results"]) == 3
    employees = [f["employees"] for f in body["results"]]
    assert employees == [50, 40, 30]
    everyone = [f["employees"] for f in rita_client.get(f"{_url()}?ordering=-employees").json()["results"]]
    assert everyone == [50, 40, 30, 20, 10, None, None]  # no head count: last, on SQLite and PostgreSQL alike
    assert len(rita_client.get(f"{_url()}?page_size=5000").json()["results"]) == 7  # capped at 200, not refused


@pytest.mark.parametrize("persona", ["bob_client", "rita_client", "alice_token"], indirect=True)
def test_list_query_count_does_not_grow_with_the_number_of_firms(firms, persona, django_assert_max_num_queries):
    def make(n, start):
        for i in range(start, start + n):
            _firm_with(f"de-q{i}", offers=["uav.fpv", "sensors.radar"], seeks=["uav.fixed_wing_isr"])

    make(3, 0)
    with django_assert_max_num_queries(8) as small:
        assert persona.get(_url()).status_code == 200
    make(27, 3)
    with django_assert_max_num_queries(len(small.captured_queries)) as big:
        assert len(persona.get(f"{_url()}?page_size=100").json()["results"]) == 32
    assert len(big.captured_queries) == len(small.captured_queries)


def test_contact_visibility_in_lists_is_per_firm(firms, bob_client):
    other = FirmFactory(ref="de-bobs-second", partner=True)
    FirmCapabilityFactory(firm=other)
    MembershipFactory(user=firms[1].memberships.get().user, firm=other, role="viewer")
    results = {f["ref"]: f for f in bob_client.get(_url()).json()["results"]}
    assert results["ua-skyforge"]["contact"] is None
    assert results["de-optronik"]["contact"] is not None
    assert results["de-bobs-second"]["contact"] is not None


def test_a_user_without_any_firm_sees_verified_firms_without_contacts(firms):
    client = APIClient()
    client.force_authenticate(UserFactory(username="carol"))
    results = client.get(_url()).json()["results"]
    assert {f["ref"] for f in results} == {"ua-skyforge", "de-optronik"}
    assert all(f["contact"] is None for f in results)


@pytest.mark.parametrize("path", ["abc/", "0.5/", "0.5/history/", "99999/"])
def test_a_bad_or_unknown_firm_id_is_the_api_json_404(firms, rita_client, path):
    response = rita_client.get(f"/api/v1/firms/{path}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("page", ["0", "-1", "two", "\x00"])
def test_a_page_below_one_or_not_a_number_is_a_400_naming_page(firms, bob_client, page):
    response = bob_client.get(_url(), {"page": page})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"page": ["Must be a whole number from 1 up."]}


@pytest.mark.parametrize("page", ["last", ""])
def test_page_last_and_an_empty_page_keep_working_as_drf_has_always_allowed(firms, bob_client, page):
    first = bob_client.get(_url(), {"page_size": 1})
    response = bob_client.get(_url(), {"page": page, "page_size": 1})
    assert response.status_code == 200
    count = first.json()["count"]
    expected = (
        first.json()["results"]
        if page == ""
        else bob_client.get(_url(), {"page": count, "page_size": 1}).json()["results"]
    )
    assert response.json()["results"] == expected


@pytest.mark.parametrize(
    "language, message, rule",
    [
        ("en", "There is no page 999: this list has pages 1 to 1.", "Must be from 1 to 1."),
        ("uk", "Сторінки 999 немає: у цьому списку сторінки від 1 до 1.", "Має бути від 1 до 1."),
    ],
)
def test_a_page_past_the_end_is_a_404_naming_page_and_the_range(firms, bob_client, language, message, rule):
    response = bob_client.get(_url(), {"page": "999"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": message, "fields": {"page": [rule]}}
