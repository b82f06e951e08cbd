"""`If-Match` on a firm's sub-resources (a capability, platform or beneficial owner added or removed):
"change it only if nobody changed the firm since I read it", as a PATCH of the firm
(core.api.conditional.if_match_check, checked by the service under the firm's row lock)."""

import threading
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from registry.models import BeneficialOwner, Capability, FirmCapability, FirmPlatform, FirmRevision, Platform
from tests.security.schema import operations

pytestmark = pytest.mark.django_db

OWNER = {"name": "Taras Holding", "country": "UA", "share_percent": "25.00"}
OTHER_OWNER = {"name": "Kyiv Ventures", "country": "UA", "share_percent": "15.00"}


@pytest.fixture
def codes():
    return list(Capability.objects.order_by("code").values_list("code", flat=True)[:3])


@pytest.fixture
def platform():
    return Platform.objects.order_by("code").first()


@pytest.fixture(autouse=True)
def _a_baseline_offer(firm_a, codes):
    """A profile needs at least one offer or seek (as in a PATCH)."""
    FirmCapability.objects.create(firm=firm_a, capability=Capability.objects.get(code=codes[2]), kind="offer")


@dataclass
class Op:
    """One sub-resource call; `prepare` (as alice) makes it a real change; `ok` is its success status."""

    name: str
    method: str
    ok: int

    def prepare(self, client, firm, codes, platform) -> None:
        base = f"/api/v1/firms/{firm.pk}/"
        if self.name == "capability_remove":
            assert client.post(base + "capabilities/", {"kind": "seek", "capability": codes[1]}).status_code == 201
        elif self.name == "platform_remove":
            assert client.post(base + "platforms/", {"platform": platform.code, "role": "repairs"}).status_code == 201
        elif self.name == "owner_remove":
            assert client.post(base + "owners/", OWNER).status_code == 201

    def call(self, client, firm, codes, platform, **headers) -> Any:
        base = f"/api/v1/firms/{firm.pk}/"
        if self.name == "capability_add":
            return client.post(base + "capabilities/", {"kind": "offer", "capability": codes[0]}, **headers)
        if self.name == "capability_remove":
            return client.delete(base + f"capabilities/seek/{codes[1]}/", **headers)
        if self.name == "platform_add":
            return client.post(base + "platforms/", {"platform": platform.code, "role": "repairs"}, **headers)
        if self.name == "platform_remove":
            return client.delete(base + f"platforms/{platform.code}/repairs/", **headers)
        if self.name == "owner_add":
            return client.post(base + "owners/", OWNER, **headers)
        owner = BeneficialOwner.objects.filter(firm=firm).order_by("id").first()
        return client.delete(base + f"owners/{owner.pk if owner else 999999}/", **headers)


OPS = [
    Op("capability_add", "POST", 201),
    Op("capability_remove", "DELETE", 200),
    Op("platform_add", "POST", 201),
    Op("platform_remove", "DELETE", 200),
    Op("owner_add", "POST", 201),
    Op("owner_remove", "DELETE", 200),
]
IDS = [op.name for op in OPS]


def state(firm) -> tuple:
    """Everything a sub-resource call may change, and the firm's history."""
    firm.refresh_from_db()
    return (
        sorted(FirmCapability.objects.filter(firm=firm).values_list("kind", "capability__code")),
        sorted(FirmPlatform.objects.filter(firm=firm).values_list("platform__code", "role")),
        sorted(BeneficialOwner.objects.filter(firm=firm).values_list("name", "share_percent")),
        FirmRevision.objects.filter(firm=firm).count(),
        firm.updated_at,
    )


def etag(client, firm) -> str:
    response = client.get(f"/api/v1/firms/{firm.pk}/")
    assert response.status_code == 200
    return response["ETag"]


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_the_etag_just_read_lets_the_change_through(op, alice_client, alice_token, firm_a, codes, platform):
    op.prepare(alice_client, firm_a, codes, platform)
    before = state(firm_a)
    tag = etag(alice_token, firm_a)
    response = op.call(alice_token, firm_a, codes, platform, HTTP_IF_MATCH=tag)
    assert response.status_code == op.ok, response.content
    assert state(firm_a) != before
    assert etag(alice_token, firm_a) != tag  # the change is a new version of the firm
    # The answer carries that new version: the next If-Match needs no read in between.
    assert response["ETag"] == etag(alice_token, firm_a)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_a_stale_etag_is_412_and_changes_nothing(op, alice_client, alice_token, firm_a, codes, platform):
    op.prepare(alice_client, firm_a, codes, platform)
    stale = etag(alice_token, firm_a)
    # Someone else changes the firm after the integrator read it.
    edit = alice_client.patch(f"/api/v1/firms/{firm_a.pk}/", {"description": "Changed by a colleague meanwhile."})
    assert edit.status_code == 200
    before, current = state(firm_a), etag(alice_token, firm_a)

    response = op.call(alice_token, firm_a, codes, platform, HTTP_IF_MATCH=stale)

    assert response.status_code == 412, response.content
    error = response.json()["error"]
    assert error["code"] == "precondition_failed" and error["current_etag"] == current
    assert "If-Match" in error["message"] and error["fields"] == {}
    assert response["ETag"] == current
    assert state(firm_a) == before  # nothing changed, no history entry
    # Read again and retry: now it goes through.
    assert op.call(alice_token, firm_a, codes, platform, HTTP_IF_MATCH=current).status_code == op.ok


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_a_star_or_a_list_holding_the_current_etag_lets_it_through(
    op, alice_client, alice_token, firm_a, codes, platform
):
    op.prepare(alice_client, firm_a, codes, platform)
    if op.method == "POST":
        assert op.call(alice_token, firm_a, codes, platform, HTTP_IF_MATCH="*").status_code == op.ok
    else:
        tags = f'"old-one", W/{etag(alice_token, firm_a)}'
        assert op.call(alice_token, firm_a, codes, platform, HTTP_IF_MATCH=tags).status_code == op.ok
        op.prepare(alice_client, firm_a, codes, platform)
        assert op.call(alice_token, firm_a, codes, platform, HTTP_IF_MATCH="*").status_code == op.ok


def test_the_412_is_in_the_callers_language(alice_token, firm_a, codes):
    response = alice_token.post(
        f"/api/v1/firms/{firm_a.pk}/capabilities/",
        {"kind": "offer", "capability": codes[0]},
        HTTP_IF_MATCH='"stale"',
        HTTP_ACCEPT_LANGUAGE="uk",
    )
    assert response.status_code == 412
    assert "If-Match" in response.json()["error"]["message"]
    assert "Changed since you read it" not in response.json()["error"]["message"]


# Who cannot make the change hears so (403), or that the firm is not there (404), before any talk of
# preconditions: a 412 would carry the firm's ETag.
REFUSED = [
    ("alice_viewer_client", {"capability": 403, "platform": 403, "owner": 403}),
    ("rita_client", {"capability": 403, "platform": 403, "owner": 403}),
    ("bob_client", {"capability": 403, "platform": 403, "owner": 404}),  # A is verified: bob may read it
    ("anon", {"capability": 401, "platform": 401, "owner": 401}),
]


@pytest.mark.parametrize("op", OPS, ids=IDS)
@pytest.mark.parametrize(("persona", "statuses"), REFUSED, indirect=["persona"])
def test_who_may_not_change_the_firm_is_refused_before_the_precondition(
    persona, statuses, op, alice_client, firm_a, codes, platform
):
    op.prepare(alice_client, firm_a, codes, platform)
    before = state(firm_a)
    response = op.call(persona, firm_a, codes, platform, HTTP_IF_MATCH='"stale"')
    assert response.status_code == statuses[op.name.split("_")[0]], response.content
    assert "ETag" not in response and "current_etag" not in response.content.decode()
    assert state(firm_a) == before


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_an_outsider_gets_404_on_a_firm_it_cannot_see_not_412(op, alice_client, bob_client, firm_a, codes, platform):
    op.prepare(alice_client, firm_a, codes, platform)
    firm_a.status = "pending"
    firm_a.save(update_fields=["status"])
    response = op.call(bob_client, firm_a, codes, platform, HTTP_IF_MATCH='"stale"')
    assert response.status_code == 404, response.content
    assert "ETag" not in response and "current_etag" not in response.content.decode()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/firms/{id}/capabilities/"),
        ("DELETE", "/api/v1/firms/{id}/capabilities/{kind}/{capability}/"),
        ("POST", "/api/v1/firms/{id}/platforms/"),
        ("DELETE", "/api/v1/firms/{id}/platforms/{platform}/{role}/"),
        ("POST", "/api/v1/firms/{firm_id}/owners/"),
        ("PUT", "/api/v1/firms/{firm_id}/owners/"),
        ("DELETE", "/api/v1/firms/{firm_id}/owners/{owner_id}/"),
    ],
)
def test_the_schema_documents_if_match_and_the_412(method, path):
    operation = operations()[(method, path)]
    headers = [p for p in operation["parameters"] if p["in"] == "header" and p["name"] == "If-Match"]
    assert len(headers) == 1 and headers[0]["required"] is False
    assert "412" in operation["responses"]
    assert operation["responses"]["412"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_reading_the_owners_takes_no_if_match_in_the_schema():
    operation = operations()[("GET", "/api/v1/firms/{firm_id}/owners/")]
    assert not any(p["name"] == "If-Match" for p in operation.get("parameters", []))
    assert "412" not in operation["responses"]


def test_replacing_the_owners_takes_if_match_too(alice_token, firm_a):
    url = f"/api/v1/firms/{firm_a.pk}/owners/"
    tag = etag(alice_token, firm_a)
    assert alice_token.put(url, {"owners": [OWNER]}, format="json", HTTP_IF_MATCH=tag).status_code == 200
    stale = alice_token.put(url, {"owners": [OTHER_OWNER]}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412 and stale.json()["error"]["current_etag"] == etag(alice_token, firm_a)
    assert list(BeneficialOwner.objects.filter(firm=firm_a).values_list("name", flat=True)) == [OWNER["name"]]


# --- Race-free: two integrators holding the same ETag at once -------------------------------------


def _together(*calls):
    """Run each call in its own thread (own database connection), released at once."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call().status_code
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            results[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_changes_with_the_same_etag_at_once_give_one_change_and_one_412(alice, firm_a, codes):
    platforms = list(Platform.objects.order_by("code")[:3])
    for i, platform in enumerate(platforms):  # several rounds: whichever thread wins, the outcome is the same
        tag = etag(_as(alice), firm_a)
        revisions = FirmRevision.objects.filter(firm=firm_a).count()
        owner = {**OTHER_OWNER, "name": f"Holding {i}"}
        platform_url, owners_url = f"/api/v1/firms/{firm_a.pk}/platforms/", f"/api/v1/firms/{firm_a.pk}/owners/"
        pair = {"platform": platform.code, "role": "repairs"}
        results = _together(
            lambda url=platform_url, body=pair, tag=tag: _as(alice).post(url, body, HTTP_IF_MATCH=tag),
            lambda url=owners_url, body=owner, tag=tag: _as(alice).post(url, body, HTTP_IF_MATCH=tag),
        )
        assert sorted(results) == [201, 412], results
        assert FirmRevision.objects.filter(firm=firm_a).count() == revisions + 1


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_owner_calls_answer_the_firms_new_etag_for_a_chain_of_if_match_calls(alice_token, firm_a):
    """PUT, POST and DELETE on the owners, each with the ETag the previous answer gave: all go through."""
    url = f"/api/v1/firms/{firm_a.pk}/owners/"
    replaced = alice_token.put(url, {"owners": [OWNER]}, format="json", HTTP_IF_MATCH=etag(alice_token, firm_a))
    assert replaced.status_code == 200 and replaced["ETag"] == etag(alice_token, firm_a)
    added = alice_token.post(url, OTHER_OWNER, format="json", HTTP_IF_MATCH=replaced["ETag"])
    assert added.status_code == 201 and added["ETag"] == etag(alice_token, firm_a)
    owner = BeneficialOwner.objects.get(firm=firm_a, name=OWNER["name"])
    removed = alice_token.delete(f"{url}{owner.pk}/", HTTP_IF_MATCH=added["ETag"])
    assert removed.status_code == 200 and removed["ETag"] == etag(alice_token, firm_a)
    assert [o["name"] for o in removed.json()["owners"]] == [OTHER_OWNER["name"]]
    unchanged = alice_token.delete(f"{url}{owner.pk}/", HTTP_IF_MATCH=removed["ETag"])  # idempotent: same ETag
    assert unchanged.status_code == 200 and unchanged["ETag"] == removed["ETag"]
    assert "ETag" not in alice_token.get(url)  # the owners' list itself is not the firm


def test_a_replayed_412_carries_the_etag_of_the_first_answer(alice_client, alice_token, firm_a):
    """Idempotency-Key replays the first answer whole: the 412's ETag with its body's current_etag."""
    url = f"/api/v1/firms/{firm_a.pk}/owners/"
    headers = {"HTTP_IF_MATCH": '"stale"', "HTTP_IDEMPOTENCY_KEY": "owner-412-replay"}
    first = alice_token.post(url, OWNER, format="json", **headers)
    assert first.status_code == 412
    replay = alice_token.post(url, OWNER, format="json", **headers)
    assert replay.status_code == 412 and replay["Idempotent-Replayed"] == "true"
    assert replay["ETag"] == first["ETag"] == replay.json()["error"]["current_etag"]


def test_a_replayed_write_carries_the_firms_etag_of_the_first_answer(alice_token, firm_a):
    url = f"/api/v1/firms/{firm_a.pk}/owners/"
    first = alice_token.post(url, OWNER, format="json", HTTP_IDEMPOTENCY_KEY="owner-add-replay")
    replay = alice_token.post(url, OWNER, format="json", HTTP_IDEMPOTENCY_KEY="owner-add-replay")
    assert (first.status_code, replay.status_code) == (201, 201) and replay["Idempotent-Replayed"] == "true"
    assert replay["ETag"] == first["ETag"] == etag(alice_token, firm_a)


@pytest.mark.parametrize(
    ("method", "path", "codes_"),
    [
        ("POST", "/api/v1/firms/{id}/capabilities/", ("200", "201")),
        ("DELETE", "/api/v1/firms/{id}/capabilities/{kind}/{capability}/", ("200",)),
        ("POST", "/api/v1/firms/{id}/platforms/", ("200", "201")),
        ("DELETE", "/api/v1/firms/{id}/platforms/{platform}/{role}/", ("200",)),
        ("POST", "/api/v1/firms/{firm_id}/owners/", ("200", "201")),
        ("PUT", "/api/v1/firms/{firm_id}/owners/", ("200",)),
        ("DELETE", "/api/v1/firms/{firm_id}/owners/{owner_id}/", ("200",)),
    ],
)
def test_the_schema_documents_the_firms_etag_on_the_answers_and_the_412(method, path, codes_):
    responses = operations()[(method, path)]["responses"]
    for code in codes_:
        assert "firm's ETag" in responses[code]["headers"]["ETag"]["description"]
    assert "current_etag" in responses["412"]["headers"]["ETag"]["description"]
    assert "204" not in responses  # the owner's removal answers the owners' list
