"""Every enum component of /api/schema/ holds exactly the values of the fields that point at it.

drf-spectacular names a choice set after its field and component, and reads a component ending in
`Request` as the request body of the one before it: `MeetingRequest.status` was named like
`Meeting.status` and pointed at the meeting's two states instead of its own four. Compared here: the
schema as served, and the same schema without the enum hook, where each field keeps its own values.
"""

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings

from events.models import MeetingRequest
from tests.security.schema import api_schema


def _without_enum_components() -> dict:
    hooks = [h for h in settings.SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] if not h.endswith("schema_enums")]
    with patched_settings({"POSTPROCESSING_HOOKS": hooks}):
        return SchemaGenerator().get_schema(request=None, public=True)


def _enum_of(node: dict, schemas: dict) -> list | None:
    """The values a property allows: inline, or through its `$ref`/`allOf`/`oneOf` enum components."""
    if node.get("type") == "array":
        node = node.get("items", {})
    if "enum" in node:
        return [v for v in node["enum"] if v not in ("", None)]
    if "$ref" in node:
        return _enum_of(schemas[node["$ref"].rsplit("/", 1)[1]], schemas)
    for key in ("allOf", "oneOf", "anyOf"):
        for part in node.get(key, []):
            values = _enum_of(part, schemas)
            if values:
                return values
    return None


def _enum_properties(schemas: dict):
    for component, schema in schemas.items():
        for name, prop in schema.get("properties", {}).items():
            yield component, name, prop


def test_every_enum_property_points_at_its_own_values():
    raw = _without_enum_components()["components"]["schemas"]
    served = api_schema()["components"]["schemas"]
    compared = 0
    for component, name, prop in _enum_properties(raw):
        own = _enum_of(prop, raw)
        if own is None:
            continue
        assert _enum_of(served[component]["properties"][name], served) == own, (component, name)
        compared += 1
    assert compared > 20  # the walk found the enums (a broken walk must not pass by finding none)


def test_no_enum_component_holds_two_different_choice_sets():
    raw = _without_enum_components()["components"]["schemas"]
    served = api_schema()["components"]["schemas"]
    sets_by_component: dict[str, set] = {}
    for component, name, prop in _enum_properties(served):
        target = prop.get("items", prop) if prop.get("type") == "array" else prop
        refs = [target.get("$ref")] + [p.get("$ref") for k in ("allOf", "oneOf") for p in target.get(k, [])]
        for ref in filter(None, refs):
            enum = ref.rsplit("/", 1)[1]
            own = _enum_of(raw[component]["properties"][name], raw)
            if own:
                sets_by_component.setdefault(enum, set()).add(tuple(own))
    shared = {enum: sets for enum, sets in sets_by_component.items() if len(sets) > 1}
    assert not shared, shared


@pytest.mark.django_db
def test_a_meeting_request_documents_its_own_four_states():
    served = api_schema()["components"]["schemas"]
    assert _enum_of(served["MeetingRequest"]["properties"]["status"], served) == MeetingRequest.Status.values
    assert _enum_of(served["Meeting"]["properties"]["status"], served) == ["scheduled", "cancelled"]
