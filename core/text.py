"""The one rule for free text that people and clients type: every API body, import and form uses it.

Messages are translated into the active language when a rule is checked.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

from core.errors import ApplicationError

# --- Free text -------------------------------------------------------------------------------
# One rule for every text a person or a client types (the API's request bodies, the exchange
# import, the pages' forms). One-line text (names, emails, refs) becomes mail headers and CSV
# cells: a CR/LF there breaks every notification about the firm after the change is saved.
# Multi-line text (descriptions, notes) keeps line breaks and tabs. Neither may hold NUL or lone
# surrogates (PostgreSQL refuses them), other control characters, or the Unicode bidirectional
# overrides and isolates that make a name read differently from what it is (LRM/RLM and ALM
# included: this service is written in Ukrainian and English, which never need them).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_MULTILINE_FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")
_SINGLE_LINE_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{_BIDI}]")
_INVISIBLE = re.compile(r"[\s\u00ad\u180e\u200b-\u200d\u2060\ufeff]+")


def normalize_newlines(value: str) -> str:
    """CR LF and lone CR (what browsers send from a textarea) as LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def storable_text_problem(value: str) -> str | None:
    """Why no database can store `value` (a NUL, a lone surrogate), or None. Checked on every
    string of an API request (`core.api.parsers`); `text_problem` includes it."""
    found = _NOT_TEXT.search(value)
    if found is None:
        return None
    where = {"code": f"U+{ord(found.group()):04X}", "position": found.start() + 1}
    if found.group() == "\x00":
        return _("must not contain NUL characters (U+0000, at character %(position)s)") % where
    return _("contains a lone UTF-16 surrogate (%(code)s at character %(position)s), which is not text") % where


def text_problem(value: str, *, multiline: bool = False, required: bool = False) -> str | None:
    """Why `value` is not acceptable free text, or None; `multiline` allows LF and TAB (normalize
    CR first: `normalize_newlines`); `required` refuses text of only spaces and invisible characters."""
    if message := storable_text_problem(value):
        return message
    found = (_MULTILINE_FORBIDDEN if multiline else _SINGLE_LINE_FORBIDDEN).search(value)
    if found:
        char, where = found.group(), {"code": f"U+{ord(found.group()):04X}", "position": found.start() + 1}
        if char in "\n\r\u2028\u2029":
            return _("must be a single line: remove the line break (%(code)s at character %(position)s)") % where
        if char < "\u00a0":
            return _("must not contain control characters (%(code)s at character %(position)s)") % where
        return (
            _("must not contain characters that change the text direction (%(code)s at character %(position)s)") % where
        )
    if required and value and not _INVISIBLE.sub("", value):
        return _("must contain visible characters, not only spaces or invisible ones")
    return None


def validate_single_line_text(value: str) -> None:
    """ValidationError(code="text") naming the broken rule of one-line text."""
    if isinstance(value, str) and (message := text_problem(value)):
        raise ValidationError(message, code="text")


def validate_multiline_text(value: str) -> None:
    """ValidationError(code="text") naming the broken rule of multi-line text (LF and TAB allowed)."""
    if isinstance(value, str) and (message := text_problem(normalize_newlines(value), multiline=True)):
        raise ValidationError(message, code="text")


def with_text_rules(validators: list, *rules) -> list:
    """A form field's `validators` with `rules` added and without Django's own NUL check: the text
    rules name NUL with its position, so a NUL is one error beside the field, not two."""
    kept = [v for v in validators if not isinstance(v, ProhibitNullCharactersValidator)]
    return [*kept, *(rule for rule in rules if rule not in kept)]


def validate_visible_text(value: str) -> None:
    """ValidationError(code="blank") for text of only spaces and invisible characters."""
    if isinstance(value, str) and value and not _INVISIBLE.sub("", value):
        raise ValidationError(_("must contain visible characters, not only spaces or invisible ones"), code="blank")


NOTE_MAX_LENGTH = 4000


def clean_note(value: str | None, *, field: str = "note", required: bool, max_length: int = NOTE_MAX_LENGTH) -> str:
    """A reviewer's or a firm's note or reason, stripped; an ApplicationError naming `field` when it
    is required and empty, too long, or not acceptable multi-line text."""
    note = normalize_newlines((value or "").strip())
    if required and not note:
        raise ApplicationError(
            _("%(field)s: required, explain the decision.") % {"field": field},
            code="required",
            fields={field: [_("This field is required.")]},
        )
    if len(note) > max_length:
        raise ApplicationError(
            _("%(field)s: at most %(limit)s characters.") % {"field": field, "limit": max_length},
            code="too_long",
            fields={field: [_("Ensure this field has no more than %(limit)s characters.") % {"limit": max_length}]},
        )
    if problem := text_problem(note, multiline=True):
        raise ApplicationError(f"{field}: {problem}", code="invalid", fields={field: [problem]})
    return note
