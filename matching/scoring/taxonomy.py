"""The capability taxonomy as arrays: index = column of every capability matrix."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "registry" / "data" / "capabilities.csv"


@dataclass(frozen=True)
class Taxonomy:
    codes: list[str]
    domains: np.ndarray  # (C,) int32 domain index per capability
    domain_names: list[str]  # domain index -> domain code
    names_en: list[str]
    names_uk: list[str]
    ml_categories: list[str]

    @classmethod
    def from_rows(cls, rows: list[dict]) -> Taxonomy:
        """Rows with code, domain, name_en, name_uk, ml_category (the CSV columns, or Capability.values())."""
        rows = sorted(rows, key=lambda r: r["code"])  # column order must not depend on file or query order
        domain_names = sorted({r["domain"] for r in rows})
        domain_index = {d: i for i, d in enumerate(domain_names)}
        return cls(
            codes=[r["code"] for r in rows],
            domains=np.array([domain_index[r["domain"]] for r in rows], dtype=np.int32),
            domain_names=domain_names,
            names_en=[r["name_en"] for r in rows],
            names_uk=[r["name_uk"] for r in rows],
            ml_categories=[r.get("ml_category") or "" for r in rows],
        )

    @classmethod
    def from_csv(cls, path: str | Path = DEFAULT_CSV) -> Taxonomy:
        with open(path, newline="", encoding="utf-8") as fh:
            return cls.from_rows(list(csv.DictReader(fh)))

    @property
    def n(self) -> int:
        return len(self.codes)

    @property
    def n_domains(self) -> int:
        return len(self.domain_names)

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.codes)}
