"""A full match run through a REAL celery worker process (prefork, 2 children) on Redis and PostgreSQL."""

import pytest

from matching.models import MatchChunk, MatchRun, Proposal
from matching.services.runs import match_run_start
from tests.celery_worker import fast_redelivery, running_worker, send_task, wait_for
from tests.matching.population import PAIRS, make_population

REDIS_DB = 3  # the pipeline engineer's Redis database

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _finished(run_id: int) -> bool:
    return MatchRun.objects.get(pk=run_id).status in (MatchRun.Status.SUCCEEDED, MatchRun.Status.FAILED)


def test_a_full_run_through_a_real_worker_writes_proposals(settings):
    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 1}  # 3 chunk tasks, spread over 2 processes
    firms = make_population()
    run = match_run_start(enqueue=False)

    with running_worker(redis_db=REDIS_DB, concurrency=2) as worker:
        send_task(worker, "matching.tasks.run_full_match_task", run_id=run.pk)
        wait_for(lambda: _finished(run.pk), timeout=120)
        log = worker.log()

    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert (run.chunks_done, run.chunks_total) == (3, 3)
    assert MatchChunk.objects.filter(run=run, done_at__isnull=False).count() == 3
    assert log.count("matching.tasks.match_chunk_task") >= 3 and "finalise_match_task" in log
    for ua_ref, partner_ref in PAIRS:
        p = Proposal.objects.get(ukrainian=firms[ua_ref], partner=firms[partner_ref])
        assert p.run_id == run.pk and p.rank_for_ukrainian == 1 and p.reasons["en"]
    assert Proposal.objects.count() == run.proposals_created


def test_a_repeated_run_message_on_the_worker_changes_nothing(settings):
    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 2}
    make_population()
    run = match_run_start(enqueue=False)

    with running_worker(redis_db=REDIS_DB, concurrency=2) as worker:
        send_task(worker, "matching.tasks.run_full_match_task", run_id=run.pk)
        wait_for(lambda: _finished(run.pk), timeout=120)
        before = sorted(Proposal.objects.values_list("ukrainian_id", "partner_id", "score", "run_id"))
        # Redelivery (acks_late after a lost worker) of every step: all claims are conditional.
        send_task(worker, "matching.tasks.run_full_match_task", run_id=run.pk)
        send_task(worker, "matching.tasks.match_chunk_task", run_id=run.pk, index=0)
        send_task(worker, "matching.tasks.finalise_match_task", run_id=run.pk)
        wait_for(lambda: worker.log().count("succeeded in") >= 4 + run.chunks_total, timeout=60)

    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED and run.chunks_done == run.chunks_total == 2
    assert sorted(Proposal.objects.values_list("ukrainian_id", "partner_id", "score", "run_id")) == before


@pytest.mark.slow
def test_a_worker_killed_mid_run_leaves_the_run_to_finish_on_another_with_nothing_lost_or_doubled(settings):
    """SIGKILL the only worker after its first chunk; a second worker picks up the unacked chunk messages."""
    import os
    import signal

    from bench.match_db import bench_population_write
    from matching.services.runs import match_run_execute

    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 4}
    bench_population_write(40, 4000, seed=7, say=lambda msg: None)  # 10 chunks of ~0.5 s
    run = match_run_start(enqueue=False)
    # Unacked messages come back after 2 s, not 15 min; the second worker sweeps for them every second.
    with running_worker(redis_db=REDIS_DB, concurrency=1, env=fast_redelivery(2, sweep=False)) as first:
        send_task(first, "matching.tasks.run_full_match_task", run_id=run.pk)
        wait_for(lambda: MatchRun.objects.get(pk=run.pk).chunks_done >= 1, timeout=120, interval=0.05)
        os.killpg(first.process.pid, signal.SIGKILL)  # no warm shutdown: the chunk in flight is never acked
        first.process.wait(timeout=10)
    killed_at = MatchRun.objects.get(pk=run.pk)
    assert killed_at.status == MatchRun.Status.RUNNING and killed_at.chunks_done < killed_at.chunks_total

    with running_worker(redis_db=REDIS_DB, concurrency=2, env=fast_redelivery(2), queue=first.queue):
        wait_for(lambda: _finished(run.pk), timeout=180)

    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert run.chunks_done == run.chunks_total == 10
    assert MatchChunk.objects.filter(run=run, done_at__isnull=False).count() == 10
    pairs = list(Proposal.objects.values_list("ukrainian_id", "partner_id", "score"))
    assert len(pairs) == len({(u, p) for u, p, _ in pairs}) == run.proposals_created > 0
    # Nothing lost: an uninterrupted in-process run over the same data finds exactly the same proposals.
    again = match_run_execute(run_id=match_run_start(enqueue=False).pk)
    assert (again.proposals_created, again.proposals_superseded) == (0, 0)
    assert sorted(Proposal.objects.values_list("ukrainian_id", "partner_id", "score")) == sorted(pairs)


def test_bench_match_db_times_a_run_through_real_workers_and_prints_json_last(settings):
    import json
    from io import StringIO

    from bench.bench_match import main
    from tests.celery_worker import skip_unless_worker_possible

    skip_unless_worker_possible(REDIS_DB)
    settings.MATCHING = dict(settings.MATCHING)  # --chunk-size overrides it: restored after the test
    out, err = StringIO(), StringIO()
    assert main(
        ["--db", "--ukrainian", "12", "--partners", "120", "--workers", "1", "--chunk-size", "5",
         "--redis-db", str(REDIS_DB)], stdout=out, stderr=err,
    ) == 0  # fmt: skip
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["mode"] == "db" and result["pairs"] == 12 * 120
    (run,) = result["runs"]
    assert run["workers"] == 1 and run["chunks"] == 3 and run["proposals_created"] > 0
    assert MatchRun.objects.get(pk=run["run_id"]).status == MatchRun.Status.SUCCEEDED
    assert result["rematch_seconds"] > 0 and result["peak_rss_mb"] > 0
