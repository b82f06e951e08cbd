"""A small market for the directory: firm A (alice, Ukrainian) and B (bob, partner) from the shared
fixtures, plus listed and unlisted firms on both sides."""

import pytest

from registry.models import BeneficialOwner, Capability, Firm, FirmCapability
from tests.factories import FirmCapabilityFactory, FirmFactory, MembershipFactory, UserFactory


def cap(code: str) -> Capability:
    return Capability.objects.get(code=code)


@pytest.fixture
def market(db, firm_a, firm_b, alice, bob, rita):
    FirmCapabilityFactory(firm=firm_a, kind="offer", capability=cap("munitions.artillery_155"), detail="155 мм снаряди")
    FirmCapabilityFactory(firm=firm_b, kind="seek", capability=cap("munitions.artillery_155"))
    arsenal = FirmFactory(
        ref="ua-arsenal",
        name="Арсенал Півдня ТОВ",
        description="Виробництво артилерійських снарядів 155 мм та ремонт гармат.",
        employees=400,
        certifications=["AQAP-2110"],
        partnership_types=["licensed_production"],
        security_clearance="NATO_RESTRICTED",
    )
    FirmCapabilityFactory(firm=arsenal, kind="offer", capability=cap("munitions.artillery_155"))
    FirmCapabilityFactory(firm=arsenal, kind="offer", capability=cap("repair.artillery"))
    optics = FirmFactory(
        ref="fr-optique",
        name="Lumiere Optique SA",
        partner=True,
        country="FR",
        description="Thermal imaging optics for armoured vehicles.",
        employees=30,
    )
    FirmCapabilityFactory(firm=optics, kind="offer", capability=cap("sensors.optics_thermal"))
    pending = FirmFactory(
        ref="pl-pending",
        name="Pending Artillery Sp. z o.o.",
        partner=True,
        country="PL",
        status=Firm.Status.PENDING,
        description="155 mm artillery shells",
    )
    suspended = FirmFactory(
        ref="ua-suspended",
        name="Suspended Artillery LLC",
        edrpou="00032945",
        status=Firm.Status.SUSPENDED,
        description="155 mm artillery shells",
    )
    flagged = FirmFactory(
        ref="ua-flagged",
        name="Flagged Artillery LLC",
        screening_status=Firm.ScreeningStatus.POTENTIAL_MATCH,
        description="155 mm artillery shells",
    )
    owned = FirmFactory(ref="ua-owned", name="Owned Artillery LLC", description="155 mm artillery shells")
    BeneficialOwner.objects.create(firm=owned, name="Ivan Ivanov", country="RU", share_percent=25)
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, firm=pending, role="owner")
    return {
        "arsenal": arsenal,
        "optics": optics,
        "pending": pending,
        "suspended": suspended,
        "flagged": flagged,
        "owned": owned,
        "stranger": stranger,
    }


def names(response) -> list[str]:
    return [f["name"] for f in response.json()["results"]]


__all__ = ["FirmCapability", "cap", "names"]


@pytest.fixture(autouse=True)
def _no_kept_model():
    """Each test prepares its own matching model ("fit for my firm" keeps one per process)."""
    from matching.services.prepared import prepared_forget

    prepared_forget()
    yield
    prepared_forget()
