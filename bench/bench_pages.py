"""Page benchmark: the reviewer queue and the dashboard with 20,000 firms and 100,000 proposals.

    .venv/bin/python bench/bench_pages.py [--runs 7] [--regenerate]

Uses PostgreSQL database `alliance_bench_pages` (override with DATABASE_URL), migrates it,
bulk-generates the data once (kept between runs; --regenerate to start over), then renders
each page several times with Django's test client as a signed-in reviewer and prints the
median and worst time and the number of SQL queries per page.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_bench_pages")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("AXES_ENABLED", "false")

UA_FIRMS = 2_000
PARTNER_FIRMS = 18_000
PROPOSALS = 100_000
STATUS_MIX = [  # (status, share)
    ("proposed", 0.40), ("approved", 0.20), ("connected", 0.10), ("partnership", 0.05),
    ("rejected", 0.10), ("declined", 0.05), ("expired", 0.05), ("superseded", 0.05),
]  # fmt: skip
PARTNER_COUNTRIES = ["DE", "FR", "PL", "US", "GB", "CZ", "SE", "NL", "IT", "ES", "FI", "DK", "NO", "LT", "RO", "CA"]


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    ) as conn:  # fmt: skip
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def generate(rng: random.Random) -> None:
    from django.db import connection, transaction

    from matching.models import Proposal
    from registry.identity import free_edrpou_codes
    from registry.models import Capability, Firm, FirmCapability

    caps = list(Capability.objects.values_list("id", flat=True))
    codes = free_edrpou_codes()  # one firm per EDRPOU (firm_edrpou_unique)
    started = time.perf_counter()
    with transaction.atomic():
        firms = [
            Firm(
                ref=f"bench-ua-{i}", name=f"Ukrainian Works {i} LLC", country="UA", edrpou=next(codes),
                description="Builds drones, optics and armour for the front; bench data.",
                partnership_types=["co_production"], contact_name="Bench Contact", contact_email=f"ua{i}@bench.example",
                status="verified",
            )
            for i in range(UA_FIRMS)
        ] + [
            Firm(
                ref=f"bench-p-{i}", name=f"Partner Systems {i} GmbH", country=PARTNER_COUNTRIES[i % len(PARTNER_COUNTRIES)],
                description="Supplies components and co-produces systems; bench data.",
                partnership_types=["co_production", "supply"], contact_name="Bench Contact",
                contact_email=f"p{i}@bench.example", status="verified" if i % 20 else "pending",
            )
            for i in range(PARTNER_FIRMS)
        ]  # fmt: skip
        Firm.objects.bulk_create(firms, batch_size=5000)
        ua_ids = list(Firm.objects.filter(country="UA").order_by("id").values_list("id", flat=True))
        partner_ids = list(Firm.objects.exclude(country="UA").order_by("id").values_list("id", flat=True))
        links = []
        for firm_id in ua_ids + partner_ids:
            for kind in ("offer", "seek"):
                for cap in rng.sample(caps, 2):
                    links.append(FirmCapability(firm_id=firm_id, capability_id=cap, kind=kind))
        FirmCapability.objects.bulk_create(links, batch_size=10000)

        statuses = [s for s, share in STATUS_MIX for _ in range(int(share * 100))]
        proposals = []
        for i in range(PROPOSALS):
            u, k = i % UA_FIRMS, i // UA_FIRMS
            score = round(rng.uniform(0.2, 1.0), 4)
            proposals.append(
                Proposal(
                    ukrainian_id=ua_ids[u], partner_id=partner_ids[(u * 9 + k) % PARTNER_FIRMS], score=score,
                    status=statuses[i % len(statuses)], rank_for_ukrainian=k + 1,
                    components={"complementarity": score, "text": round(score / 2, 3), "partnership": 1.0},
                    reasons={"en": [f"Bench reason {i}"], "uk": [f"Причина {i}"]},
                    flags={"codes": ["ML10"], "en": ["EU military licence"], "uk": ["Ліцензія ЄС"]} if i % 10 == 0 else {},
                )
            )  # fmt: skip
        Proposal.objects.bulk_create(proposals, batch_size=5000)
        with connection.cursor() as cursor:
            # Spread creation over two months so the age filter and the medians have something to chew on.
            cursor.execute("UPDATE matching_proposal SET created_at = now() - (id %% 60) * interval '1 day'", [])
            # One event per proposal that left `proposed`, 0-47 hours after the proposal. Events are
            # append-only (a trigger refuses UPDATE), so each is inserted with its time already set.
            cursor.execute(
                "INSERT INTO matching_proposalevent (proposal_id, actor_role, from_status, to_status, note, data, created_at) "
                "SELECT id, 'system', 'proposed', status, '', '{}'::jsonb, now() - (id %% 60) * interval '1 day' "
                "+ (row_number() OVER (ORDER BY score DESC, id) %% 48) * interval '1 hour' "
                "FROM matching_proposal WHERE status <> 'proposed' ORDER BY score DESC, id",
                [],
            )
    with connection.cursor() as cursor:
        # What autovacuum does on a live database soon after a bulk load: statistics and a visibility map.
        cursor.execute("VACUUM ANALYZE")
    print(
        f"generated {len(firms)} firms, {len(links)} capabilities, {PROPOSALS} proposals in {time.perf_counter() - started:.0f} s"
    )


def measure(client, url: str, runs: int, cold: bool = False) -> tuple[float, float, int, int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (templates, translations, connection)
    times = []
    for _ in range(runs):
        if cold:
            cache.clear()  # the dashboard's one-minute cache of its numbers
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), max(times), len(ctx.captured_queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    ensure_database()
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from bench.history import proposal_history_erase
    from matching.models import Proposal
    from registry.models import Firm

    call_command("migrate", verbosity=0)
    if args.regenerate:
        proposal_history_erase(proposals=Proposal.objects.all())  # synthetic history, erased on purpose
        Firm.objects.filter(ref__startswith="bench-").delete()
    if Proposal.objects.count() < PROPOSALS:
        generate(random.Random(42))
    reviewer, _ = User.objects.get_or_create(username="bench_reviewer", defaults={"is_reviewer": True})
    client = Client()
    client.force_login(reviewer)
    first = Proposal.objects.order_by("-score").first()

    pages = [
        ("queue (proposed, best first)", "/review/"),
        ("queue page 100", "/review/?status=proposed&page=100"),
        ("queue filtered (domain+country+score+age)", "/review/?status=&domain=uav&country=DE&min_score=0.5&max_age_days=30"),
        ("queue sorted oldest first", "/review/?status=proposed&sort=created_at"),
        ("proposal page", f"/review/proposals/{first.pk}/"),
        ("dashboard (cached; beat refreshes every 30 s)", "/review/dashboard/"),
        ("dashboard (cold: every aggregate recomputed)", "/review/dashboard/", True),
    ]  # fmt: skip
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine load average while measuring: {load} (cores: {os.cpu_count()})")
    print(f"{Firm.objects.count()} firms, {Proposal.objects.count()} proposals; {args.runs} runs each")
    print(f"{'page':45} {'median ms':>10} {'max ms':>8} {'queries':>8} {'KB':>6}")
    for label, url, *cold in pages:
        median, worst, queries, size = measure(client, url, args.runs if not cold else 3, cold=bool(cold))
        print(f"{label:45} {median:10.1f} {worst:8.1f} {queries:8d} {size / 1024:6.0f}")


if __name__ == "__main__":
    main()
