"""50 concurrent API clients: proposal list, proposal detail and firm search (see bench/load/run.sh).

Each simulated client is a firm member (its own Bearer token, its firm's proposals) except
every tenth, which is a ministry reviewer listing all 100,000 proposals.
"""

import itertools
import json
import os
import random
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

CLIENTS = json.loads((Path(__file__).resolve().parents[2] / "test-artifacts" / "load" / "clients.json").read_text())
_numbers = itertools.count()
SEARCH_TERMS = ["Partner Systems 1", "Systems 42", "Ukrainian Works 7", "GmbH", "drones", "optics"]


class ApiClient(FastHttpUser):
    # FastHttpUser (geventhttpclient): the load generator shares the server's 2 cores, and it
    # spends several times less CPU per request than the requests-based HttpUser.
    # Default: 1-3 s between a client's requests, people and integrations that read a response
    # before the next one. THINK_TIME="0.05,0.2" makes clients that barely pause (a stress test:
    # it measures the saturated machine's queue, see README "Load").
    wait_time = between(*(float(x) for x in os.environ.get("THINK_TIME", "1,3").split(",")))

    def on_start(self) -> None:
        n = next(_numbers)
        self.rng = random.Random(n)
        self.is_reviewer = n % 10 == 9
        member = CLIENTS["members"][n % len(CLIENTS["members"])]
        token = CLIENTS["reviewer"] if self.is_reviewer else member["token"]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.proposal_ids = member["proposals"] or [0]

    @task(3)
    def proposal_list(self) -> None:
        query = "?ordering=-score" if self.is_reviewer else ""
        self.client.get(f"/api/v1/proposals/{query}", name="/api/v1/proposals/", headers=self.headers)

    @task(3)
    def proposal_detail(self) -> None:
        pk = self.rng.choice(self.proposal_ids)
        self.client.get(f"/api/v1/proposals/{pk}/", name="/api/v1/proposals/{id}/", headers=self.headers)

    @task(2)
    def firm_search(self) -> None:
        term = self.rng.choice(SEARCH_TERMS)
        query = urlencode({"search": term, "side": "partner"})
        self.client.get(f"/api/v1/firms/?{query}", name="/api/v1/firms/?search", headers=self.headers)
