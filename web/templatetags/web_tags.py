"""Template helpers: texts stored per language, domain and country names, percentages, durations.

Numbers go through Django's number formatting, so a Ukrainian page writes `0,09` and an English one `0.09`.
"""

from datetime import date

from django import template
from django.utils.formats import number_format
from django.utils.translation import ngettext

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
def country_name(code: str) -> str:
    """An ISO country code (as the directory's entries carry it) -> its name in the page's language."""
    from django_countries import countries

    return str(countries.name(code)) or code


@register.filter
def clearance_label(code: str) -> str:
    """A security clearance code -> its label in the page's language."""
    from registry.models import Clearance

    try:
        return str(Clearance(code).label)
    except ValueError:
        return code


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{number_format(round(float(value) * 100))}%"


@register.filter
def score(value: float | None) -> str:
    return "–" if value is None else number_format(float(value), 2)


@register.filter
def status_label(value: str) -> str:
    """A proposal status code in the page's language."""
    from matching.models import Proposal

    try:
        return str(Proposal.Status(value).label)
    except ValueError:
        return value


@register.filter
def duration(hours: float | None) -> str:
    """A duration given in hours, in the unit that fits: minutes below an hour, hours below two days,
    then days (whole units, so the plural forms of both languages stay right)."""
    if hours is None:
        return "–"
    hours = float(hours)
    if hours < 1:
        n = round(hours * 60)
        return ngettext("%(n)s minute", "%(n)s minutes", n) % {"n": number_format(n)}
    if hours < 48:
        n = round(hours)
        return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": number_format(n)}
    n = round(hours / 24)
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": number_format(n)}


@register.filter
def certificates(firm) -> list[tuple[str, date | None]]:
    """(code, last valid day or None) of each certification of a firm or a directory entry."""
    get = firm.get if isinstance(firm, dict) else lambda name, default=None: getattr(firm, name, default)
    expiry = get("certification_expiry") or {}
    out = []
    for code in get("certifications") or []:
        try:
            out.append((code, date.fromisoformat(expiry[code]) if expiry.get(code) else None))
        except (TypeError, ValueError):
            out.append((code, None))
    return out
