"""One legal entity, one registry record: no two firms share a non-blank EDRPOU code or LEI (the LEI
compared case-insensitively), and a firm's year of foundation is from 1800 on."""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Upper

import registry.validators


def refuse_duplicates(apps, schema_editor):
    """Name the firms that already break the new rules, rather than leave a bare IntegrityError: which
    record stays is the ministry's decision, not a migration's."""
    Firm = apps.get_model("alliance", "Firm")
    problems = []
    for label, key in (("EDRPOU", "edrpou"), ("LEI", "lei")):
        clashes = (
            Firm.objects.exclude(**{key: ""})
            .annotate(code=Upper(key))
            .values("code")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        for clash in clashes:
            refs = Firm.objects.annotate(code=Upper(key)).filter(code=clash["code"]).values_list("ref", flat=True)
            problems.append(f"{label} {clash['code']}: firms {', '.join(sorted(refs))}")
    early = Firm.objects.filter(founded__lt=1800).values_list("ref", "founded")
    problems += [f"founded {year}: firm {ref} (must be 1800 or later)" for ref, year in early]
    if problems:
        raise RuntimeError(
            "Resolve these before migrating (merge or correct the firms):\n" + "\n".join(sorted(problems))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0013_certification_expiry_reminders"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="firm",
            name="founded",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[registry.validators.validate_founded],
                verbose_name="Year founded",
            ),
        ),
        migrations.AddConstraint(
            model_name="firm",
            constraint=models.CheckConstraint(
                condition=models.Q(("founded__isnull", True), ("founded__gte", 1800), _connector="OR"),
                name="firm_founded_from_1800",
            ),
        ),
        migrations.AddConstraint(
            model_name="firm",
            constraint=models.UniqueConstraint(
                condition=models.Q(("edrpou", ""), _negated=True),
                fields=("edrpou",),
                name="firm_edrpou_unique",
                violation_error_message="A firm with this EDRPOU code is already registered.",
            ),
        ),
        migrations.AddConstraint(
            model_name="firm",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Upper("lei"),
                condition=models.Q(("lei", ""), _negated=True),
                name="firm_lei_unique",
                violation_error_message="A firm with this LEI is already registered.",
            ),
        ),
    ]
