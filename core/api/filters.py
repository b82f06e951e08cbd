"""The base of every API filterset: bounded numbers, one-line text."""

import django_filters

from core.api.choices import must_be_one_of
from core.text import validate_single_line_text, with_text_rules

DB_INTEGER_MIN, DB_INTEGER_MAX = -(2**63), 2**63 - 1


class BoundedFilterSet(django_filters.FilterSet):
    """Base of every API filterset: a number filter without bounds of its own gets the database's
    integer range, every text filter the one-line text rule (no control characters, NUL
    included, named once), and a refused choice lists the allowed values. A bad value is a 400
    naming the parameter and the rule."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():  # this instance's copies
            if isinstance(filter_, django_filters.NumberFilter):
                filter_.extra.setdefault("min_value", DB_INTEGER_MIN)
                filter_.extra.setdefault("max_value", DB_INTEGER_MAX)
                filter_.__dict__.pop("_field", None)  # a form field built before would miss the bounds
            elif isinstance(filter_, django_filters.CharFilter):
                filter_.__dict__.pop("_field", None)
                # Built now: Django's CharField adds its own NUL check after the given validators.
                filter_.field.validators = with_text_rules(filter_.field.validators, validate_single_line_text)
            elif isinstance(filter_, (django_filters.ChoiceFilter, django_filters.MultipleChoiceFilter)):
                filter_.__dict__.pop("_field", None)
                field = filter_.field
                refused = f"{field.error_messages['invalid_choice']} {must_be_one_of(v for v, _ in field.choices)}"
                field.error_messages = {**field.error_messages, "invalid_choice": refused}
