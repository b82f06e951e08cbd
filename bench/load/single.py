"""One request at a time against the load-test database: median time and query count per endpoint.

    .venv/bin/python bench/load/single.py      # after bench/load/seed.py (or `make load-test`)

Django's test client in this process with the load test's production settings (DEBUG off),
so the figures are the server's own work per request, without HTTP or concurrency.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_load")
os.environ.update(
    DJANGO_SETTINGS_MODULE="alliance.settings",
    DEBUG="false",
    SECRET_KEY="bench-only-" + "x" * 50,
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="false",
    API_TOKEN_RATE="1000000/min",  # noqa: S106 (a rate, not a password)
    CELERY_TASK_ALWAYS_EAGER="true",
    LOG_LEVEL="ERROR",
)
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/5")

RUNS = 40


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = json.loads((ROOT / "test-artifacts" / "load" / "clients.json").read_text())
    member = clients["members"][3]
    as_member = Client(HTTP_AUTHORIZATION=f"Bearer {member['token']}")
    as_reviewer = Client(HTTP_AUTHORIZATION=f"Bearer {clients['reviewer']}")
    cases = [
        ("member: proposal list (page of 50)", as_member, "/api/v1/proposals/"),
        ("reviewer: proposal list by score", as_reviewer, "/api/v1/proposals/?ordering=-score"),
        ("member: proposal detail", as_member, f"/api/v1/proposals/{member['proposals'][0]}/"),
        ("firm search: GmbH (17,100 hits)", as_member, "/api/v1/firms/?search=GmbH&side=partner"),
        ("firm search: Systems 42 (105)", as_member, "/api/v1/firms/?search=Systems+42&side=partner"),
        ("firm search: drones (4,363)", as_member, "/api/v1/firms/?search=drones&side=partner"),
        ("firm search: no hit", as_member, "/api/v1/firms/?search=Ukrainian+Works+7&side=partner"),
    ]
    print(f"{'request':38} {'status':>6} {'bytes':>7} {'median':>8} {'queries':>8}")
    for label, client, url in cases:
        client.get(url)
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"{label:38} {response.status_code:>6} {len(response.content):>7} "
            f"{statistics.median(times):6.1f} ms {len(queries):>8}"
        )


if __name__ == "__main__":
    main()
