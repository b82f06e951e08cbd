"""The API's JSON parser: DRF's, refusing what no field of any endpoint can take.

Checked once for every request body, whatever view or serializer reads it, so a new field is
covered without a line of its own:

- nesting deeper than `MAX_DEPTH` levels (a body nested thousands deep made the decoder, then
  the serializers, recurse until Python gave up: a 500 before any log-in);
- NUL characters and lone UTF-16 surrogates in any string or key (`"\\u0000"`, `"\\ud800"` are
  valid JSON, but PostgreSQL refuses them, and a surrogate cannot even be encoded as UTF-8).

Both answer 400 in the one error shape; a bad string names its path (`contact.name`,
`offers[0].detail`). The finer rules of free text (one line or several, control and
text-direction characters) are the serializers' and the exchange format's: they know the field.
"""

from django.utils.translation import gettext
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.text import storable_text_problem

MAX_DEPTH = 32


def _path(parent: str, key) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def _too_deep() -> ParseError:
    return ParseError(
        gettext("JSON parse error: nested deeper than %(max)s levels of objects and lists.") % {"max": MAX_DEPTH}
    )


def check_json_tree(data) -> None:
    """Raise ParseError past MAX_DEPTH levels, ValidationError naming the path of a string (or key)
    holding NUL or a lone surrogate. Iterative: the depth it guards must not recurse here either."""
    errors: dict[str, list[str]] = {}
    stack = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        else:
            if isinstance(value, str) and (message := storable_text_problem(value)):
                errors.setdefault(path or "non_field_errors", []).append(message)
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        for key, item in items:
            if isinstance(key, str) and (message := storable_text_problem(key)):
                errors.setdefault(_path(path, repr(key)[1:-1]), []).append(message)
                continue
            stack.append((item, _path(path, key), depth + 1))
    if errors:
        raise serializers.ValidationError(dict(sorted(errors.items())))


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The C decoder guards its own recursion; turn its give-up into the answer below.
            raise _too_deep() from None
        check_json_tree(data)
        return data
