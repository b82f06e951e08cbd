"""Curated adjacency between capabilities: which capabilities a producer of another can take on.

data/adjacency.csv holds weighted, symmetric edges (code_a, code_b, weight, rationale). A need met
by an adjacent offer earns the edge's weight; exact = 1; same domain otherwise = domain_credit.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .taxonomy import Taxonomy

DEFAULT_CSV = Path(__file__).resolve().parent / "data" / "adjacency.csv"


@dataclass(frozen=True)
class Adjacency:
    edges: tuple[tuple[str, str, float, str], ...]  # (code_a, code_b, weight, rationale)

    @classmethod
    def from_csv(cls, path: str | Path = DEFAULT_CSV) -> Adjacency:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        edges = tuple((r["code_a"], r["code_b"], float(r["weight"]), r["rationale"]) for r in rows)
        for a, b, w, _ in edges:
            if a == b or not 0 < w < 1:
                raise ValueError(f"adjacency {a} - {b}: weight must be in (0, 1) between two codes")
        return cls(edges)

    def matrix(self, taxonomy: Taxonomy) -> np.ndarray:
        """(C, C) float32, symmetric, curated weights off the diagonal, 0 elsewhere."""
        col = taxonomy.index()
        unknown = sorted({c for a, b, _, _ in self.edges for c in (a, b)} - set(col))
        if unknown:
            raise ValueError(f"adjacency names codes outside the taxonomy: {unknown}")
        m = np.zeros((taxonomy.n, taxonomy.n), dtype=np.float32)
        for a, b, w, _ in self.edges:
            i, j = col[a], col[b]
            m[i, j] = m[j, i] = max(m[i, j], np.float32(w))
        return m

    def rationale(self, a: str, b: str) -> str:
        for x, y, _, why in self.edges:
            if {x, y} == {a, b}:
                return why
        return ""


@lru_cache(maxsize=1)
def default_adjacency() -> Adjacency:
    return Adjacency.from_csv()


def credit_matrix(taxonomy: Taxonomy, domain_credit: float, adjacency: Adjacency | None) -> np.ndarray:
    """(C, C) float32 credit of offering column j for a need in column i: 1 exact, the curated
    weight where adjacent (never below domain_credit within a domain), domain_credit in the domain."""
    same = taxonomy.domains[:, None] == taxonomy.domains[None, :]
    s = np.where(same, np.float32(domain_credit), np.float32(0)).astype(np.float32)
    if adjacency is not None:
        np.maximum(s, adjacency.matrix(taxonomy), out=s)
    np.fill_diagonal(s, 1.0)
    return s
