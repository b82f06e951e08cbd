"""/api/v1/capabilities/: the taxonomy in the request's language; reviewers and admins extend it."""

import pytest

from registry.models import Capability
from tests.conftest import PERSONAS

NEW = {"code": "uav.tethered", "domain": "uav", "name_en": "Tethered drones", "name_uk": "Прив'язні дрони"}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_list_capabilities_by_persona(db, persona, request):
    name = request.node.callspec.params["persona"]
    response = persona.get("/api/v1/capabilities/")
    assert response.status_code == (401 if name == "anon" else 200)
    if name != "anon":
        body = response.json()
        assert len(body) == Capability.objects.count() >= 58
        assert body[0]["code"] == "air_defence.systems"


def test_names_follow_accept_language(bob_client):
    fpv = {c["code"]: c for c in bob_client.get("/api/v1/capabilities/", HTTP_ACCEPT_LANGUAGE="uk").json()}["uav.fpv"]
    assert fpv == {
        "code": "uav.fpv",
        "domain": "uav",
        "name": "Ударні FPV-дрони",
        "name_en": "FPV strike drones",
        "name_uk": "Ударні FPV-дрони",
        "ml_category": "ML10",
    }
    fpv = {c["code"]: c for c in bob_client.get("/api/v1/capabilities/", HTTP_ACCEPT_LANGUAGE="en").json()}["uav.fpv"]
    assert fpv["name"] == "FPV strike drones"


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_add_a_capability_by_persona(db, persona, request):
    name = request.node.callspec.params["persona"]
    response = persona.post("/api/v1/capabilities/", NEW, format="json")
    expected = 401 if name == "anon" else 201 if name in ("rita_client", "adam_client") else 403
    assert response.status_code == expected
    assert Capability.objects.filter(code="uav.tethered").exists() is (expected == 201)


def test_a_new_capability_must_be_well_formed_and_unique(rita_client):
    response = rita_client.post("/api/v1/capabilities/", {**NEW, "code": "naval.tethered"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"code": ["must be '<domain>.<name>' with the domain 'uav' as prefix"]}
    response = rita_client.post("/api/v1/capabilities/", {**NEW, "code": "uav.fpv"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["code"]
    response = rita_client.post("/api/v1/capabilities/", {**NEW, "colour": "red"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["colour"]
