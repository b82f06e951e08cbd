"""The OpenAPI schema describes the API to integrators: no internal docstring leaks into it."""

import re

from drf_spectacular.generators import SchemaGenerator

from core.api.strict import StrictFieldsMixin


def _descriptions(node, where="#"):
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            yield where, node["description"]
        for key, value in node.items():
            yield from _descriptions(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _descriptions(value, f"{where}/{i}")


def test_no_description_in_the_schema_is_the_strict_fields_mixins_note_to_developers(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    leaks = [
        (where, text[:80])
        for where, text in _descriptions(schema)
        if re.search(r"mixin|StrictFieldsMixin", text, re.IGNORECASE)
    ]
    assert not leaks, leaks
    # The request bodies that used to carry it (strict serializers) are still in the schema.
    components = schema["components"]["schemas"]
    assert {"SignupRequest", "TokenCreateRequest"} <= set(components)
    assert "mixin" not in components["SignupRequest"].get("description", "").lower()


def test_the_mixin_keeps_no_docstring_a_serializer_could_inherit():
    assert StrictFieldsMixin.__doc__ is None
