"""Which of the service's two languages is meant: the one rule every API, page and task uses."""

from django.utils.translation import get_language

LANGUAGES = ("uk", "en")


def language_code(language: str | None = None) -> str:
    """ "uk" or "en" for a language tag (`uk-UA` -> uk, anything else -> en); the active language
    of the request or task when none is given."""
    return "uk" if (language or get_language() or "en").lower().startswith("uk") else "en"
