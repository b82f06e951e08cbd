"""Identifier and country rules of the firm registry (spec: firm-exchange.md).

Each rule exists twice, by design: `*_problem(value) -> str | None` returns the message of
the first broken rule (used by the exchange validator, which collects every problem of a
10,000-firm file without exceptions), and `validate_*(value)` raises Django's
ValidationError with that message (for model fields, forms and serializers).
Messages are translated into the active language when a rule is checked (pages and the API follow
the request's language); the import command's lines stay English (see `exchange.file_problems`).
Check digits come from python-stdnum, never hand-written arithmetic.
"""

import re
from collections.abc import Callable

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from stdnum.iso7064 import mod_97_10
from stdnum.ua import edrpou as stdnum_edrpou

EDRPOU_RE = re.compile(r"[0-9]{8}")
LEI_RE = re.compile(r"[A-Z0-9]{18}[0-9]{2}")
NCAGE_RE = re.compile(r"[A-Z0-9]{5}")
E164_RE = re.compile(r"\+[1-9][0-9]{6,14}")

# ISO 639-1 two-letter language codes (the standard is closed; kept here to avoid a dependency).
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
    ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is
    it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt
    my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm
    sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh
    zu""".split()
)


def edrpou_problem(value: str) -> str | None:
    """Why `value` is not a valid EDRPOU code, or None."""
    if not isinstance(value, str) or not EDRPOU_RE.fullmatch(value):
        return _("This EDRPOU is not valid: it is exactly 8 digits, as on your extract from the state register")
    # Not "expected N": a code made valid by changing its last digit is usually another firm's.
    if value[-1] != stdnum_edrpou.calc_check_digit(value):
        return _("This EDRPOU is not valid: check the 8 digits on your extract from the state register")
    return None


def lei_problem(value: str) -> str | None:
    """Why `value` is not a valid ISO 17442 LEI, or None."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z0-9]{20}", value):
        return _("must be 20 characters A-Z 0-9")
    if not LEI_RE.fullmatch(value):
        return _("the last two characters (check digits) must be digits")
    expected = mod_97_10.calc_check_digits(value[:18])
    if not mod_97_10.is_valid(value):
        return _("check digits are %(found)s, expected %(expected)s (ISO 7064 MOD 97-10)") % {
            "found": value[18:],
            "expected": expected,
        }
    return None


def edrpou_with_check_digit(number: int) -> str:
    """The valid EDRPOU code whose first seven digits are `number` (0 .. 9,999,999): generated data."""
    body = f"{number:07d}"
    return body + stdnum_edrpou.calc_check_digit(body)


# A firm's year of foundation: from FOUNDED_MIN to the current year (API, pages, imports, admin).
FOUNDED_MIN = 1800


def founded_max() -> int:
    return timezone.localdate().year


def founded_problem(value: object) -> str | None:
    """Why `value` is not a year a firm can have been founded in, or None."""
    if isinstance(value, bool) or not isinstance(value, int) or not FOUNDED_MIN <= value <= founded_max():
        return _("must be a year from %(min)s to %(max)s (got %(value)s)") % {
            "min": FOUNDED_MIN,
            "max": founded_max(),
            "value": value if isinstance(value, int) else repr(value),
        }
    return None


def ncage_problem(value: str) -> str | None:
    if not isinstance(value, str) or not NCAGE_RE.fullmatch(value):
        return _("must be 5 characters A-Z 0-9")
    return None


def country_problem(value: str) -> str | None:
    """Why a firm may not be registered in `value`, or None. Forbidden countries win over configuration."""
    if not isinstance(value, str) or value not in countries:
        return _("%(value)s is not an ISO 3166-1 alpha-2 country code") % {"value": repr(value)}
    if value in settings.FORBIDDEN_COUNTRIES:
        return _("%(country)s is refused: firms from this country cannot register") % {"country": value}
    if value != "UA" and value not in settings.ELIGIBLE_PARTNER_COUNTRIES:
        return _("%(country)s is not on the list of eligible partner countries") % {"country": value}
    return None


def phone_problem(value: str) -> str | None:
    """Why `value` is not an E.164 number; `registry.phones.phone_e164` first reads local formats."""
    unreadable = _(
        "is not a phone number we can read: write it with its area code, e.g. 044 123 4567 or +380 44 123 4567"
    )
    if not isinstance(value, str) or not E164_RE.fullmatch(value):
        return unreadable
    try:
        number = phonenumbers.parse(value)
    except phonenumbers.NumberParseException:
        return unreadable
    if not phonenumbers.is_valid_number(number):
        return _("is not a valid phone number for its country code: check the digits")
    return None


def language_problem(value: str) -> str | None:
    if not isinstance(value, str) or value not in ISO_639_1:
        return _("%(value)s is not an ISO 639-1 language code") % {"value": repr(value)}
    return None


def _raising(problem: Callable[[str], str | None], code: str) -> Callable[[str], None]:
    def validator(value: str) -> None:
        message = problem(value)
        if message:
            raise ValidationError(message, code=code)

    validator.__name__ = validator.__qualname__ = f"validate_{code}"  # importable by name (migrations)
    validator.__doc__ = f"Raise ValidationError(code={code!r}) naming the broken rule."
    return validator


validate_edrpou = _raising(edrpou_problem, "edrpou")
validate_lei = _raising(lei_problem, "lei")
validate_ncage = _raising(ncage_problem, "ncage")
validate_country = _raising(country_problem, "country")
validate_phone = _raising(phone_problem, "phone")
validate_language = _raising(language_problem, "language")
validate_founded = _raising(founded_problem, "founded")
