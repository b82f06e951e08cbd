"""A refused choice lists the allowed values, unless there are so many that the list would drown the error."""

import pytest
from django.utils import translation

from core.api.choices import MAX_LISTED, must_be_one_of


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("en", "Must be one of: a, b.", "The API schema (/api/schema/) lists the 250 allowed values."),
        ("uk", "Має бути одним із: a, b.", "Дозволені значення (250) наведено у схемі API (/api/schema/)."),
    ],
)
def test_a_short_choice_list_is_given_and_a_long_one_points_to_the_schema(language, short, long):
    with translation.override(language):
        assert must_be_one_of(["", "a", "b"]) == short
        assert must_be_one_of(f"c{n}" for n in range(250)) == long
        assert must_be_one_of(f"c{n}" for n in range(MAX_LISTED)).count(",") == MAX_LISTED - 1
