"""Directory benchmark: server time of /directory/ and /api/v1/directory/ with 20,000 firms.

    .venv/bin/python bench/bench_directory.py [--runs 7] [--regenerate]

Uses PostgreSQL database `alliance_bench_directory` (override with DATABASE_URL), migrates it,
bulk-generates 20,000 verified firms once (Ukrainian and English descriptions of ~40 words from a
mixed vocabulary, two offers and two seeks each, a platform for one in five; kept between runs,
--regenerate to start over), then requests each URL several times with Django's test client as a
signed-in member of a partner firm and prints the median and worst server time and the number of
SQL queries. Target: under 150 ms for the list, filtered and full-text, and for "fit for my firm"
once the process holds the prepared model (the last line: the same request when it must rebuild it).
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_bench_directory")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("AXES_ENABLED", "false")

UA_FIRMS = 4_000
PARTNER_FIRMS = 16_000
PARTNER_COUNTRIES = ["DE", "FR", "PL", "US", "GB", "CZ", "SE", "NL", "IT", "ES", "FI", "DK", "NO", "LT", "RO", "CA"]
WORDS_EN = (
    "artillery ammunition shells drones optics thermal armour repair barrels propellant explosives radar "
    "electronic warfare communications satellite engines tracks vehicles logistics training simulation software "
    "machining forging casting composites sensors fuzes rockets missiles interceptors batteries cables steel "
    "aluminium titanium welding coatings testing certification maintenance overhaul spare parts night vision "
    "counter battery demining bridging medical protective helmets plates uniforms fuel generators"
).split()
WORDS_UK = (
    "артилерійських снарядів боєприпасів дронів оптики тепловізійної броні ремонту стволів пороху вибухових "
    "радарів радіоелектронної боротьби звʼязку двигунів гусениць транспорту логістики навчання програмного "
    "забезпечення обробки кування лиття композитів датчиків підривників ракет перехоплювачів акумуляторів кабелів "
    "сталі алюмінію титану зварювання покриттів випробувань сертифікації обслуговування запчастин розмінування"
).split()


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    ) as conn:  # fmt: skip
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def _description(rng: random.Random, ukrainian: bool) -> str:
    words = rng.sample(WORDS_UK if ukrainian else WORDS_EN, 25) + rng.sample(WORDS_EN, 15)
    return " ".join(words).capitalize() + "."


def generate(rng: random.Random) -> None:
    from django.db import connection, transaction

    from registry.identity import free_edrpou_codes
    from registry.models import Capability, Firm, FirmCapability, FirmPlatform, Platform

    caps = list(Capability.objects.values_list("id", flat=True))
    codes = free_edrpou_codes()  # one firm per EDRPOU (firm_edrpou_unique)
    platforms = list(Platform.objects.values_list("id", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        firms = [
            Firm(
                ref=f"bench-ua-{i}", name=f"Українські Заводи {i} ТОВ", country="UA", edrpou=next(codes),
                description=_description(rng, True), employees=rng.choice([None, 8, 30, 120, 600, 3000]),
                partnership_types=rng.sample(["co_production", "supply", "licensed_production", "joint_venture"], 2),
                certifications=rng.sample(["AQAP-2110", "ISO-9001", "AS9100"], rng.randint(0, 2)),
                contact_name="Bench Contact", contact_email=f"ua{i}@bench.example", status="verified",
            )
            for i in range(UA_FIRMS)
        ] + [
            Firm(
                ref=f"bench-p-{i}", name=f"Partner Systems {i} GmbH", country=PARTNER_COUNTRIES[i % len(PARTNER_COUNTRIES)],
                description=_description(rng, False), employees=rng.choice([None, 8, 30, 120, 600, 3000]),
                partnership_types=rng.sample(["co_production", "supply", "licensed_production", "joint_venture"], 2),
                certifications=rng.sample(["AQAP-2110", "ISO-9001", "AS9100"], rng.randint(0, 2)),
                contact_name="Bench Contact", contact_email=f"p{i}@bench.example", status="verified",
            )
            for i in range(PARTNER_FIRMS)
        ]  # fmt: skip
        Firm.objects.bulk_create(firms, batch_size=5000)
        ids = list(Firm.objects.filter(ref__startswith="bench-").values_list("id", flat=True))
        links = [
            FirmCapability(firm_id=firm_id, capability_id=cap, kind=kind)
            for firm_id in ids
            for kind in ("offer", "seek")
            for cap in rng.sample(caps, 2)
        ]
        FirmCapability.objects.bulk_create(links, batch_size=10000)
        FirmPlatform.objects.bulk_create(
            [FirmPlatform(firm_id=f, platform_id=rng.choice(platforms), role="repairs") for f in ids[::5]],
            batch_size=10000,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"generated {len(firms)} firms, {len(links)} capability links in {time.perf_counter() - started:.0f} s")


def measure(client, url: str, runs: int) -> tuple[float, float, float, int, int]:
    """Median and worst wall time, median CPU time of this process (ms; the part the neighbours on a
    shared machine do not inflate, PostgreSQL's work excluded), queries, response size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (templates, translations, connection)
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return (
        statistics.median(times),
        max(times),
        statistics.median(cpu),
        len(ctx.captured_queries),
        len(response.content),
    )


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

    from accounts.models import Membership, User
    from registry.models import Firm

    call_command("migrate", verbosity=0)
    if args.regenerate:
        Firm.objects.filter(ref__startswith="bench-").delete()
    if Firm.objects.filter(ref__startswith="bench-").count() < UA_FIRMS + PARTNER_FIRMS:
        Firm.objects.filter(ref__startswith="bench-").delete()
        generate(random.Random(42))
    member, _ = User.objects.get_or_create(username="bench_member")
    own = Firm.objects.get(ref="bench-p-1")
    Membership.objects.get_or_create(user=member, firm=own, defaults={"role": "owner"})
    client = Client(HTTP_ACCEPT_LANGUAGE="uk")
    client.force_login(member)

    urls = [
        ("API: all firms, first page", "/api/v1/directory/"),
        ("API: all firms, page 200", "/api/v1/directory/?page=200"),
        ("API: filtered (side+offers domain+cert)", "/api/v1/directory/?side=ua&offers=munitions&certification=AQAP-2110"),
        ("API: full-text, Ukrainian", "/api/v1/directory/?search=артилерійських%20снарядів"),
        ("API: full-text, English", "/api/v1/directory/?search=thermal%20optics"),
        ("API: full-text + filters", "/api/v1/directory/?search=artillery&side=partner&country=DE&size=medium"),
        ("API: full-text, sort by name", "/api/v1/directory/?search=drones&sort=name"),
        ("page: /directory/ full-text + filter", "/directory/?search=артилерійських&side=ua"),
        ("page: /directory/ everything", "/directory/"),
        ("API: fit for my firm (all 4,000 UA firms scored)", "/api/v1/directory/?sort=fit&side=ua"),
        ("API: fit, last page (80)", "/api/v1/directory/?sort=fit&side=ua&page=80"),
        ("API: fit + full-text", "/api/v1/directory/?sort=fit&search=артилерійських"),
        ("page: /directory/?sort=fit", "/directory/?sort=fit"),
    ]  # fmt: skip
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine load average while measuring: {load} (cores: {os.cpu_count()})")
    print(f"{Firm.objects.count()} firms; {args.runs} runs each")
    print(f"{'request':48} {'median ms':>10} {'max ms':>8} {'CPU ms':>7} {'queries':>8} {'KB':>6}")
    for label, url in urls:
        median, worst, cpu, queries, size = measure(client, url, args.runs)
        print(f"{label:48} {median:10.1f} {worst:8.1f} {cpu:7.1f} {queries:8d} {size / 1024:6.0f}")
    cold_fit(client, args.runs)


def cold_fit(client, runs: int) -> None:
    """The "fit for my firm" request when the process has no prepared model (its first such request, or the first
    after a firm on the other side changed): the whole registry's model is rebuilt."""
    from matching.services.prepared import prepared_forget

    times, cpu = [], []
    for _ in range(runs):
        prepared_forget()
        t, c = time.perf_counter(), time.process_time()
        response = client.get("/api/v1/directory/?sort=fit&side=ua")
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert response.status_code == 200
    label = "API: fit, model rebuilt first (cold)"
    print(f"{label:48} {statistics.median(times):10.1f} {max(times):8.1f} {statistics.median(cpu):7.1f}")


if __name__ == "__main__":
    main()
