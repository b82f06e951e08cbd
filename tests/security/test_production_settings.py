"""Production settings: the deploy check is clean, and unsafe values refuse to start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env_overrides):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests' process only; production never has it.
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_reports_nothing_with_debug_off_and_required_environment():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="alliance.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "overrides, complaint",
    [
        ({"ALLOWED_HOSTS": "alliance.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": secrets.token_urlsafe(50)}, "ALLOWED_HOSTS"),
    ],
)
def test_service_refuses_to_start_on_unsafe_production_values(overrides, complaint):
    result = _manage("check", DEBUG="false", **overrides)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_security_headers_are_sent(client, settings):
    response = client.get("/api/schema/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
