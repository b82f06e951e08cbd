"""Warm the gunicorn workers before the measured run: every worker imports its lazy modules,
opens its database connection and fills Django's caches (URL resolver, translations) on its
first requests, which cost up to 2 s. A deployment does this behind its readiness check; the
load test measures the service warm, as clients meet it.

    python bench/load/warmup.py http://127.0.0.1:PORT [ROUNDS]
"""

import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CLIENTS = json.loads((Path(__file__).resolve().parents[2] / "test-artifacts" / "load" / "clients.json").read_text())


def fetch(base: str, path: str, token: str) -> int:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (the loopback URL from run.sh)
        response.read()
        return response.status


def main() -> None:
    base, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10
    member = CLIENTS["members"][0]
    calls = []
    for _ in range(rounds):
        calls += [
            ("/api/v1/proposals/", member["token"]),
            ("/api/v1/proposals/?ordering=-score", CLIENTS["reviewer"]),
            (f"/api/v1/proposals/{(member['proposals'] or [0])[0]}/", member["token"]),
            ("/api/v1/firms/?search=GmbH&side=partner", member["token"]),
        ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda call: fetch(base, *call), calls))
    print(f"warm-up: {len(statuses)} requests, statuses {sorted(set(statuses))}")


if __name__ == "__main__":
    main()
