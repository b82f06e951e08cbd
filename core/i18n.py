"""Which of the service's two languages is meant: the one rule every API, page and task uses."""

from collections.abc import Callable
from functools import cache

import icu
from django.utils.translation import get_language

LANGUAGES = ("uk", "en")


def language_code(language: str | None = None) -> str:
    """ "uk" or "en" for a language tag (`uk-UA` -> uk, anything else -> en); the active language
    of the request or task when none is given."""
    return "uk" if (language or get_language() or "en").lower().startswith("uk") else "en"


@cache
def _collator(language: str):
    return icu.Collator.createInstance(icu.Locale(language))


def collation_key(language: str | None = None) -> Callable[[str], bytes]:
    """A sort key that orders names as a reader of the language expects (ICU collation: in Ukrainian
    ґ after г, є after е, і and ї after и; a hyphen does not push a name to the end)."""
    return _collator(language_code(language)).getSortKey


def request_states_language(request) -> bool:
    """Whether the request says which language its reader wants (the language cookie or an
    Accept-Language header), rather than falling back to LANGUAGE_CODE: only then is the active
    language worth keeping as the person's own."""
    from django.conf import settings

    return bool(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or request.META.get("HTTP_ACCEPT_LANGUAGE"))
