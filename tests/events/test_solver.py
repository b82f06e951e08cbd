"""The scheduler core (events/scheduling): constraints hold on random instances, bounds are bounds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.scheduling.slots import event_slots, parse_hhmm
from events.scheduling.solver import Instance, count_upper_bound, solve, validate


def check(instance: Instance, assignment: dict[int, tuple[int, int]]) -> None:
    """Every hard constraint of a schedule."""
    seen: set[tuple[int, int]] = set()
    tables: set[tuple[int, int]] = set()
    per_firm = np.zeros(instance.n_participants, dtype=int)
    for r, (slot, table) in assignment.items():
        a, b = instance.requests[r]
        for firm in (a, b):
            assert (firm, slot) not in seen, f"firm {firm} double-booked in slot {slot}"
            seen.add((firm, slot))
            per_firm[firm] += 1
            if r not in instance.locked:
                assert instance.available[firm, slot], f"firm {firm} unavailable in slot {slot}"
        for shared in {x for f in (a, b) for x in instance.shared_resources.get(f, ())}:
            key = (-1 - shared, slot)
            assert key not in seen, f"shared attendee {shared} double-booked"
            seen.add(key)
        assert 0 <= table < instance.tables[slot]
        assert (slot, table) not in tables, "two meetings at one table"
        tables.add((slot, table))
    if instance.max_per_firm is not None:
        assert per_firm.max(initial=0) <= instance.max_per_firm
    for r, placed in instance.locked.items():
        assert assignment[r] == placed, "a locked meeting moved"


@st.composite
def instances(draw):
    n = draw(st.integers(2, 9))
    n_slots = draw(st.integers(1, 6))
    pairs = list(itertools.combinations(range(n), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(len(pairs), 18)))
    available = np.array(
        draw(st.lists(st.lists(st.booleans(), min_size=n_slots, max_size=n_slots), min_size=n, max_size=n))
    )
    tables = draw(st.lists(st.integers(0, 3), min_size=n_slots, max_size=n_slots))
    k = draw(st.one_of(st.none(), st.integers(1, 4)))
    shared = {}
    if n >= 2 and draw(st.booleans()):
        shared = {0: [0], 1: [0]}  # one person attends for firms 0 and 1
    instance = Instance(
        n_participants=n,
        n_slots=n_slots,
        tables=tables,
        requests=chosen,
        available=available,
        weights=draw(st.lists(st.floats(0, 1), min_size=len(chosen), max_size=len(chosen))),
        max_per_firm=k,
        shared_resources=shared,
    )
    # Lock a few meetings taken from a valid schedule (possibly where availability now says no).
    if chosen and draw(st.booleans()):
        first = solve(instance, time_limit=1, workers=1)
        keep = draw(st.lists(st.sampled_from(sorted(first.assignment) or [None]), unique=True, max_size=3))
        instance.locked = {r: first.assignment[r] for r in keep if r is not None}
        if instance.locked:
            instance.available = instance.available.copy()
            r = next(iter(instance.locked))
            instance.available[instance.requests[r][0], instance.locked[r][0]] = False
    return instance


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_schedules_never_double_book_respect_availability_and_keep_locked_meetings(instance):
    result = solve(instance, time_limit=2, workers=1)
    check(instance, result.assignment)
    assert result.meetings <= result.upper_bound


def _brute_force_max(instance: Instance) -> int:
    """The most meetings any schedule holds, by trying every slot (or none) for every request."""
    options = []
    for a, b in instance.requests:
        options.append(
            [None] + [s for s in range(instance.n_slots) if instance.available[a, s] and instance.available[b, s]]
        )
    best = 0
    for choice in itertools.product(*options):
        used, per_slot, per_firm, ok = set(), {}, {}, True
        for (a, b), s in zip(instance.requests, choice, strict=True):
            if s is None:
                continue
            for f in (a, b):
                if (f, s) in used or per_firm.get(f, 0) >= (instance.max_per_firm or 99):
                    ok = False
                used.add((f, s))
                per_firm[f] = per_firm.get(f, 0) + 1
            per_slot[s] = per_slot.get(s, 0) + 1
            if per_slot[s] > instance.tables[s]:
                ok = False
        if ok:
            best = max(best, sum(c is not None for c in choice))
    return best


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.sampled_from(list(itertools.combinations(range(n), 2))), unique=True, max_size=5),
            st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=n, max_size=n),
            st.lists(st.integers(0, 2), min_size=3, max_size=3),
        )
    )
)
def test_the_upper_bound_is_never_below_the_true_optimum_and_small_instances_are_solved_optimally(data):
    n, pairs, available, tables = data
    instance = Instance(n_participants=n, n_slots=3, tables=tables, requests=pairs, available=np.array(available))
    optimum = _brute_force_max(instance)
    assert count_upper_bound(instance) >= optimum
    result = solve(instance, time_limit=5, workers=1)
    assert result.meetings == optimum
    assert result.upper_bound >= optimum


def test_locked_meetings_that_collide_are_refused():
    instance = Instance(
        n_participants=3,
        n_slots=2,
        tables=[2, 2],
        requests=[(0, 1), (0, 2)],
        available=np.ones((3, 2), dtype=bool),
        locked={0: (0, 0), 1: (0, 1)},
    )
    with pytest.raises(ValueError, match="double-books"):
        validate(instance)


def test_priority_decides_between_requests_competing_for_the_last_table():
    instance = Instance(
        n_participants=4,
        n_slots=1,
        tables=[1],
        requests=[(0, 1), (2, 3)],
        available=np.ones((4, 1), dtype=bool),
        weights=[0.1, 0.9],
    )
    assert set(solve(instance, time_limit=2).assignment) == {1}


def test_at_most_k_meetings_per_firm():
    instance = Instance(
        n_participants=4,
        n_slots=4,
        tables=[5] * 4,
        requests=[(0, 1), (0, 2), (0, 3)],
        available=np.ones((4, 4), dtype=bool),
        max_per_firm=2,
    )
    result = solve(instance, time_limit=2)
    assert result.meetings == 2 and result.upper_bound == 2


def test_slots_follow_blocks_and_breaks():
    import datetime as dt

    slots = event_slots(
        days=[dt.date(2027, 3, 10), dt.date(2027, 3, 11)],
        blocks=[{"start": "09:00", "end": "10:10"}, {"start": "11:00", "end": "12:00"}],
        meeting_minutes=30,
    )
    assert [(s.day, s.start.strftime("%H:%M")) for s in slots[:4]] == [
        (0, "09:00"),
        (0, "09:30"),
        (0, "11:00"),
        (0, "11:30"),
    ]
    assert len(slots) == 8 and slots[-1].index == 7
    with pytest.raises(ValueError):
        parse_hhmm("9:00")


def test_bench_size_reaches_97_percent_of_the_bound_quickly():
    """A quarter of the benchmark (500 firms, 2,000 requests, 38 tables) in a few seconds."""
    from bench.bench_events import random_instance

    instance = random_instance(firms=500, requests=2000, days=2, slots_per_day=16, tables=38, unavailable=0.2, seed=3)
    result = solve(instance, time_limit=10)
    check(instance, result.assignment)
    assert result.ratio >= 0.97


def test_the_scheduling_core_imports_no_django():
    import subprocess
    import sys

    code = (
        "import sys, events.scheduling.solver, events.scheduling.slots; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework', 'celery')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=__file__.rsplit("/tests/", 1)[0])
