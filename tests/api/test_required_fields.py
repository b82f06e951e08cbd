"""Fields the schema marks required in answers are there in real answers (and typed as documented):
real responses, validated with jsonschema against /api/schema/'s response components."""

import functools

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


@functools.cache
def components_of_the_schema() -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return _nullable_to_json_schema(schema["components"])


def _closed(node):
    """Every object schema with `properties` refuses keys it does not list: an answer then carries
    nothing the schema leaves out."""
    if isinstance(node, dict):
        node = {key: _closed(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_closed(value) for value in node]
    return node


@pytest.fixture(scope="module")
def components():
    return components_of_the_schema()


def check(components, name, body, *, closed=False):
    """`body` is valid for the component `name`; `closed`: and has no key the component does not list."""
    if closed:
        components = _closed(components)
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


def test_the_stats_answer_carries_only_documented_figures(components, proposal_ab, rita, rita_client):
    review.proposal_approve(proposal=proposal_ab, reviewer=rita)
    body = rita_client.get("/api/v1/stats/").json()
    assert {"total", "median_hours_to_decision", "acceptance_rate", "open_by_domain"} <= set(body)
    check(components, "ReviewStats", body, closed=True)


@pytest.mark.parametrize("persona", ["rita_client", "alice_client"], indirect=True)
def test_a_proposal_carries_only_documented_keys_for_reviewers_and_firms(components, persona, proposal_ab, rita):
    review.proposal_approve(proposal=proposal_ab, reviewer=rita, note="Strong optics fit")
    body = persona.get(f"/api/v1/proposals/{proposal_ab.pk}/").json()
    reviewer = persona.handler._force_user.can_review
    assert ("review_note" in body) is reviewer and ("declined_by_firm" in body) is reviewer
    check(components, "Proposal", body, closed=True)
    check(components, "PaginatedProposalList", persona.get("/api/v1/proposals/").json(), closed=True)


def test_the_reviewer_only_proposal_keys_are_documented_as_optional_and_nullable(components):
    proposal = components["schemas"]["Proposal"]
    for name in ("review_note", "decline_reason", "declined_by_firm"):
        assert name in proposal["properties"] and name not in proposal["required"]
        documented, null = proposal["properties"][name]["anyOf"]  # OpenAPI's `nullable` as JSON Schema
        assert "Reviewers and administrators only" in documented["description"] and null == {"type": "null"}
