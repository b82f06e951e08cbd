"""Benchmark the matching engine: `manage.py bench_match --ukrainian N --partners M [--seed S]`.

The in-memory mode generates a population and times feature building + scoring + top-k +
selection (the body is `matching.scoring.bench.run_in_memory`, Django-free). The last line
printed is a JSON object with pairs, seconds, pairs_per_second, peak_rss_mb, rematch_seconds.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from matching.scoring import MatchParams
from matching.scoring.bench import run_in_memory


class Command(BaseCommand):
    help = "Time scoring and top-k over a generated population; prints JSON as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--ukrainian", type=int, default=2000, help="Ukrainian firms (default 2000)")
        parser.add_argument("--partners", type=int, default=20000, help="partner firms (default 20000)")
        parser.add_argument("--seed", type=int, default=1, help="population seed (default 1)")
        parser.add_argument("--chunk-size", type=int, default=None, help="Ukrainian rows per chunk")
        parser.add_argument("--threads", type=int, default=None, help="chunks scored at once (default: 1)")
        parser.add_argument(
            "--db",
            action="store_true",
            help="whole path instead: firms written to PostgreSQL (DATABASE_URL), a full run through real "
            "Celery worker processes (Redis), proposals written",
        )
        parser.add_argument("--workers", default="1,2", help="--db: worker process counts to time, e.g. 1,2")
        parser.add_argument("--redis-db", type=int, default=3, help="--db: Redis database number for the broker")
        parser.add_argument(
            "--keep-population", action="store_true", help="--db: reuse bench firms of the same size already written"
        )

    def handle(self, *args, **options):
        result = self.run_db(options) if options["db"] else self.run_memory(options)
        self.stdout.write(json.dumps(result))

    def run_memory(self, options) -> dict:
        n_ua, n_partners = options["ukrainian"], options["partners"]
        if n_ua < 1 or n_partners < 1:
            raise CommandError("--ukrainian and --partners: must be at least 1")
        params = MatchParams()
        if options.get("chunk_size"):
            params = MatchParams.from_dict({**params.to_dict(), "chunk_size": options["chunk_size"]})
        return run_in_memory(
            n_ua, n_partners, options["seed"], params=params, progress=self.progress, threads=options.get("threads")
        )

    def run_db(self, options) -> dict:
        from matching.bench_db import run_db

        try:
            workers = tuple(int(w) for w in options["workers"].split(","))
        except ValueError:
            raise CommandError("--workers: a comma-separated list of process counts, e.g. 1,2")
        try:
            return run_db(
                options["ukrainian"],
                options["partners"],
                options["seed"],
                workers=workers,
                redis_db=options["redis_db"],
                chunk_size=options.get("chunk_size"),
                keep_population=options["keep_population"],
                progress=self.progress,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc))

    def progress(self, message: str) -> None:
        self.stderr.write(message)
