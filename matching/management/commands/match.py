"""`manage.py match [--wait]`: a full match run, with a progress bar and a summary.

No broker configured (CELERY_TASK_ALWAYS_EAGER): the run executes here, chunk by chunk.
With a broker: the run is enqueued for the workers; `--wait` follows it until it ends.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import ApplicationError
from matching.models import MatchRun
from matching.services.runs import match_run_execute, match_run_start

FINISHED = (MatchRun.Status.SUCCEEDED, MatchRun.Status.FAILED)


class Command(BaseCommand):
    help = "Score every eligible Ukrainian-partner pair and write proposals (a full match run)."

    def add_arguments(self, parser):
        parser.add_argument("--wait", action="store_true", help="With a broker: follow the run until it ends.")
        parser.add_argument("--poll", type=float, default=0.5, help="Seconds between progress checks (default 0.5).")
        parser.add_argument("--timeout", type=float, default=3600, help="Give up waiting after this many seconds.")

    def handle(self, *args, wait: bool, poll: float, timeout: float, verbosity: int, **options):
        in_process = settings.CELERY_TASK_ALWAYS_EAGER
        try:
            run = match_run_start(enqueue=not in_process)
        except ApplicationError as exc:
            raise CommandError(exc.message)
        # tqdm needs a raw stream (OutputWrapper.write appends newlines); _out is the one call_command was given.
        bar = tqdm(total=0, unit="chunk", desc=f"match run #{run.pk}", disable=verbosity < 1, file=self.stderr._out)
        try:
            if in_process:
                run = match_run_execute(run_id=run.pk, progress=lambda done, total: _show(bar, done, total))
            elif wait:
                run = self._follow(run, bar, poll, timeout)
            else:
                self.stdout.write(f"Match run #{run.pk} queued; follow it with GET /api/v1/match-runs/{run.pk}/")
                return
        except Exception as exc:
            bar.close()
            raise CommandError(f"Match run #{run.pk} failed: {exc}")
        bar.close()
        self._summary(run)

    def _follow(self, run: MatchRun, bar: tqdm, poll: float, timeout: float) -> MatchRun:
        deadline = time.monotonic() + timeout
        while run.status not in FINISHED:
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Match run #{run.pk} still {run.status} after {timeout:.0f} s; it goes on in the workers."
                )
            time.sleep(poll)
            run.refresh_from_db()
            _show(bar, run.chunks_done, run.chunks_total)
        return run

    def _summary(self, run: MatchRun) -> None:
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else 0.0
        if run.status == MatchRun.Status.FAILED:
            raise CommandError(f"Match run #{run.pk} failed: {run.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Match run #{run.pk} {run.status}: {run.pairs_scored:,} pairs scored in {run.chunks_total} chunks; "
                f"proposals {run.proposals_created} created, {run.proposals_updated} updated, "
                f"{run.proposals_superseded} superseded; {seconds:.1f} s."
            )
        )


def _show(bar: tqdm, done: int, total: int) -> None:
    if bar.total != total:
        bar.total = total
    bar.n = done
    bar.refresh()
