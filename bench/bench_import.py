"""Benchmark `manage.py import_firms` of N generated firms into PostgreSQL: wall time and peak memory.

    .venv/bin/python bench/bench_import.py --firms 10000

Uses DATABASE_URL (default: the `alliance_bench_import` database on 127.0.0.1, created and
migrated if needed, emptied of firms before each run). The import runs as its own
`manage.py import_firms` process, so the peak RSS is that of the command alone. Screening
requests go to a real Redis broker (REDIS db 1 by default) instead of running in-process,
as in production; the queue is purged afterwards. Prints one JSON line:
{"firms", "seconds", "peak_rss_mb", "reimport_seconds", "reimport_peak_rss_mb"}.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/alliance_bench_import"


def ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist (PostgreSQL only)."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def run_import(path: Path, env: dict) -> tuple[float, float]:
    """Time one `import_firms` process; return (seconds, its peak RSS in MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_firms", str(path), "--skip-checks", "--no-rematch"],
        env=env, cwd=ROOT, stdout=sys.stderr,
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import_firms failed with status {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/1"))
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if url.startswith("postgres"):
        ensure_database(url)
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": args.broker, "CELERY_TASK_ALWAYS_EAGER": "false"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

    import django

    django.setup()
    from django.core.management import call_command

    from core.models import OutboxMessage
    from registry.demo import generate_firm_documents
    from registry.exchange import FORMAT
    from registry.models import Firm

    call_command("migrate", verbosity=0, skip_checks=True)
    Firm.objects.all().delete()
    OutboxMessage.objects.all().delete()

    documents = generate_firm_documents(args.firms, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "firms.json"
        path.write_text(json.dumps({"format": FORMAT, "firms": documents}), encoding="utf-8")
        seconds, peak_mb = run_import(path, env)
        assert Firm.objects.count() == args.firms, "not every firm was imported"
        # The same file again: every ref exists and nothing changed (the idempotent path).
        reimport_seconds, reimport_peak_mb = run_import(path, env)

    from alliance.celery import app

    app.control.purge()  # the screening requests nobody will consume here
    print(
        json.dumps(
            {
                "firms": args.firms,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak_mb, 1),
                "reimport_seconds": round(reimport_seconds, 2),
                "reimport_peak_rss_mb": round(reimport_peak_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
