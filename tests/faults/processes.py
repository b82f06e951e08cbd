"""Real processes for the fault tests: our own redis-server, gunicorn and management commands.

Never the shared services: the Redis on 6379 and the PostgreSQL on 5432 serve every engineer,
so a fault test starts (and kills) its own.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.celery_worker import wait_for, worker_database_url

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "faults"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(lambda: port_open(self.port), timeout=15)

    def kill(self) -> None:
        """SIGKILL: the broker vanishes as in a crash, with no goodbye to its clients."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        wait_for(lambda: not port_open(self.port), timeout=10)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=2)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


def app_env(**overrides: str) -> dict[str, str]:
    """The environment of an app process on the test database (PostgreSQL: it must see committed rows)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
        "DATABASE_URL": worker_database_url(),
        "CONN_MAX_AGE": "0",
        "DEBUG": "true",
        **overrides,
    }


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """Serve the WSGI app on a free port; yields its base URL."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"gunicorn-{port}.log"
    cmd = [
        sys.executable, "-m", "gunicorn", "alliance.wsgi:application", "-b", f"127.0.0.1:{port}",
        "-w", str(workers), "--timeout", "60", "--error-logfile", str(log), "--access-logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for(lambda: port_open(port) or process.poll() is not None, timeout=60)
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def wait_port_free(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while port_open(port) and time.monotonic() < deadline:
        time.sleep(0.1)
