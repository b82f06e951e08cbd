"""Export-control flags for a proposed pairing, in English and Ukrainian. Plain Python, no Django.

The partner is the exporter: what it offers to the Ukrainian firm (its capabilities' EU Common
Military List categories) and the regimes it declared for its offered items decide which
licences reviewers should expect. These are flags for a human, not legal advice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# EU member states: their military exports fall under Common Position 2008/944/CFSP (an EU licence).
EU_COUNTRIES = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())

REGIME_FLAGS: dict[str, tuple[str, str]] = {
    "ITAR": (
        "ITAR: US government approval needed for technical data",
        "ITAR: потрібен дозвіл уряду США на передачу технічних даних",
    ),
    "EAR": (
        "EAR: US export licence may be needed",
        "EAR: може знадобитися експортна ліцензія США",
    ),
    "EU_DUAL_USE": (
        "EU dual-use: export authorisation under Regulation (EU) 2021/821",
        "Подвійне використання ЄС: потрібен дозвіл на експорт згідно з Регламентом (ЄС) 2021/821",
    ),
}
EU_MILITARY_GENERIC = (
    "EU military export licence likely needed",
    "Ймовірно, потрібна ліцензія ЄС на експорт товарів військового призначення",
)
REGIME_ORDER = ("ITAR", "EAR", "EU_MILITARY", "EU_DUAL_USE")
# Outside the EU the licence is the partner country's own: its name in the genitive ("ліцензія США",
# "ліцензія Великої Британії") for every eligible non-EU partner country (settings.ELIGIBLE_PARTNER_COUNTRIES).
COUNTRY_GENITIVE_UK = {
    "AL": "Албанії",
    "AU": "Австралії",
    "CA": "Канади",
    "CH": "Швейцарії",
    "GB": "Великої Британії",
    "GE": "Грузії",
    "IS": "Ісландії",
    "JP": "Японії",
    "KR": "Республіки Корея",
    "ME": "Чорногорії",
    "MD": "Молдови",
    "MK": "Північної Македонії",
    "NO": "Норвегії",
    "NZ": "Нової Зеландії",
    "TR": "Туреччини",
    "US": "США",
}
_ML = re.compile(r"^ML(\d{1,2})([a-z]?)$", re.IGNORECASE)


def _ml_sort_key(code: str) -> tuple[int, str]:
    match = _ML.match(code)
    return (int(match.group(1)), match.group(2)) if match else (999, code)


def _ml_texts(category: str, partner_country: str) -> tuple[str, str]:
    if partner_country.upper() in EU_COUNTRIES:
        return (
            f"EU military export licence likely needed ({category})",
            f"Ймовірно, потрібна ліцензія ЄС на експорт товарів військового призначення ({category})",
        )
    # Outside the EU the partner country's own military export licence applies, same ML category.
    country = partner_country.upper()
    if country in COUNTRY_GENITIVE_UK:
        text_uk = (
            f"Ймовірно, потрібна ліцензія {COUNTRY_GENITIVE_UK[country]} на експорт товарів військового призначення"
        )
    else:  # a country configured later: no case ending to get wrong
        text_uk = (
            f"Ймовірно, потрібна ліцензія країни-експортера ({country}) на експорт товарів військового призначення"
        )
    return (f"Military export licence of {country} likely needed ({category})", f"{text_uk} ({category})")


def proposal_flags(
    *,
    partner_offer_ml_categories: Iterable[str],
    partner_export_regimes: Iterable[str],
    ua_country: str = "UA",
    partner_country: str,
) -> dict[str, list[str]]:
    """Flags for one pairing: {"codes": [...], "en": [...], "uk": [...]}, same order in all three.

    One flag per distinct ML category the partner offers (ML2 before ML10), then one per
    declared regime (ITAR, EAR, EU dual-use; EU military only when no ML category is listed).
    """
    codes: list[str] = []
    en: list[str] = []
    uk: list[str] = []
    if partner_country.upper() == ua_country.upper():
        return {"codes": codes, "en": en, "uk": uk}  # no cross-border transfer, nothing to flag
    categories = sorted({c.strip().upper() for c in partner_offer_ml_categories if c and c.strip()}, key=_ml_sort_key)
    for category in categories:
        text_en, text_uk = _ml_texts(category, partner_country)
        codes.append(category)
        en.append(text_en)
        uk.append(text_uk)
    regimes = {r.strip().upper() for r in partner_export_regimes if r}
    for regime in REGIME_ORDER:
        if regime not in regimes:
            continue
        if regime == "EU_MILITARY":
            if not categories:
                codes.append(regime)
                en.append(EU_MILITARY_GENERIC[0])
                uk.append(EU_MILITARY_GENERIC[1])
            continue
        codes.append(regime)
        en.append(REGIME_FLAGS[regime][0])
        uk.append(REGIME_FLAGS[regime][1])
    return {"codes": codes, "en": en, "uk": uk}
