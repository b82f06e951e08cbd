"""Benchmark the events meeting scheduler (events/scheduling/solver.py), in memory, no Django.

    .venv/bin/python bench/bench_events.py                       # 2,000 firms, 8,000 requests
    .venv/bin/python bench/bench_events.py --firms 250 --requests 1000   # the Kyiv forum's size

Random instance: `--days` x `--slots-per-day` slots, `--tables` tables per slot, each firm
unavailable in a random `--unavailable` share of the slots, requests between random pairs
(no pair twice), random priorities. The last line on stdout is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from events.scheduling.solver import Instance, solve  # noqa: E402


def random_instance(
    *,
    firms: int,
    requests: int,
    days: int,
    slots_per_day: int,
    tables: int,
    unavailable: float,
    seed: int,
    max_per_firm: int | None = None,
) -> Instance:
    rng = np.random.default_rng(seed)
    n_slots = days * slots_per_day
    available = rng.random((firms, n_slots)) >= unavailable
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < requests:
        a, b = (int(v) for v in rng.integers(0, firms, size=2))
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    ordered = sorted(pairs)
    return Instance(
        n_participants=firms,
        n_slots=n_slots,
        tables=[tables] * n_slots,
        requests=ordered,
        available=available,
        weights=rng.random(len(ordered)).tolist(),
        max_per_firm=max_per_firm,
    )


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--firms", type=int, default=2000)
    p.add_argument("--requests", type=int, default=8000)
    p.add_argument("--days", type=int, default=2)
    p.add_argument("--slots-per-day", type=int, default=16)
    p.add_argument("--tables", type=int, default=150)
    p.add_argument("--unavailable", type=float, default=0.2)
    p.add_argument("--max-per-firm", type=int, default=None, help="K: at most this many meetings per firm")
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    instance = random_instance(
        firms=args.firms,
        requests=args.requests,
        days=args.days,
        slots_per_day=args.slots_per_day,
        tables=args.tables,
        unavailable=args.unavailable,
        seed=args.seed,
        max_per_firm=args.max_per_firm,
    )
    started = time.monotonic()
    # The solver stops a little before the limit so that the whole call fits in it.
    result = solve(
        instance,
        time_limit=max(args.time_limit - 5, 1),
        workers=args.workers,
        progress=lambda f, m: print(f"{f:5.0%} {m}", file=sys.stderr),
    )
    out = {
        "firms": args.firms,
        "requests": args.requests,
        "slots": instance.n_slots,
        "tables": args.tables,
        "max_per_firm": args.max_per_firm,
        "meetings": result.meetings,
        "upper_bound": result.upper_bound,
        "ratio": round(result.ratio, 4),
        "status": result.status,
        "seconds": round(time.monotonic() - started, 2),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
