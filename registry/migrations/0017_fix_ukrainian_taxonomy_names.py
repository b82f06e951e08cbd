"""Correct the Ukrainian names of a capability pair and a platform already loaded from the CSVs
(registry/data/*.csv now carry the corrected wording for new databases)."""

from django.db import migrations

CAPABILITIES = {
    # code: (old name_uk, corrected name_uk)
    "munitions.energetics": ("Вибухові речовини та пороху", "Вибухові речовини та порохи"),
    "uav.loitering_munition": ("Баражуючі боєприпаси", "Баражувальні боєприпаси"),
}
PLATFORMS = {
    "uav.switchblade": ("баражуючий боєприпас Switchblade", "баражувальний боєприпас Switchblade"),
}


def _rename(apps, index: int) -> None:
    for model, names in (("Capability", CAPABILITIES), ("Platform", PLATFORMS)):
        rows = apps.get_model("alliance", model).objects
        for code, pair in names.items():
            # Only the wording this migration knows: a name an operator has since edited is left alone.
            rows.filter(code=code, name_uk=pair[1 - index]).update(name_uk=pair[index])


def forwards(apps, schema_editor):
    _rename(apps, 1)


def backwards(apps, schema_editor):
    _rename(apps, 0)


class Migration(migrations.Migration):
    dependencies = [("alliance", "0016_suspension_note_codes")]
    operations = [migrations.RunPython(forwards, backwards)]
