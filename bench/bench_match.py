"""Benchmark the matching engine.

    .venv/bin/python bench/bench_match.py --ukrainian 2000 --partners 20000 [--seed S]
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/bench_match.py --db --workers 1,2

In memory (the default, no Django): generate a population and time feature building + scoring +
top-k + allocation (`bench.match_memory.run_in_memory`). `--db`: the whole path through
PostgreSQL and real Celery worker processes (`bench.match_db.run_db`). Progress goes to stderr;
the last line printed on stdout is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ukrainian", type=int, default=2000, help="Ukrainian firms (default 2000)")
    p.add_argument("--partners", type=int, default=20000, help="partner firms (default 20000)")
    p.add_argument("--seed", type=int, default=1, help="population seed (default 1)")
    p.add_argument("--chunk-size", type=int, default=None, help="Ukrainian rows per chunk")
    p.add_argument("--threads", type=int, default=None, help="chunks scored at once (default: 1)")
    p.add_argument(
        "--db",
        action="store_true",
        help="whole path instead: firms written to PostgreSQL (DATABASE_URL), a full run through real "
        "Celery worker processes (Redis), proposals written",
    )
    p.add_argument("--workers", default="1,2", help="--db: worker process counts to time, e.g. 1,2")
    p.add_argument("--redis-db", type=int, default=3, help="--db: Redis database number for the broker")
    p.add_argument("--keep-population", action="store_true", help="--db: reuse bench firms of the same size")
    return p


def _django() -> None:
    """Set Django up for --db, unless the caller (a test) already did."""
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
        import django

        django.setup()


def main(argv: list[str] | None = None, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    args = parser().parse_args(argv)

    def progress(message: str) -> None:
        print(message, file=stderr)

    if args.ukrainian < 1 or args.partners < 1:
        print("--ukrainian and --partners: must be at least 1", file=stderr)
        return 2
    if args.db:
        try:
            workers = tuple(int(w) for w in args.workers.split(","))
        except ValueError:
            print("--workers: a comma-separated list of process counts, e.g. 1,2", file=stderr)
            return 2
        _django()
        from bench.match_db import run_db

        try:
            result = run_db(
                args.ukrainian,
                args.partners,
                args.seed,
                workers=workers,
                redis_db=args.redis_db,
                chunk_size=args.chunk_size,
                keep_population=args.keep_population,
                progress=progress,
            )
        except RuntimeError as exc:
            print(str(exc), file=stderr)
            return 2
    else:
        from bench.match_memory import run_in_memory
        from matching.scoring import MatchParams

        params = MatchParams()
        if args.chunk_size:
            params = MatchParams.from_dict({**params.to_dict(), "chunk_size": args.chunk_size})
        result = run_in_memory(
            args.ukrainian, args.partners, args.seed, params=params, progress=progress, threads=args.threads
        )
    print(json.dumps(result), file=stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
