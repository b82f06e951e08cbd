"""Human names of the capability taxonomy's domains, translated (the CSV only carries codes)."""

from django.utils.translation import gettext_lazy as _

DOMAIN_LABELS = {
    "uav": _("Unmanned aerial systems"),
    "naval": _("Naval systems"),
    "ugv": _("Unmanned ground vehicles"),
    "ew": _("Electronic warfare"),
    "munitions": _("Munitions"),
    "air_defence": _("Air defence"),
    "artillery": _("Artillery"),
    "comms": _("Communications"),
    "demining": _("Demining"),
    "engines": _("Engines and propulsion"),
    "industry": _("Industrial base"),
    "medical": _("Medical"),
    "protection": _("Protection"),
    "repair": _("Repair and maintenance"),
    "sensors": _("Sensors"),
    "software": _("Software"),
    "space": _("Space"),
    "training": _("Training"),
    "vehicles": _("Vehicles"),
    "weapons": _("Weapons"),
}


def domain_label(code: str) -> str:
    return str(DOMAIN_LABELS.get(code, code.replace("_", " ").capitalize()))


COMPONENT_LABELS = {
    "complementarity": _("Complementarity"),
    "coproduction": _("Co-production"),
    "partnership": _("Partnership types"),
    "text": _("Description similarity"),
    "assurance": _("Quality assurance and clearance"),
    "capacity": _("Capacity"),
    "platforms": _("Weapon-system platforms"),
}


def component_label(name: str) -> str:
    return str(COMPONENT_LABELS.get(name, name.replace("_", " ").capitalize()))
