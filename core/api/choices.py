"""A refused choice names the allowed values: `"bogus" is not a valid choice. Must be one of: a, b.`

DRF's `invalid_choice` only echoes the input, so a client had to read the schema to learn what it
may send. One place for every ChoiceField and MultipleChoiceField of the API (their subclasses
included): `list_allowed_choices` (called once from `CoreConfig.ready`) makes their refusal add the
values. Query filters do the same through `core.api.filters.BoundedFilterSet`.
"""

from django.utils.translation import gettext
from rest_framework import serializers


def allowed_values(choices) -> str:
    """The values (not the labels) of a field's choices, comma-separated, the blank one left out."""
    return ", ".join(str(value) for value in choices if value not in ("", None))


# Beyond this many values (a country list has about 250) the message would drown the error: it points
# to the schema, which lists them all as the field's enum.
MAX_LISTED = 30


def must_be_one_of(choices) -> str:
    values = [value for value in choices if value not in ("", None)]
    if len(values) > MAX_LISTED:
        return gettext("The API schema (/api/schema/) lists the %(count)s allowed values.") % {"count": len(values)}
    return gettext("Must be one of: %(choices)s.") % {"choices": allowed_values(values)}


def _fail(self, key, **kwargs):
    try:
        serializers.Field.fail(self, key, **kwargs)
    except serializers.ValidationError as exc:
        if key != "invalid_choice":
            raise
        message = f"{exc.detail[0]} {must_be_one_of(self.choices)}"
        raise serializers.ValidationError(message, code=key) from None


def list_allowed_choices() -> None:
    serializers.ChoiceField.fail = _fail  # MultipleChoiceField inherits it
