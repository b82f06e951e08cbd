"""A real `celery worker` subprocess against Redis and the test database, for tests about queues.

Usage (PostgreSQL only: the worker must see rows the test committed):

    from tests.celery_worker import running_worker, send_task, wait_for

    @pytest.mark.celery_worker
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_x(...):
        with running_worker(redis_db=3, env={"EMAIL_BACKEND": ...}) as worker:
            send_task(worker, "matching.tasks.run_full_match_task", run_id=run.pk)
            wait_for(lambda: ..., timeout=60)

Each worker gets its own queue name, so messages left over from another test (or another
engineer's worker on the same Redis database) are never consumed by it. Tasks the worker
enqueues itself (chunks, finalisers, notifications) go to the same queue, via
CELERY_TASK_DEFAULT_QUEUE in its environment. `serialized_rollback=True` matters: the
transactional test's flush would otherwise empty the capability taxonomy for later tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery.exceptions import AlwaysEagerIgnored
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def redis_url(db: int) -> str:
    """TEST_REDIS_URL (CI) or the local default, with the database number replaced by `db`."""
    base = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    head, _, tail = base.rpartition("/")
    return f"{head}/{db}" if tail.isdigit() else f"{base.rstrip('/')}/{db}"


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def worker_database_url() -> str:
    """A DATABASE_URL for the test database this process uses (PostgreSQL)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def skip_unless_worker_possible(redis_db: int) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a shared database: run with DATABASE_URL=postgres://...")
    if not redis_available(redis_url(redis_db)):
        pytest.skip(f"Redis not reachable at {redis_url(redis_db)}")


@dataclass
class Worker:
    process: subprocess.Popen
    queue: str
    broker_url: str
    logfile: Path

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""


@contextmanager
def running_worker(
    *,
    redis_db: int,
    concurrency: int = 2,
    env: dict[str, str] | None = None,
    ready_timeout: float = 60,
    queue: str | None = None,
) -> Iterator[Worker]:
    """Start `celery -A alliance worker` (prefork) on a fresh queue; stop it (its process group) on exit."""
    skip_unless_worker_possible(redis_db)
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"  # pass the queue of a killed worker to take over its messages
    broker = redis_url(redis_db)
    logdir = ROOT / "test-artifacts" / "celery"
    logdir.mkdir(parents=True, exist_ok=True)
    logfile = logdir / f"{queue}.log"
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
        "DATABASE_URL": worker_database_url(),
        "CONN_MAX_AGE": "0",  # no pooled connections left behind to block the test database's teardown
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **(env or {}),
    }
    cmd = [
        sys.executable, "-m", "celery", "-A", "alliance", "worker", "-Q", queue, "--pool=prefork",
        f"--concurrency={concurrency}", "-n", f"{queue}@%h", "-l", "INFO", "--logfile", str(logfile),
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(cmd, cwd=ROOT, env=worker_env, start_new_session=True)
    worker = Worker(process=process, queue=queue, broker_url=broker, logfile=logfile)
    try:
        wait_for(lambda: " ready." in worker.log() or process.poll() is not None, timeout=ready_timeout)
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited with {process.returncode}:\n{worker.log()[-3000:]}")
        yield worker
    finally:
        stop_worker(worker)


def stop_worker(worker: Worker, timeout: float = 20) -> None:
    """Warm shutdown of the worker's own process group, then SIGKILL if it lingers."""
    if worker.process.poll() is None:
        os.killpg(worker.process.pid, signal.SIGTERM)
        try:
            worker.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait(timeout=10)


def fast_redelivery(visibility_timeout: int, *, sweep: bool = True) -> dict[str, str]:
    """Worker environment in which a dead worker's unacknowledged messages come back quickly.

    They return once older than `visibility_timeout` seconds, found by a sweep that kombu runs
    every 100 s by default; `sweep=True` runs it every second (give it to the worker that takes
    over). The sweep's lock expires in 3 s, so a worker killed while holding it blocks nobody long.
    """
    env = {"CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout), "CELERY_UNACKED_MUTEX_EXPIRE": "3"}
    if sweep:
        env.update(CELERY_UNACKED_RESTORE_INTERVAL="1", CELERY_UNACKED_RESTORE_THROTTLE="1")
    return env


def send_task(worker: Worker, name: str, **kwargs) -> None:
    """Send a task by name to the worker's queue over its broker (the test process may be in eager mode)."""
    from alliance.celery import app

    with app.connection_for_write(worker.broker_url) as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore", AlwaysEagerIgnored)  # exactly why we send by name: eager does not apply
        app.send_task(name, kwargs=kwargs, queue=worker.queue, connection=conn)


@contextmanager
def publishing_to(worker: Worker) -> Iterator[None]:
    """Make this test process publish for real (outbox relays, `.delay()`) to `worker`'s broker and queue."""
    from alliance.celery import app

    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(broker_url=worker.broker_url, task_always_eager=False, task_default_queue=worker.queue)
    _reset_producer_pool(app)  # producers must connect to the worker's broker, not a cached one
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_producer_pool(app)


def _reset_producer_pool(app) -> None:
    # Celery caches its connection and producer pools on first use; drop them so the next send
    # connects with the current broker_url.
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


def wait_for(
    condition: Callable[[], bool],
    timeout: float = 60,
    interval: float = 0.2,
    describe: Callable[[], str] | None = None,
) -> None:
    """Poll `condition` until true; on timeout say what `describe` sees (the state that never came)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            seen = f"; {describe()}" if describe else ""
            raise TimeoutError(f"condition not met within {timeout} s{seen}")
        time.sleep(interval)
