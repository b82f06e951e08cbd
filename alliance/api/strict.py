"""Reject request bodies that carry fields the serializer does not accept.

DRF silently drops unknown keys, so a client that misspells `contact_email` as
`contactEmail` gets a 200 and a profile without the change. Mixing
`StrictFieldsMixin` into a serializer turns that into a 400 that names each
offending key, nested serializers included (errors appear as `contact.foo`).
"""

from collections.abc import Mapping

from django.utils.translation import gettext
from rest_framework import serializers


class StrictFieldsMixin:
    """Serializer mixin: unknown keys and read-only keys in the input are validation errors.

    Put it first in the bases: `class FooSerializer(StrictFieldsMixin, serializers.Serializer)`.
    Set `strict_allow_read_only = True` on a serializer whose clients may echo back
    read-only fields (they are then ignored, as DRF does by default).
    """

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

    def to_internal_value(self, data):
        strict_errors = self._strict_field_errors(data)
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
