"""Load-test data: 20,000 firms and 100,000 proposals in PostgreSQL `alliance_load`, plus the
clients' credentials (50 firm members and a reviewer, each with an API token).

    .venv/bin/python bench/load/seed.py            # idempotent: generates only what is missing

The firms and proposals come from the web benchmark's generator (bench/bench_pages.py: 2,000
Ukrainian and 18,000 partner firms, 50 proposals per Ukrainian firm in every state). Writes
test-artifacts/load/clients.json: tokens and, per member, the proposal ids their firm may see.
"""

import importlib.util
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_load")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

MEMBERS = 50
VISIBLE = ["approved", "connected", "partnership"]
OUT = ROOT / "test-artifacts" / "load" / "clients.json"


def _bench_pages():
    spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "bench" / "bench_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    import django

    pages = _bench_pages()
    django.setup()
    pages.ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from knox.models import AuthToken

    from accounts.models import Membership, User
    from matching.models import Proposal
    from registry.models import Firm
    from review.selectors import proposal_visible_queryset

    if Proposal.objects.count() < pages.PROPOSALS:
        pages.generate(random.Random(42))
    print(f"{Firm.objects.count()} firms, {Proposal.objects.count()} proposals in {os.environ['DATABASE_URL']}")
    describe_firms()

    AuthToken.objects.filter(user__username__startswith="load_").delete()
    reviewer, _ = User.objects.get_or_create(username="load_reviewer", defaults={"is_reviewer": True})
    clients = {"reviewer": AuthToken.objects.create(reviewer)[1], "members": []}
    Membership.objects.filter(user__username__startswith="load_member_").delete()
    # Firms see proposals once a reviewer approved them: members of firms that have such proposals.
    firms = (
        Firm.objects.filter(ref__startswith="bench-ua-", proposals_as_ukrainian__status__in=VISIBLE)
        .distinct()
        .order_by("id")[:MEMBERS]
    )
    for i, firm in enumerate(firms):
        user, _ = User.objects.get_or_create(username=f"load_member_{i}")
        Membership.objects.get_or_create(user=user, firm=firm, defaults={"role": "owner"})
        visible = list(proposal_visible_queryset(user=user).values_list("id", flat=True)[:100])
        clients["members"].append({"token": AuthToken.objects.create(user)[1], "proposals": visible})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(clients))
    print(f"wrote {OUT} ({len(clients['members'])} members + reviewer)")


def describe_firms() -> None:
    """Give every firm a description written from what it offers and seeks (idempotent).

    The page benchmark's generator gives all firms one boilerplate sentence; with two distinct
    descriptions PostgreSQL has no statistics for text search and guesses that any term matches
    10% of the registry, which is not what a real registry looks like to its planner.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE alliance_firm f SET description = concat_ws(' ',
                f.name || ' (' || f.country || ').',
                'Offers ' || d.offers || '.',
                'Seeks ' || d.seeks || '.',
                CASE WHEN f.side = 'ua' THEN 'Production in Ukraine, open to co-production and licensing.'
                     ELSE 'Looking for Ukrainian production capacity and field feedback.' END)
            FROM (
                SELECT fc.firm_id,
                       string_agg(c.name_en, ', ' ORDER BY c.code) FILTER (WHERE fc.kind = 'offer') AS offers,
                       string_agg(c.name_en, ', ' ORDER BY c.code) FILTER (WHERE fc.kind = 'seek') AS seeks
                FROM alliance_firmcapability fc JOIN alliance_capability c ON c.id = fc.capability_id
                GROUP BY fc.firm_id
            ) d
            WHERE d.firm_id = f.id AND f.description NOT LIKE f.name || ' (%'
            """
        )
        updated = cursor.rowcount
        cursor.execute("ANALYZE alliance_firm")
    print(f"described {updated} firms from their capabilities")


if __name__ == "__main__":
    main()
