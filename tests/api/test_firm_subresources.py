"""Adding and removing one capability or platform of a firm (POST/DELETE /firms/{id}/capabilities/ and
/platforms/): the rules of a PATCH (registry.services.firm_update) for every persona, history, rematch,
idempotent removal, and the firm's ETag."""

import pytest
from rest_framework.test import APIClient

from core.models import OutboxMessage
from registry.models import Capability, FirmCapability, FirmPlatform, FirmRevision, Platform

pytestmark = pytest.mark.django_db

REMATCH = "matching.tasks.rematch_firm_task"


def caps_url(firm):
    return f"/api/v1/firms/{firm.pk}/capabilities/"


def plats_url(firm):
    return f"/api/v1/firms/{firm.pk}/platforms/"


@pytest.fixture
def codes():
    return list(Capability.objects.order_by("code").values_list("code", flat=True)[:3])


@pytest.fixture(autouse=True)
def _a_baseline_offer(firm_a, codes):
    """A profile needs at least one offer or seek: removing the only one is a 400 (as in a PATCH)."""
    FirmCapability.objects.create(firm=firm_a, capability=Capability.objects.get(code=codes[2]), kind="offer")


@pytest.fixture
def platform():
    return Platform.objects.order_by("code").first()


def _service_account(owner_client, firm, scopes):
    response = owner_client.post(f"/api/v1/firms/{firm.pk}/service-accounts/", {"name": "ERP", "scopes": scopes})
    assert response.status_code == 201, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client


@pytest.fixture
def svc_write(alice_client, firm_a):
    return _service_account(alice_client, firm_a, ["firms:read", "firms:write"])


@pytest.fixture
def svc_read(alice_client, firm_a):
    return _service_account(alice_client, firm_a, ["firms:read"])


PERSONA_STATUS = [
    ("alice_client", 201),
    ("alice_editor_client", 201),
    ("alice_token", 201),
    ("svc_write", 201),
    ("alice_viewer_client", 403),
    ("bob_client", 403),
    ("rita_client", 403),
    ("adam_client", 403),
    ("svc_read", 403),
    ("anon", 401),
]


@pytest.mark.parametrize(("persona", "status"), PERSONA_STATUS, indirect=["persona"])
def test_who_may_add_a_capability(persona, status, firm_a, codes):
    response = persona.post(caps_url(firm_a), {"kind": "offer", "capability": codes[0], "detail": "Serial build"})
    assert response.status_code == status, response.content
    added = FirmCapability.objects.filter(firm=firm_a, capability__code=codes[0], kind="offer").exists()
    assert added == (status == 201)


@pytest.mark.parametrize(("persona", "status"), PERSONA_STATUS, indirect=["persona"])
def test_who_may_remove_a_capability(persona, status, firm_a, codes, alice_client):
    assert alice_client.post(caps_url(firm_a), {"kind": "seek", "capability": codes[1]}).status_code == 201
    response = persona.delete(caps_url(firm_a) + f"seek/{codes[1]}/")
    assert response.status_code == (200 if status == 201 else status), response.content
    still = FirmCapability.objects.filter(firm=firm_a, capability__code=codes[1], kind="seek").exists()
    assert still == (status != 201)


@pytest.mark.parametrize(("persona", "status"), PERSONA_STATUS, indirect=["persona"])
def test_who_may_add_and_remove_a_platform(persona, status, firm_a, platform):
    response = persona.post(plats_url(firm_a), {"platform": platform.code, "role": "repairs"})
    assert response.status_code == status, response.content
    assert FirmPlatform.objects.filter(firm=firm_a, platform=platform, role="repairs").exists() == (status == 201)
    removed = persona.delete(plats_url(firm_a) + f"{platform.code}/repairs/")
    assert removed.status_code == (200 if status == 201 else status), removed.content


def test_a_scoped_token_without_firms_write_is_told_the_scope(svc_read, firm_a, codes):
    response = svc_read.post(caps_url(firm_a), {"kind": "offer", "capability": codes[0]})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert response.json()["error"]["required_scope"] == "firms:write"


def test_a_pending_firm_is_404_to_an_outsider(bob_client, firm_a, codes):
    firm_a.status = "pending"
    firm_a.save(update_fields=["status"])
    assert bob_client.post(caps_url(firm_a), {"kind": "offer", "capability": codes[0]}).status_code == 404
    assert bob_client.delete(caps_url(firm_a) + f"offer/{codes[0]}/").status_code == 404


def test_adding_records_history_asks_for_a_rematch_and_changes_the_etag(alice_token, firm_a, codes):
    before = alice_token.get(f"/api/v1/firms/{firm_a.pk}/")
    revisions, rematches = FirmRevision.objects.count(), OutboxMessage.objects.filter(task=REMATCH).count()
    response = alice_token.post(caps_url(firm_a), {"kind": "offer", "capability": codes[0], "monthly_capacity": 40})
    assert response.status_code == 201
    assert [e["capability"] for e in response.json()["offers"]] == [codes[2], codes[0]]
    assert response["ETag"] != before["ETag"]
    assert alice_token.get(f"/api/v1/firms/{firm_a.pk}/")["ETag"] == response["ETag"]
    revision = FirmRevision.objects.filter(firm=firm_a).order_by("-id").first()
    assert FirmRevision.objects.count() == revisions + 1 and revision.changed_fields == ["offers"]
    assert revision.changes["offers"]["new"][-1] == {"capability": codes[0], "monthly_capacity": 40}
    assert OutboxMessage.objects.filter(task=REMATCH).count() == rematches + 1
    firm_a.refresh_from_db()
    assert firm_a.status == "verified"  # capabilities are not identity: no re-verification


def test_posting_a_listed_capability_replaces_it_in_place(alice_client, firm_a, codes):
    alice_client.post(caps_url(firm_a), {"kind": "offer", "capability": codes[0], "detail": "old"})
    alice_client.post(caps_url(firm_a), {"kind": "offer", "capability": codes[1]})
    response = alice_client.post(caps_url(firm_a), {"kind": "offer", "capability": codes[0], "detail": "new"})
    assert response.status_code == 200
    offers = [(e["capability"], e["detail"]) for e in response.json()["offers"]]
    assert offers == [(codes[2], ""), (codes[0], "new"), (codes[1], "")]
    revisions = FirmRevision.objects.filter(firm=firm_a).count()
    again = alice_client.post(caps_url(firm_a), {"kind": "offer", "capability": codes[0], "detail": "new"})
    assert again.status_code == 200 and FirmRevision.objects.filter(firm=firm_a).count() == revisions


def test_removing_the_last_offer_or_seek_is_refused_as_in_a_patch(alice_client, firm_a, codes):
    response = alice_client.delete(caps_url(firm_a) + f"offer/{codes[2]}/")
    assert response.status_code == 400 and "offers" in response.json()["error"]["fields"]


def test_removing_is_idempotent(alice_client, firm_a, codes):
    alice_client.post(caps_url(firm_a), {"kind": "offer", "capability": codes[0]})
    first = alice_client.delete(caps_url(firm_a) + f"offer/{codes[0]}/")
    revisions = FirmRevision.objects.filter(firm=firm_a).count()
    second = alice_client.delete(caps_url(firm_a) + f"offer/{codes[0]}/")
    assert first.status_code == second.status_code == 200
    assert first["ETag"] == second["ETag"] and [e["capability"] for e in second.json()["offers"]] == [codes[2]]
    assert FirmRevision.objects.filter(firm=firm_a).count() == revisions
    assert alice_client.delete(caps_url(firm_a) + "offer/no.such-code/").status_code == 200


def test_a_platform_pair_is_added_once(alice_client, firm_a, platform):
    first = alice_client.post(plats_url(firm_a), {"platform": platform.code, "role": "repairs"})
    revisions = FirmRevision.objects.filter(firm=firm_a).count()
    second = alice_client.post(plats_url(firm_a), {"platform": platform.code, "role": "repairs"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert FirmRevision.objects.filter(firm=firm_a).count() == revisions
    assert [(p["platform"], p["role"]) for p in second.json()["platforms"]] == [(platform.code, "repairs")]


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("capabilities", {"kind": "offer", "capability": "no.such-code"}, "capability"),
        ("capabilities", {"kind": "sell", "capability": "x"}, "kind"),
        ("capabilities", {"kind": "offer"}, "capability"),
        ("capabilities", {"kind": "offer", "capability": "x", "colour": "red"}, "colour"),
        ("capabilities", {"kind": "offer", "capability": "x", "monthly_capacity": -1}, "monthly_capacity"),
        ("platforms", {"platform": "no-such-platform", "role": "repairs"}, "platform"),
        ("platforms", {"platform": "x", "role": "sells"}, "role"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(alice_client, firm_a, url, body, field, codes):
    if body.get("capability") == "x":
        body = {**body, "capability": codes[0]}
    response = alice_client.post(f"/api/v1/firms/{firm_a.pk}/{url}/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()


def test_an_unknown_kind_or_role_in_the_path_is_a_404(alice_client, firm_a, platform):
    assert alice_client.delete(caps_url(firm_a) + "sell/anything/").status_code == 404
    assert alice_client.delete(plats_url(firm_a) + f"{platform.code}/sells/").status_code == 404


def test_the_answers_are_translated(alice_client, firm_a):
    response = alice_client.post(
        caps_url(firm_a), {"kind": "offer", "capability": "no.such-code"}, HTTP_ACCEPT_LANGUAGE="uk"
    )
    assert response.status_code == 400
    assert "Invalid firm profile" not in response.json()["error"]["message"]


# --- Beneficial owners: one at a time (compliance.services.beneficial_owner_add / _remove) -----------------


def owners_url(firm):
    return f"/api/v1/firms/{firm.pk}/owners/"


OWNER = {"name": "Taras Holding", "country": "UA", "share_percent": "25.00"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [*PERSONA_STATUS[:5], ("bob_client", 404), ("rita_client", 403), ("adam_client", 403), ("svc_read", 403)],
    indirect=["persona"],
)
def test_who_may_declare_and_withdraw_one_owner(persona, status, firm_a, alice_client):
    response = persona.post(owners_url(firm_a), OWNER)
    assert response.status_code == status, response.content
    assert firm_a.beneficial_owners.count() == (1 if status == 201 else 0)
    if status != 201:
        return
    owner_id = response.json()["owners"][0]["id"]
    removed = persona.delete(owners_url(firm_a) + f"{owner_id}/")
    assert removed.status_code == 200 and removed.json()["owners"] == []
    again = persona.delete(owners_url(firm_a) + f"{owner_id}/")
    assert again.status_code == 200  # idempotent


def test_an_owner_declared_again_changes_its_share_and_shares_stay_within_100(alice_client, firm_a):
    assert alice_client.post(owners_url(firm_a), OWNER).status_code == 201
    changed = alice_client.post(owners_url(firm_a), {**OWNER, "share_percent": "60.00"})
    assert changed.status_code == 200 and [o["share_percent"] for o in changed.json()["owners"]] == ["60.00"]
    same = alice_client.post(owners_url(firm_a), {**OWNER, "share_percent": "60.00"})
    assert same.status_code == 200
    over = alice_client.post(owners_url(firm_a), {"name": "Other", "country": "DE", "share_percent": "50.00"})
    assert over.status_code == 400 and "owners" in over.json()["error"]["fields"]
    low = alice_client.post(owners_url(firm_a), {"name": "Other", "country": "DE", "share_percent": "5.00"})
    assert low.status_code == 400 and "share_percent" in low.json()["error"]["fields"]


def test_a_russian_owner_added_one_at_a_time_blocks_matching_and_asks_for_a_rematch(alice_client, firm_a):
    before = OutboxMessage.objects.filter(task=REMATCH).count()
    response = alice_client.post(owners_url(firm_a), {"name": "Ivanov", "country": "RU", "share_percent": "30.00"})
    assert response.status_code == 201 and response.json()["blocks_matching"] is True
    assert OutboxMessage.objects.filter(task=REMATCH).count() == before + 1


def test_the_owner_detail_takes_only_delete(alice_client, firm_a):
    assert alice_client.get(owners_url(firm_a) + "1/").status_code == 405
    assert alice_client.put(owners_url(firm_a) + "1/", {"owners": []}).status_code == 405


@pytest.mark.parametrize("persona", ["alice_client", "rita_client"], indirect=True)
def test_the_history_of_a_seek_without_detail_matches_the_schema(persona, alice_client, firm_a, codes):
    """The history keeps the exchange format (no empty detail, no unknown capacity); its answer, like the
    firm's own, says "" and null, as the schema's required `detail` and `monthly_capacity` promise."""
    from tests.api.test_required_fields import check, components_of_the_schema

    assert alice_client.post(caps_url(firm_a), {"kind": "seek", "capability": codes[1]}).status_code == 201
    body = persona.get(f"/api/v1/firms/{firm_a.pk}/history/").json()
    assert body["results"][0]["data"]["seeks"][-1] == {"capability": codes[1], "detail": "", "monthly_capacity": None}
    check(components_of_the_schema(), "PaginatedFirmRevisionList", body)
