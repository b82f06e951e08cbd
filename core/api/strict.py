"""Reject request bodies that carry fields the serializer does not accept.

DRF silently drops unknown keys, so a client that misspells `contact_email` as
`contactEmail` gets a 200 and a profile without the change. Mixing
`StrictFieldsMixin` into a serializer turns that into a 400 that names each
offending key, nested serializers included (errors appear as `contact.foo`).
It also applies the rules of free text to every text field (`text_rule`).
"""

from collections.abc import Mapping

from django.utils.translation import gettext
from rest_framework import serializers

from core.text import normalize_newlines, text_problem

# Text that is one line whatever its length; other CharFields are one line up to this many characters.
SINGLE_LINE_FIELD_TYPES = (serializers.EmailField, serializers.URLField, serializers.RegexField, serializers.SlugField)
SINGLE_LINE_MAX_LENGTH = 500


def text_rule(field) -> tuple[bool, bool] | None:
    """(multiline, must be visible) for a writable text field, None for other fields and passwords.

    Multi-line: `style={"base_template": "textarea.html"}` (DRF's own mark of a text area), or
    a long CharField (notes, reasons, descriptions: no max_length or more than 500 characters).
    """
    if not isinstance(field, serializers.CharField) or field.read_only:
        return None
    if field.style.get("input_type") == "password":
        return None  # any character a person can type; the parser still refuses NUL and surrogates
    if field.style.get("base_template") == "textarea.html":
        multiline = True
    elif isinstance(field, SINGLE_LINE_FIELD_TYPES):
        multiline = False
    else:
        multiline = field.max_length is None or field.max_length > SINGLE_LINE_MAX_LENGTH
    return multiline, not field.allow_blank


# Serializer mixin: unknown keys and read-only keys in the input are validation errors.
#
# Put it first in the bases: `class FooSerializer(StrictFieldsMixin, serializers.Serializer)`.
# Set `strict_allow_read_only = True` on a serializer whose clients may echo back
# read-only fields (they are then ignored, as DRF does by default).
# A comment, not a docstring: drf-spectacular reads an undocumented serializer's description from
# its bases (inspect.getdoc), and this text would become the description of every request body.
class StrictFieldsMixin:
    strict_allow_read_only: bool = False

    def _strict_field_errors(self, data) -> dict[str, list[str]]:
        if not isinstance(data, Mapping):
            return {}  # DRF itself reports "Invalid data. Expected a dictionary".
        fields = self.fields  # type: ignore[attr-defined]
        writable = sorted(name for name, field in fields.items() if not field.read_only)
        errors: dict[str, list[str]] = {}
        for key in data:
            field = fields.get(key)
            if field is None:
                allowed = ", ".join(writable) or "none"
                errors[str(key)] = [gettext("Unknown field. Allowed fields: %(fields)s.") % {"fields": allowed}]
            elif field.read_only and not self.strict_allow_read_only:
                errors[str(key)] = [gettext("This field is read-only and cannot be set.")]
        return errors

    def _text_errors(self, data) -> tuple[object, dict[str, list[str]]]:
        """Every text value against `registry.validators.text_problem` (one line or several, no
        control or text-direction characters, not only invisible ones); multi-line text with its
        CR LF as LF. Returns the data to validate and the errors."""
        if not isinstance(data, Mapping):
            return data, {}
        fields = self.fields  # type: ignore[attr-defined]
        errors: dict[str, list[str]] = {}
        normalized: dict = {}
        for key, value in data.items():
            rule = text_rule(fields.get(key)) if isinstance(value, str) else None
            if rule is None:
                continue
            multiline, visible = rule
            if multiline and "\r" in value:
                value = normalized[key] = normalize_newlines(value)
            if message := text_problem(value, multiline=multiline, required=visible):
                errors[str(key)] = [message]
        if normalized and isinstance(data, dict):
            data = {**data, **normalized}
        return data, errors

    def to_internal_value(self, data):
        data, text_errors = self._text_errors(data)
        strict_errors = {**text_errors, **self._strict_field_errors(data)}
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            # Report unknown keys together with the ordinary field errors in one response.
            if strict_errors and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **strict_errors})
            raise
        if strict_errors:
            raise serializers.ValidationError(strict_errors)
        return value
