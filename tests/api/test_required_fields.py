"""Fields the schema marks required in answers are there in real answers (and typed as documented):
real responses, validated with jsonschema against /api/schema/'s response components."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from review.services import workflow as review

pytestmark = pytest.mark.django_db


def _nullable_to_json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's `null` alternative."""
    if isinstance(node, dict):
        node = {key: _nullable_to_json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False):
            return {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_nullable_to_json_schema(value) for value in node]
    return node


@pytest.fixture(scope="module")
def components():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return _nullable_to_json_schema(schema["components"])


def check(components, name, body):
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": components})
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    assert not problems, problems


def test_the_paged_envelope_and_required_fields_hold(components, alice_client, firm_a, firm_b):
    check(components, "PaginatedFirmList", alice_client.get("/api/v1/firms/").json())


@pytest.mark.parametrize("persona", ["alice_client", "bob_client", "rita_client", "alice_token"], indirect=True)
def test_a_firm_answers_every_required_field_for_every_persona(components, persona, firm_a):
    check(components, "Firm", persona.get(f"/api/v1/firms/{firm_a.pk}/").json())


def test_a_firm_with_capabilities_platforms_and_contact_matches(components, alice_client, firm_a):
    from registry.models import Capability, Platform

    code = Capability.objects.order_by("code").values_list("code", flat=True).first()
    alice_client.post(f"/api/v1/firms/{firm_a.pk}/capabilities/", {"kind": "offer", "capability": code})
    platform = Platform.objects.order_by("code").first()
    body = alice_client.post(f"/api/v1/firms/{firm_a.pk}/platforms/", {"platform": platform.code, "role": "oem"})
    check(components, "Firm", body.json())


def test_proposals_with_contacts_match(components, proposal_ab, rita, alice_client, bob_client, firm_a, firm_b):
    review.proposal_approve(proposal=proposal_ab, reviewer=rita)
    alice_client.post(f"/api/v1/proposals/{proposal_ab.pk}/accept/", {})
    bob_client.post(f"/api/v1/proposals/{proposal_ab.pk}/accept/", {})
    body = alice_client.get(f"/api/v1/proposals/{proposal_ab.pk}/").json()
    assert body["status"] == "connected" and body["partner"]["contact"] is not None
    check(components, "Proposal", body)
    check(components, "PaginatedProposalList", alice_client.get("/api/v1/proposals/").json())
