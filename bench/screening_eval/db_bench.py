"""The PostgreSQL path of screening: import a generated N-row list, then re-screen M firms, timed.

    createdb -h 127.0.0.1 -U postgres alliance_h17_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_h17_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_h17_bench CELERY_TASK_ALWAYS_EAGER=false \\
        .venv/bin/python bench/screening_eval/db_bench.py --entries 100000 --firms 20000

The list is bench/bench_screening.py's generated list (same seed and vocabulary); the firms are
bench/match_db.py's synthetic population renamed with names drawn from that vocabulary (half
shared with the list, as real registries share words with lists). The import's own re-screen is
queued on the outbox, not run; the re-screen is timed separately with `firms_screen()`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--firms", type=int, default=20_000)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    import django

    django.setup()
    from django.db import connection

    from bench import bench_screening
    from bench.match_db import PREFIX, bench_population_write
    from compliance.namematch import GENERIC_TOKENS
    from compliance.services import firms_screen, sanctions_list_import
    from registry.models import Firm

    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    if Firm.objects.filter(ref__startswith=PREFIX).count() != options.firms:
        bench_population_write(options.firms // 2, options.firms - options.firms // 2, 1, print)
    rng = random.Random(42)
    vocabulary = bench_screening.Command._vocabulary(rng, 60000)
    firm_vocabulary = vocabulary[:30000] + bench_screening.Command._vocabulary(rng, 30000, 5)
    generic = sorted(GENERIC_TOKENS)
    firms = list(Firm.objects.filter(ref__startswith=PREFIX).order_by("pk").only("pk", "name"))
    for firm in firms:
        words = [rng.choice(firm_vocabulary).capitalize() for _ in range(rng.randint(1, 2))]
        firm.name = " ".join([*words, rng.choice(generic).capitalize(), rng.choice(["LLC", "GmbH", "Ltd", ""])]).strip()
    Firm.objects.bulk_update(firms, ["name"], batch_size=2000)
    Firm.objects.update(screening_status=Firm.ScreeningStatus.CLEAR)

    path = Path(tempfile.gettempdir()) / f"screening_bench_{options.entries}.csv"
    bench_screening.main(["--entries", str(options.entries), "--write-csv", str(path)])
    load = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    sanctions_list = sanctions_list_import(path=path, imported_by="bench")
    imported, cpu_imported = time.perf_counter(), time.process_time()
    counts = firms_screen()
    screened, cpu_screened = time.perf_counter(), time.process_time()
    result = {
        "entries": sanctions_list.entries_count,
        "rows": sanctions_list.rows_read,
        "firms": Firm.objects.count(),
        "import_seconds": round(imported - started, 1),
        "rescreen_seconds": round(screened - imported, 1),
        "total_seconds": round(screened - started, 1),
        # This process's CPU time (PostgreSQL's work is not in it): comparable across machine loads.
        "import_cpu_seconds": round(cpu_imported - cpu_started, 1),
        "rescreen_cpu_seconds": round(cpu_screened - cpu_imported, 1),
        "load_average_1min": [round(load, 2), round(os.getloadavg()[0], 2)],
        "statuses": counts,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
