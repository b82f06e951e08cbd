"""How many open proposals each firm can take in a run: its capacity for the allocation in select.py."""

from __future__ import annotations

import numpy as np

from .params import MatchParams


def firm_capacity(
    employees: np.ndarray | None,
    params: MatchParams,
    n: int | None = None,
    used: np.ndarray | None = None,
    override: np.ndarray | None = None,
) -> np.ndarray:
    """Slots per firm: the override where set, else the size band (at most max_open_per_firm); minus `used`.

    Why by size: a 20-person workshop cannot follow up more than a few introductions at once, while a
    prime with business-development staff can take many; a flat cap either floods the small firm or
    starves the hub. `employees` is float (NaN = unknown, which gets params.capacity_unknown_size);
    `override` (a firm's own "introductions per month" or a ministry decision) wins where it is
    >= 0 and not NaN, and is NOT held to max_open_per_firm: a state holding the ministry sets to 40
    gets 40 (the registry bounds both settings at 50); `used` counts slots taken by open proposals the
    run does not re-select (approved, connected). None for employees means all unknown (give `n`).
    """
    if employees is None:
        if n is None:
            raise ValueError("firm_capacity: give employees or n")
        employees = np.full(n, np.nan)
    emp = np.asarray(employees, dtype=np.float64)
    bands = np.searchsorted(np.asarray(params.capacity_size_limits, dtype=np.float64), emp, side="right")
    by_size = np.asarray(params.capacity_by_size, dtype=np.int64)[np.minimum(bands, len(params.capacity_by_size) - 1)]
    cap = np.where(np.isnan(emp), params.capacity_unknown_size, by_size).astype(np.int64)
    cap = np.minimum(cap, params.max_open_per_firm)
    if override is not None:
        o = np.asarray(override, dtype=np.float64)
        given = ~np.isnan(o) & (o >= 0)
        cap = np.where(given, np.nan_to_num(o, nan=0.0).astype(np.int64), cap)
    if used is not None:
        cap = cap - np.asarray(used, dtype=np.int64)
    return np.maximum(cap, 0).astype(np.int64)
