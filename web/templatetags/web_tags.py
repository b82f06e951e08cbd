"""Template helpers: texts stored per language, domain and country names, percentages."""

from django import template

from core.i18n import language_code
from web.domains import domain_label as _domain_label

register = template.Library()


@register.filter
def in_language(value: dict | None) -> list:
    """{"en": [...], "uk": [...]} -> the list in the page's language (English when missing)."""
    if not value:
        return []
    lang = language_code()
    return value.get(lang) or value.get("en") or []


@register.filter
def domain_label(code: str) -> str:
    return _domain_label(code)


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{round(float(value) * 100)}%"


@register.filter
def score(value: float | None) -> str:
    return "–" if value is None else f"{float(value):.2f}"


@register.filter
def status_label(value: str) -> str:
    """A proposal status code in the page's language."""
    from matching.models import Proposal

    try:
        return str(Proposal.Status(value).label)
    except ValueError:
        return value
