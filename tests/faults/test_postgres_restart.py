"""PostgreSQL restarted during a full match run: the run completes (its steps retry) or ends
`failed` with the error recorded; never half-written proposals.

Slow and needs root (initdb as postgres): runs under `make faults` (RUN_SLOW_FAULTS=1), not in CI.
The shared PostgreSQL on 5432 is never touched: the test starts its OWN cluster on a free port
(initdb into a temporary directory), and a real celery worker (Redis database 7) against it.
"""

import os
import shutil
import subprocess
import tempfile
import time

import psycopg
import pytest
from django.db import connection

from tests.celery_worker import fast_redelivery, running_worker, send_task, wait_for
from tests.faults.processes import app_env, free_port, manage

PG_BIN = "/usr/lib/postgresql/15/bin"
REDIS_DB = 7

pytestmark = [
    pytest.mark.slow,
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("RUN_SLOW_FAULTS"), reason="slow: run with `make faults`"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(not os.path.exists(f"{PG_BIN}/initdb") or os.geteuid() != 0, reason="needs initdb and root"),
]


def _as_postgres(*cmd: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True, text=True, **kwargs
    )


@pytest.fixture
def own_cluster():
    """A private PostgreSQL 15 cluster: yields (database URL, pg_ctl restart callable)."""
    datadir = tempfile.mkdtemp(prefix="alliance-pgfault-")
    shutil.chown(datadir, "postgres", "postgres")
    port = free_port()
    _as_postgres(f"{PG_BIN}/initdb", "-D", datadir, "-U", "postgres", "--auth=trust", "-E", "UTF8")
    options = f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [f"{PG_BIN}/pg_ctl", "-D", datadir, "-o", options, "-l", f"{datadir}/log", "-w"]
    _as_postgres(*pg_ctl, "start")
    _as_postgres(f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "alliance_pgfault")
    url = f"postgres://postgres@127.0.0.1:{port}/alliance_pgfault"
    try:
        yield url, lambda: _as_postgres(*pg_ctl, "-m", "fast", "restart")
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", *pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(datadir, ignore_errors=True)


def _query(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3) as conn:
        return conn.execute(sql).fetchall()


def _proposals(url: str) -> list[tuple]:
    return sorted(
        _query(url, "select ukrainian_id, partner_id, round(score::numeric, 9), rank_for_ukrainian, rank_for_partner "
               "from matching_proposal")
    )  # fmt: skip


def _shell(url: str, code: str) -> str:
    result = manage(
        "shell",
        "-c",
        code,
        env=app_env(DATABASE_URL=url, CELERY_TASK_ALWAYS_EAGER="true", MATCH_CHUNK_SIZE="2"),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""  # after the shell's banner


def test_postgres_restarted_mid_run_gives_a_complete_run_or_a_recorded_failure(own_cluster):
    url, restart = own_cluster
    env = app_env(DATABASE_URL=url, CELERY_TASK_ALWAYS_EAGER="true", MATCH_CHUNK_SIZE="2")
    for args in (("migrate", "--noinput"), ("seed_demo", "--seed", "42")):
        result = manage(*args, env=env, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
    run_id = int(
        _shell(url, "from matching.services.runs import match_run_start; print(match_run_start(enqueue=False).pk)")
    )

    def run_row():
        try:
            return _query(
                url, f"select status, chunks_done, chunks_total, error from matching_matchrun where id = {run_id}"
            )[0]
        except psycopg.OperationalError:
            return ("unreachable", 0, 0, "")

    worker_env = {"DATABASE_URL": url, "MATCH_CHUNK_SIZE": "2", **fast_redelivery(10, sweep=False)}
    with running_worker(redis_db=REDIS_DB, concurrency=2, env=worker_env) as worker:
        send_task(worker, "matching.tasks.run_full_match_task", run_id=run_id)
        wait_for(lambda: run_row()[1] >= 1, timeout=180, interval=0.05)
        restart()  # fast mode: every open connection is terminated mid-transaction
        restarted_at = run_row()
        wait_for(lambda: run_row()[0] in ("succeeded", "failed"), timeout=300, interval=0.5)
        time.sleep(1)
        log = worker.log()

    status, done, total, error = run_row()
    assert restarted_at[0] == "running" and restarted_at[1] < restarted_at[2], "the run ended before the restart"
    if status == "failed":
        assert error, "a failed run must record its error"
        assert not _query(url, f"select 1 from matching_proposal where run_id = {run_id}"), "half-written proposals"
        return
    assert (done, total) == (total, total)
    assert "OperationalError" in log or "InterfaceError" in log or "terminat" in log, "the restart went unnoticed?"
    disturbed = _proposals(url)
    assert disturbed and len(disturbed) == len({(u, p) for u, p, *_ in disturbed})

    # The same run undisturbed, from an empty proposal table, must give the same proposals.
    _query_exec = "from matching.models import MatchRun, Proposal; Proposal.objects.all().delete(); MatchRun.objects.all().delete()"
    _shell(url, _query_exec)
    _shell(
        url,
        "from matching.services.runs import match_run_execute, match_run_start; "
        "print(match_run_execute(run_id=match_run_start(enqueue=False).pk).status)",
    )
    assert _proposals(url) == disturbed
