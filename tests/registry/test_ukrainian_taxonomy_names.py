"""The Ukrainian capability and platform names are grammatical, in the CSVs and in databases loaded before."""

import csv
import importlib
from pathlib import Path

from django.apps import apps

from registry.models import Capability, Platform

ROOT = Path(__file__).resolve().parents[2]
FIX = importlib.import_module("registry.migrations.0017_fix_ukrainian_taxonomy_names")


def _names_uk(path: str) -> dict[str, str]:
    with (ROOT / path).open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row["name_uk"] for row in csv.DictReader(fh)}


def test_the_csvs_carry_the_corrected_wording():
    capabilities = _names_uk("registry/data/capabilities.csv")
    assert capabilities["munitions.energetics"] == "Вибухові речовини та порохи"
    assert capabilities["uav.loitering_munition"] == "Баражувальні боєприпаси"
    for copy in ("registry/data/platforms.csv", "matching/scoring/data/platforms.csv"):
        assert _names_uk(copy)["uav.switchblade"] == "баражувальний боєприпас Switchblade"
    every_name = " ".join([*capabilities.values(), *_names_uk("registry/data/platforms.csv").values()]).lower()
    assert "пороху" not in every_name and "баражуюч" not in every_name


def test_the_data_migration_corrects_names_loaded_from_the_old_csv(db):
    Capability.objects.filter(code="munitions.energetics").update(name_uk="Вибухові речовини та пороху")
    Capability.objects.filter(code="uav.loitering_munition").update(name_uk="Баражуючі боєприпаси")
    Platform.objects.filter(code="uav.switchblade").update(name_uk="баражуючий боєприпас Switchblade")
    FIX.forwards(apps, None)
    assert Capability.objects.get(code="munitions.energetics").name_uk == "Вибухові речовини та порохи"
    assert Capability.objects.get(code="uav.loitering_munition").name_uk == "Баражувальні боєприпаси"
    assert Platform.objects.get(code="uav.switchblade").name_uk == "баражувальний боєприпас Switchblade"
    FIX.backwards(apps, None)
    assert Capability.objects.get(code="munitions.energetics").name_uk == "Вибухові речовини та пороху"


def test_the_data_migration_leaves_a_name_edited_since_alone(db):
    Capability.objects.filter(code="munitions.energetics").update(name_uk="Енергетичні матеріали")
    FIX.forwards(apps, None)
    assert Capability.objects.get(code="munitions.energetics").name_uk == "Енергетичні матеріали"
