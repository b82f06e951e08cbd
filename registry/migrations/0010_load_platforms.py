"""Load the platform catalogue from the project's copy of spec/platforms.csv."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "platforms.csv"


def load(apps, schema_editor):
    Platform = apps.get_model("alliance", "Platform")
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            Platform.objects.update_or_create(
                code=row["code"].strip(),
                defaults={
                    "kind": row["kind"].strip(),
                    "name_en": row["name_en"].strip(),
                    "name_uk": row["name_uk"].strip(),
                    "oem": row["oem"].strip(),
                    "origin": row["origin"].strip(),
                    "calibre": (row.get("calibre") or "").strip(),
                    "capabilities": [code.strip() for code in row["capabilities"].split(";") if code.strip()],
                    "in_ukraine": row["in_ukraine"].strip().lower() in ("yes", "true", "1"),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("alliance", "0009_platforms")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
