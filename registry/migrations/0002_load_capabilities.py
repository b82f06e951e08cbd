"""Load the capability taxonomy from the project's copy of spec/capabilities.csv."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "capabilities.csv"


def load(apps, schema_editor):
    Capability = apps.get_model("alliance", "Capability")
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            Capability.objects.update_or_create(
                code=row["code"].strip(),
                defaults={
                    "domain": row["domain"].strip(),
                    "name_en": row["name_en"].strip(),
                    "name_uk": row["name_uk"].strip(),
                    "ml_category": (row.get("ml_category") or "").strip(),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("alliance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
