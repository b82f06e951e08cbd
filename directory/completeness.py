"""How complete a firm's profile is, with concrete hints, each linking to the field to fill.

Deliberately no promise of an effect ("firms that list needs get N times more introductions"): no
such figure has been measured from the data yet (issue 14).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registry.models import Firm, FirmCapability, FirmPlatform

DESCRIPTION_GOOD_LENGTH = 200


@dataclass(frozen=True)
class Hint:
    key: str
    text: str
    url: str


# key -> (weight, hint, form field anchor)
CHECKS = {
    "seeks": (3, _("Add what you seek: the capabilities your firm needs from a partner."), "id_seeks_filter"),
    "offers": (3, _("Add what you offer: the capabilities your firm provides."), "id_offers_filter"),
    "description": (2, _("Describe the firm in more detail (at least 200 characters)."), "id_description"),
    "platforms": (2, _("Add platforms: the weapon systems you make, repair or supply."), "platforms"),
    "certifications": (1, _("Add certifications, such as AQAP-2110 or ISO 9001."), "id_certifications_0"),
    "capacity": (1, _("Describe capacity: monthly quantities of what you offer."), "id_offers_filter"),
    "employees": (1, _("Give the number of employees."), "id_employees"),
    "website": (1, _("Add the firm's website."), "id_website"),
}


def firm_completeness(*, firm: Firm) -> tuple[int, list[Hint]]:
    """(score 0-100, hints for what is missing, most useful first), in three queries."""
    kinds = set(FirmCapability.objects.filter(firm=firm).values_list("kind", flat=True))
    with_capacity = FirmCapability.objects.filter(firm=firm, kind="offer", monthly_capacity__isnull=False).exists()
    done = {
        "seeks": "seek" in kinds,
        "offers": "offer" in kinds,
        "description": len(firm.description or "") >= DESCRIPTION_GOOD_LENGTH,
        "platforms": FirmPlatform.objects.filter(firm=firm).exists(),
        "certifications": bool(firm.certifications),
        "capacity": with_capacity,
        "employees": firm.employees is not None,
        "website": bool(firm.website),
    }
    total = sum(weight for weight, _hint, _anchor in CHECKS.values())
    score = round(100 * sum(CHECKS[k][0] for k, ok in done.items() if ok) / total)
    edit = reverse("web:firm_edit", args=[firm.pk])
    hints = [Hint(key, str(hint), f"{edit}#{anchor}") for key, (_w, hint, anchor) in CHECKS.items() if not done[key]]
    return score, hints
