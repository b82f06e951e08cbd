"""The base of every API filterset: bounded numbers, one-line text."""

import django_filters

from core.text import validate_single_line_text

DB_INTEGER_MIN, DB_INTEGER_MAX = -(2**63), 2**63 - 1


class BoundedFilterSet(django_filters.FilterSet):
    """Base of every API filterset: a number filter without bounds of its own gets the database's
    integer range, and every text filter the one-line text rule (no control characters; NUL is
    already Django's). A bad value is a 400 naming the parameter and the rule."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():  # this instance's copies
            if isinstance(filter_, django_filters.NumberFilter):
                filter_.extra.setdefault("min_value", DB_INTEGER_MIN)
                filter_.extra.setdefault("max_value", DB_INTEGER_MAX)
            elif isinstance(filter_, django_filters.CharFilter):
                filter_.extra["validators"] = [*filter_.extra.get("validators", ()), validate_single_line_text]
            else:
                continue
            filter_.__dict__.pop("_field", None)  # a form field built before would miss the bounds
