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

import json

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
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


# What Python's JSON decoder says went wrong, in the reader's words (json/decoder.py, json/scanner.py).
_JSON_REASONS = {
    "Expecting value": _("a value was expected"),
    "Expecting property name enclosed in double quotes": _("a property name in double quotes was expected"),
    "Expecting ',' delimiter": _("a comma was expected"),
    "Expecting ':' delimiter": _("a colon was expected"),
    "Extra data": _("there is more text after the end of the JSON value"),
    "Unterminated string starting at": _("a string is not closed"),
    "Invalid control character at": _("a string contains a control character"),
    "Invalid \\escape": _("a string contains an invalid escape sequence"),
    "Invalid \\uXXXX escape": _("a string contains an invalid \\uXXXX escape"),
}


def _not_json(error: BaseException | None) -> ParseError:
    """DRF's "JSON parse error - Expecting value: line 1 column 9 (char 8)", translated, keeping
    where the decoder stopped."""
    if isinstance(error, json.JSONDecodeError):
        reason = _JSON_REASONS.get(error.msg, _("the syntax is wrong"))
        return ParseError(
            gettext(
                "The request body is not valid JSON: %(reason)s at line %(line)s, column %(column)s (character %(position)s)."
            )
            % {"reason": reason, "line": error.lineno, "column": error.colno, "position": error.pos}
        )
    if isinstance(error, UnicodeDecodeError):
        return ParseError(
            gettext("The request body is not valid JSON: it is not UTF-8 text (byte %(position)s).")
            % {"position": error.start}
        )
    # json.strict_constant: NaN, Infinity and -Infinity are not JSON.
    return ParseError(gettext("The request body is not valid JSON: NaN and Infinity are not allowed as numbers."))


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
        except ParseError as exc:
            # DRF's message is English, whatever the request's language: say it again in it.
            raise _not_json(exc.__context__) from exc.__context__
        check_json_tree(data)
        return data
