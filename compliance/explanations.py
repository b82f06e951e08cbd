"""Screening explanations in the reader's language, rendered from the codes the matcher stores.

`namematch.explanation_text` writes the same clauses in English from the same templates; a test
renders every hit of the evaluation set both ways and requires the English texts to be equal.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.translation import pgettext_lazy

CONTEXT = "screening explanation"

TEMPLATES = {
    "owner": pgettext_lazy(CONTEXT, "beneficial owner %(name)s: %(explanation)s"),
    "identifier": pgettext_lazy(CONTEXT, "identifier %(value)s is on the list entry"),
    "read_as": pgettext_lazy(CONTEXT, "firm name read as %(system)s"),
    "name": pgettext_lazy(CONTEXT, "%(reason)s (%(variant)s): %(rule)s %(score)s"),
    "acronym": pgettext_lazy(CONTEXT, "acronym %(acronym)s with only generic words %(score)s"),
    "identifier_conflict": pgettext_lazy(CONTEXT, "%(kinds)s differs from the list's (-%(penalty)s)"),
    "country_penalty": pgettext_lazy(
        CONTEXT, "registered in %(country)s, neither a transit country nor the entry's (-%(penalty)s)"
    ),
    "transit_country": pgettext_lazy(CONTEXT, "registered in %(country)s, a transit country"),
    "state_enterprise": pgettext_lazy(CONTEXT, "a Ukrainian state enterprise (-%(penalty)s)"),
}
REASONS = {"name": pgettext_lazy(CONTEXT, "name"), "alias": pgettext_lazy(CONTEXT, "alias")}
VARIANTS = {
    "romanisation": pgettext_lazy(CONTEXT, "%(system)s romanisation"),
    "as_listed": pgettext_lazy(CONTEXT, "as listed"),
    "words_joined": pgettext_lazy(CONTEXT, "words joined"),
    "full": pgettext_lazy(CONTEXT, "full name, %(variant)s"),
}
RULES = {
    "same_name": pgettext_lazy(CONTEXT, "same name"),
    "words_joined": pgettext_lazy(CONTEXT, "words joined"),
    "similar_name": pgettext_lazy(CONTEXT, "similar name"),
    "same_words": pgettext_lazy(CONTEXT, "same words, spelled differently"),
    "without_generic": pgettext_lazy(CONTEXT, "list name without its generic words"),
    "contained": pgettext_lazy(CONTEXT, "list name contained, plus generic words"),
    "patronymic_missing": pgettext_lazy(CONTEXT, "%(rule)s, patronymic not given"),
}
SYSTEMS = {
    "ru": pgettext_lazy(CONTEXT, "BGN/PCGN (Russian)"),
    "uk": pgettext_lazy(CONTEXT, "BGN/PCGN (Ukrainian)"),
    "be": pgettext_lazy(CONTEXT, "BGN/PCGN (Belarusian)"),
    "bg": pgettext_lazy(CONTEXT, "BGN/PCGN (Bulgarian)"),
    "mk": pgettext_lazy(CONTEXT, "BGN/PCGN (Macedonian)"),
    "iso9": pgettext_lazy(CONTEXT, "ISO 9"),
    "de": pgettext_lazy(CONTEXT, "German"),
    "pl": pgettext_lazy(CONTEXT, "Polish"),
    "cs": pgettext_lazy(CONTEXT, "Czech"),
    "lt": pgettext_lazy(CONTEXT, "Lithuanian"),
    "fr": pgettext_lazy(CONTEXT, "French"),
    "tr": pgettext_lazy(CONTEXT, "Turkish"),
    "ua": pgettext_lazy(CONTEXT, "Ukrainian national"),
}


def _t(text) -> str:
    """A template above in the active language (they are lazy: marked for translation, translated when used)."""
    return str(text)


def _number(text: str) -> str:
    """A number already formatted as the English text has it ("0.95", "0.12"), with the locale's decimal separator."""
    return number_format(text)


def _system(code: str) -> str:
    return _t(SYSTEMS[code]) if code in SYSTEMS else code


def _variant(p: dict) -> str:
    kind = p.get("kind", "as_listed")
    if kind == "romanisation":
        text = _t(VARIANTS["romanisation"]) % {"system": _system(p.get("system", ""))}
    else:
        text = _t(VARIANTS.get(kind, VARIANTS["as_listed"]))
    return _t(VARIANTS["full"]) % {"variant": text} if p.get("full") else text


def _clause(code: str, p: dict) -> str:
    template = TEMPLATES.get(code)
    if template is None:
        return ""  # a code this version does not know: say nothing rather than fail
    values: dict[str, str] = {}
    if code == "identifier":
        values = {"value": p.get("value", "")}
    elif code == "read_as":
        values = {"system": _system(p.get("system", ""))}
    elif code == "name":
        rule = _t(RULES.get(p.get("rule", ""), RULES["similar_name"]))
        if p.get("patronymic_missing"):
            rule = _t(RULES["patronymic_missing"]) % {"rule": rule}
        values = {
            "reason": _t(REASONS.get(p.get("reason", ""), REASONS["name"])),
            "variant": _variant(p),
            "rule": rule,
            "score": _number(f"{p.get('score', 0.0):.2f}"),
        }
    elif code == "acronym":
        values = {"acronym": p.get("acronym", ""), "score": _number(f"{p.get('score', 0.0):.2f}")}
    elif code == "identifier_conflict":
        values = {"kinds": "/".join(p.get("kinds", ())), "penalty": _number(str(p.get("penalty", 0.0)))}
    elif code in ("country_penalty", "transit_country"):
        values = {"country": p.get("country", ""), "penalty": _number(str(p.get("penalty", 0.0)))}
    elif code == "state_enterprise":
        values = {"penalty": _number(str(p.get("penalty", 0.0)))}
    return _t(template) % values


def explanation_render(codes: Sequence[Sequence]) -> str:
    """A stored explanation (ScreeningMatch.explanation_codes) as text in the active language."""
    owner = None
    clauses = []
    for code, params in codes:
        if code == "owner":
            owner = params.get("name", "")
        elif text := _clause(code, params):
            clauses.append(text)
    text = "; ".join(clauses)
    if owner is not None:
        text = _t(TEMPLATES["owner"]) % {"name": owner, "explanation": text}
    return text
