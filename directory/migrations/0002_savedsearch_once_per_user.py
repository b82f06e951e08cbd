"""One saved search per person and query: a database constraint, so two saves of the same search at
the same moment keep one (the service's existence check alone let both through)."""

import json

from django.conf import settings
from django.db import migrations, models


def keep_the_first_copy(apps, schema_editor):
    """Before the constraint: where a person keeps the same search twice (possible until today), keep
    the oldest copy and delete the later ones with their pending alerts, so `migrate` does not stop
    on a live database. The copies share the query, so the person keeps the same results and alerts;
    only a later copy's own name and digest setting go (the release notes say so)."""
    SavedSearch = apps.get_model("directory", "SavedSearch")
    seen: set[tuple[int, str]] = set()
    extra = []
    for pk, user_id, query in SavedSearch.objects.order_by("pk").values_list("pk", "user_id", "query"):
        key = (user_id, json.dumps(query, sort_keys=True))
        if key in seen:
            extra.append(pk)
        seen.add(key)
    if extra:
        SavedSearch.objects.filter(pk__in=extra).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_the_first_copy, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="savedsearch",
            constraint=models.UniqueConstraint(fields=("user", "query"), name="savedsearch_once_per_user"),
        ),
    ]
