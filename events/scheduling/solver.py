"""Assign accepted meeting requests to (slot, table): OR-Tools CP-SAT around a greedy placement.

The model: a request meets at most once, in a slot where both firms are available; a resource (a
firm, or an attendee shared by two firms) is in at most one meeting per slot; at most `tables`
meetings per slot; at most `max_per_firm` meetings per firm; locked meetings stay.

The objective is lexicographic: the number of meetings first, then the priorities (a request's
weight is BIG + its priority in 0..99, with BIG larger than all priorities together). Three steps,
within the time limit:

1. Selection (a MIP solved by HiGHS through scipy, one binary per request): which requests to
   hold, under the per-firm and total-table limits. It relaxes the full problem, so its proven bound is an upper bound on the
   number of meetings.
2. Placement: the selected requests, most constrained first, into free slots, with a repair pass
   that moves one meeting aside; then the others where they still fit.
3. Improvement (CP-SAT on (request, slot) booleans, started from the placement) while time is left.

The result is reported against the smallest upper bound known: the combinatorial ones of
`count_upper_bound` and the solvers' proven bounds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

# CP-SAT is given the whole model up to this many (request, slot) variables; larger instances are
# improved only by the greedy repair passes (the bench's 2,000-firm instance stays below it).
MAX_CP_VARIABLES = 400_000

Progress = Callable[[float, str], None]


@dataclass
class Instance:
    n_participants: int
    n_slots: int
    tables: Sequence[int]  # capacity (number of tables) of each slot
    requests: Sequence[tuple[int, int]]  # (participant, participant)
    available: np.ndarray  # bool [n_participants, n_slots]
    weights: Sequence[float] | None = None  # in [0, 1]: priority of each request (ranking, then score)
    max_per_firm: int | None = None
    locked: dict[int, tuple[int, int]] = field(default_factory=dict)  # request -> (slot, table index)
    # Extra resources a participant occupies besides itself (an attendee who also attends for another
    # firm): resource ids shared by participants.
    shared_resources: dict[int, Sequence[int]] = field(default_factory=dict)


@dataclass
class Result:
    assignment: dict[int, tuple[int, int]]  # request -> (slot, table index)
    meetings: int
    upper_bound: int
    status: str  # "optimal" (proven), "bound" (count at the upper bound), "feasible", "greedy"
    seconds: float
    objective: int = 0

    @property
    def ratio(self) -> float:
        return self.meetings / self.upper_bound if self.upper_bound else 1.0


PRIORITY_LEVELS = 100


def _weights(instance: Instance) -> tuple[list[int], int]:
    """Integer weights BIG + priority (0..99) and BIG: more meetings always beat better priorities."""
    raw = instance.weights or [0.0] * len(instance.requests)
    big = PRIORITY_LEVELS * max(len(raw), 1) + 1
    return [big + int(round(min(max(w, 0.0), 1.0) * (PRIORITY_LEVELS - 1))) for w in raw], big


def _resources(instance: Instance) -> list[list[int]]:
    """Resource ids each participant occupies: itself, then its shared attendees (offset past firms)."""
    out = [[p] for p in range(instance.n_participants)]
    for p, extra in instance.shared_resources.items():
        out[p].extend(instance.n_participants + r for r in extra)
    return out


def _feasible(instance: Instance) -> list[np.ndarray]:
    avail = np.asarray(instance.available, dtype=bool)
    tables = np.asarray(instance.tables) > 0
    return [np.flatnonzero(avail[a] & avail[b] & tables) for a, b in instance.requests]


def validate(instance: Instance) -> None:
    """Raise ValueError when the input is inconsistent (locked meetings that collide, bad indices)."""
    resources = _resources(instance)
    used: set[tuple[int, int]] = set()
    per_slot: dict[int, set[int]] = {}
    for r, (slot, table) in instance.locked.items():
        if not (0 <= r < len(instance.requests)) or not (0 <= slot < instance.n_slots):
            raise ValueError(f"locked meeting {r} is out of range")
        if not (0 <= table < instance.tables[slot]) or table in per_slot.setdefault(slot, set()):
            raise ValueError(f"locked meeting {r}: table {table} is not free in slot {slot}")
        per_slot[slot].add(table)
        a, b = instance.requests[r]
        for res in {*resources[a], *resources[b]}:
            if (res, slot) in used:
                raise ValueError(f"locked meeting {r} double-books a participant in slot {slot}")
            used.add((res, slot))


def count_upper_bound(instance: Instance, feasible: list[np.ndarray] | None = None) -> int:
    """An upper bound on the number of meetings any schedule can hold (locked ones included).

    The smallest of: requests with a common free slot; the tables over slots where such a
    request exists; half the sum over participants of min(requests, slots available, K); and
    per slot, min(tables, half the participants who could meet then).
    """
    feasible = feasible if feasible is not None else _feasible(instance)
    possible = [r for r, f in enumerate(feasible) if len(f)]
    n_req = len(possible)
    deg = np.zeros(instance.n_participants, dtype=np.int64)
    reachable = np.zeros((instance.n_participants, instance.n_slots), dtype=bool)
    for r in possible:
        a, b = instance.requests[r]
        deg[a] += 1
        deg[b] += 1
        reachable[a, feasible[r]] = True
        reachable[b, feasible[r]] = True
    slots_per = reachable.sum(axis=1)
    cap = np.minimum(deg, slots_per)
    if instance.max_per_firm is not None:
        cap = np.minimum(cap, instance.max_per_firm)
    by_firm = int(cap.sum()) // 2
    tables = np.asarray(instance.tables)
    per_slot_people = reachable.sum(axis=0)
    by_slot = int(np.minimum(tables, per_slot_people // 2).sum())
    return min(n_req, by_firm, by_slot)


class _Placement:
    """Meetings placed so far, with the busy (resource, slot) pairs, tables left and meetings per firm."""

    def __init__(self, instance: Instance, feasible: list[np.ndarray]):
        self.instance = instance
        self.feasible = feasible
        self.resources = _resources(instance)
        self.busy: dict[tuple[int, int], int] = {}  # (resource, slot) -> request
        self.load = np.asarray(instance.tables, dtype=np.int64).copy()
        self.count = np.zeros(instance.n_participants, dtype=np.int64)
        self.cap = instance.max_per_firm if instance.max_per_firm is not None else 1 << 30
        self.slot_of: dict[int, int] = {}

    def mine(self, r: int) -> set[int]:
        a, b = self.instance.requests[r]
        return {*self.resources[a], *self.resources[b]}

    def put(self, r: int, slot: int) -> None:
        a, b = self.instance.requests[r]
        for res in self.mine(r):
            self.busy[res, slot] = r
        self.load[slot] -= 1
        self.count[a] += 1
        self.count[b] += 1
        self.slot_of[r] = slot

    def take(self, r: int) -> None:
        slot = self.slot_of.pop(r)
        a, b = self.instance.requests[r]
        for res in self.mine(r):
            del self.busy[res, slot]
        self.load[slot] += 1
        self.count[a] -= 1
        self.count[b] -= 1

    def room(self, r: int) -> bool:
        a, b = self.instance.requests[r]
        return self.count[a] < self.cap and self.count[b] < self.cap

    def free_slot(self, r: int, *, skip: int = -1) -> int:
        """The free feasible slot with most tables left, or -1."""
        mine = self.mine(r)
        best, best_load = -1, 0
        for slot in self.feasible[r].tolist():
            if slot != skip and self.load[slot] > best_load and not any((res, slot) in self.busy for res in mine):
                best, best_load = slot, self.load[slot]
        return best

    def place_with_repair(self, r: int) -> bool:
        """Place r; if no slot is free, move one meeting in its way (not a locked one) elsewhere."""
        slot = self.free_slot(r)
        if slot >= 0:
            self.put(r, slot)
            return True
        mine = self.mine(r)
        for slot in self.feasible[r].tolist():
            blockers = {self.busy[res, slot] for res in mine if (res, slot) in self.busy}
            if len(blockers) != 1:
                continue
            (other,) = blockers
            if other in self.instance.locked:
                continue
            self.take(other)
            moved = self.free_slot(other, skip=slot)
            if moved >= 0 and self.load[slot] > 0:
                self.put(other, moved)
                self.put(r, slot)
                return True
            self.put(other, slot)
        return False


def _place(
    instance: Instance, feasible: list[np.ndarray], weights: list[int], selected: set[int] | None
) -> dict[int, int]:
    """Locked meetings, then the selected requests (fewest options first), then any other that fits."""
    placement = _Placement(instance, feasible)
    for r, (slot, _table) in instance.locked.items():
        placement.put(r, slot)
    candidates = [r for r in range(len(instance.requests)) if r not in instance.locked and len(feasible[r])]
    first = [r for r in candidates if selected is None or r in selected]
    first.sort(key=lambda r: (len(feasible[r]), -weights[r], r))
    for r in first:
        if placement.room(r):
            placement.place_with_repair(r)
    rest = sorted(
        (r for r in candidates if r not in placement.slot_of), key=lambda r: (-weights[r], len(feasible[r]), r)
    )
    for r in rest:
        if placement.room(r):
            slot = placement.free_slot(r)
            if slot >= 0:
                placement.put(r, slot)
    return placement.slot_of


def _with_tables(instance: Instance, slots: dict[int, int]) -> dict[int, tuple[int, int]]:
    """Give each meeting a table: locked ones keep theirs, the others take the lowest free ones."""
    taken: dict[int, set[int]] = {}
    out: dict[int, tuple[int, int]] = {}
    for r, (slot, table) in instance.locked.items():
        taken.setdefault(slot, set()).add(table)
        out[r] = (slot, table)
    next_free: dict[int, int] = {}
    for r in sorted(slots):
        if r in instance.locked:
            continue
        slot = slots[r]
        used = taken.setdefault(slot, set())
        t = next_free.get(slot, 0)
        while t in used:
            t += 1
        used.add(t)
        next_free[slot] = t + 1
        out[r] = (slot, t)
    return out


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    progress: Progress | None = None,
    seed: int = 0,
) -> Result:
    """The best schedule found within `time_limit` seconds, with an upper bound on the meetings."""
    started = time.monotonic()
    deadline = started + time_limit
    report = progress or (lambda fraction, message: None)
    validate(instance)
    feasible = _feasible(instance)
    for r, (slot, _table) in instance.locked.items():
        feasible[r] = np.asarray([slot])  # a locked meeting stays where it is, available or not
    weights, big = _weights(instance)
    bound = count_upper_bound(instance, feasible)
    status = "greedy"
    report(0.05, "greedy")
    slots = _place(instance, feasible, weights, None)
    if len(slots) < bound and deadline - time.monotonic() > 0.5:
        report(0.1, "selection")
        chosen = _select(instance, feasible, weights, big, deadline, time_limit * 0.4)
        if chosen is not None:
            selected, selection_bound = chosen
            bound = min(bound, max(selection_bound, 0))
            again = _place(instance, feasible, weights, selected)
            if _value(again, weights) > _value(slots, weights):
                slots = again
    n_vars = sum(len(f) for f in feasible)
    if len(slots) < bound and deadline - time.monotonic() > 0.5 and n_vars <= MAX_CP_VARIABLES:
        report(0.3, "cp-sat")
        solved = _cp_sat(instance, feasible, weights, slots, deadline, workers, seed, report, started, time_limit)
        if solved is not None:
            found, found_status, cp_bound = solved
            bound = min(bound, int(cp_bound) // big)
            if _value(found, weights) >= _value(slots, weights):
                slots, status = found, found_status
    bound = max(bound, len(slots))
    report(1.0, "done")
    return Result(
        assignment=_with_tables(instance, slots),
        meetings=len(slots),
        upper_bound=bound,
        # "bound": as many meetings as the upper bound allows (priorities may still improve).
        status="bound" if len(slots) == bound and status != "optimal" else status,
        seconds=time.monotonic() - started,
        objective=_value(slots, weights),
    )


def _value(slots: dict[int, int], weights: list[int]) -> int:
    return sum(weights[r] for r in slots)


def _select(instance, feasible, weights, big, deadline, budget):
    """Which requests to hold: a MIP over one binary per request, solved by HiGHS (scipy).

    Each participant takes at most min(K, its available slots) meetings, all together at most the
    tables over all slots, locked ones are held. Returns (selected, proven bound on their number).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    candidates = [r for r in range(len(instance.requests)) if len(feasible[r])]
    if not candidates:
        return set(), 0
    n = len(candidates)
    rows, cols = [], []
    for j, r in enumerate(candidates):
        a, b = instance.requests[r]
        rows += [a, b] if a != b else [a]
        cols += [j, j] if a != b else [j]
    usage = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(instance.n_participants, n)).tocsr()
    avail = (np.asarray(instance.available, dtype=bool) & (np.asarray(instance.tables) > 0)).sum(axis=1)
    locked_per = np.zeros(instance.n_participants)
    for r in instance.locked:
        for p in set(instance.requests[r]):
            locked_per[p] += 1
    cap = avail + locked_per
    if instance.max_per_firm is not None:
        cap = np.minimum(cap, instance.max_per_firm)
    total = float(np.asarray(instance.tables).sum())
    # One meeting is worth 1; all priorities together less than 1 (lexicographic, as `_weights`).
    scale = 1.0 / (PRIORITY_LEVELS * n)
    gain = np.array([1.0 + (weights[r] - big) * scale for r in candidates])
    lower = np.array([1.0 if r in instance.locked else 0.0 for r in candidates])
    result = milp(
        -gain,
        constraints=[LinearConstraint(usage, -np.inf, cap), LinearConstraint(np.ones((1, n)), -np.inf, total)],
        integrality=np.ones(n),
        bounds=Bounds(lower, 1.0),
        options={"time_limit": max(min(budget, deadline - time.monotonic()), 0.1), "disp": False},
    )
    if result.x is None:
        return None
    selected = {candidates[j] for j in np.flatnonzero(result.x > 0.5)}
    dual = getattr(result, "mip_dual_bound", None)
    bound = int(math.floor(-dual + 1e-6)) if dual is not None and np.isfinite(dual) else len(candidates)
    return selected, bound


def _cp_sat(instance, feasible, weights, hint, deadline, workers, seed, report, started, total):
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    resources = _resources(instance)
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_resource_slot: dict[tuple[int, int], list] = {}
    by_slot: dict[int, list] = {}
    by_participant: dict[int, list] = {}
    for r, slots in enumerate(feasible):
        if not len(slots):
            continue
        a, b = instance.requests[r]
        mine = {*resources[a], *resources[b]}
        row = []
        for s in slots.tolist():
            var = model.new_bool_var("")
            x[r, s] = var
            row.append(var)
            by_slot.setdefault(s, []).append(var)
            for res in mine:
                by_resource_slot.setdefault((res, s), []).append(var)
        model.add_at_most_one(row)
        by_participant.setdefault(a, []).extend(row)
        by_participant.setdefault(b, []).extend(row)
    for group in by_resource_slot.values():
        if len(group) > 1:
            model.add_at_most_one(group)
    for s, group in by_slot.items():
        if len(group) > instance.tables[s]:
            model.add(sum(group) <= instance.tables[s])
    if instance.max_per_firm is not None:
        for group in by_participant.values():
            if len(group) > instance.max_per_firm:
                model.add(sum(group) <= instance.max_per_firm)
    for r, (slot, _table) in instance.locked.items():
        model.add(x[r, slot] == 1)
    model.maximize(sum(weights[r] * var for (r, _s), var in x.items()))
    for (r, s), var in x.items():
        model.add_hint(var, 1 if hint.get(r) == s else 0)

    solver = cp_model.CpSolver()
    # Measured after building the model, which takes seconds on the largest instances.
    solver.parameters.max_time_in_seconds = max(deadline - time.monotonic(), 0.1)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed

    class Callback(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            elapsed = time.monotonic() - started
            report(min(0.3 + 0.65 * elapsed / max(total, 0.1), 0.95), "cp-sat")

    code = solver.solve(model, Callback())
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    slots = {r: s for (r, s), var in x.items() if solver.boolean_value(var)}
    status = "optimal" if code == cp_model.OPTIMAL else "feasible"
    return slots, status, solver.best_objective_bound
