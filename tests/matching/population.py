"""A small hand-made population whose right answer is obvious, for the match-run tests.

Three complementary pairs (each partner offers what its Ukrainian firm seeks, and seeks what
it offers) and a decoy partner that fits nobody.
"""

from registry.models import Capability, FirmCapability
from tests.factories import FirmCapabilityFactory, FirmFactory

FIRMS = {
    "ua-skyforge": ("SkyForge Robotics LLC", "UA", ["uav.fixed_wing_isr"], ["sensors.optics_thermal"]),
    "ua-arsenal": (
        "Kharkiv Arsenal JSC",
        "UA",
        ["munitions.shell_bodies"],
        ["munitions.energetics", "munitions.fuzes"],
    ),
    "ua-dnipro-repair": ("Dnipro Tank Repair LLC", "UA", ["repair.tanks"], ["vehicles.armoured"]),
    "de-optronik": ("Optronik Systems GmbH", "DE", ["sensors.optics_thermal"], ["uav.fixed_wing_isr"]),
    "pl-energetics": (
        "Vistula Energetics S.A.",
        "PL",
        ["munitions.energetics", "munitions.fuzes"],
        ["munitions.shell_bodies"],
    ),
    "cz-armour": ("Bohemia Armour a.s.", "CZ", ["vehicles.armoured"], ["repair.tanks"]),
    "no-decoy": ("Fjord Field Medicine AS", "NO", ["medical.tactical"], ["training.simulators"]),
}
PAIRS = [("ua-skyforge", "de-optronik"), ("ua-arsenal", "pl-energetics"), ("ua-dnipro-repair", "cz-armour")]
DESCRIPTIONS = {
    "uav": "We design and build unmanned aircraft for reconnaissance.",
    "sensors": "Thermal imaging cores and night-vision optics for military platforms.",
    "munitions": "Artillery ammunition components, energetic materials and fuzes.",
    "repair": "Overhaul and field repair of armoured vehicles and tanks.",
    "vehicles": "Armoured vehicle hulls and complete tracked platforms.",
    "medical": "Tactical medicine kits and field hospitals.",
}


def make_population() -> dict:
    """Create the firms; returns {ref: Firm}."""
    caps = dict(Capability.objects.values_list("code", "id"))
    firms = {}
    for ref, (name, country, offers, seeks) in FIRMS.items():
        extra = {} if country == "UA" else {"edrpou": "", "contact_phone": "+4930123456"}
        firm = FirmFactory(
            ref=ref,
            name=name,
            country=country,
            description=DESCRIPTIONS[offers[0].split(".")[0]],
            partnership_types=["co_production", "supply"],
            certifications=["AQAP-2110"],
            **extra,
        )
        for code in offers:
            FirmCapabilityFactory(
                firm=firm, capability_id=caps[code], kind=FirmCapability.Kind.OFFER, monthly_capacity=100
            )
        for code in seeks:
            FirmCapabilityFactory(
                firm=firm, capability_id=caps[code], kind=FirmCapability.Kind.SEEK, monthly_capacity=50
            )
        firms[ref] = firm
    return firms
