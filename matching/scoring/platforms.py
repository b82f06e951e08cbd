"""The platform catalogue (weapon systems firms make, repair or supply) as arrays, and the role bits.

A firm's platforms travel in `SideFeatures.platform_roles`: a (n, N) matrix of role bitmasks,
columns in catalogue order. The model groups them: "makes" (oem, produces) against "services"
(repairs, supplies parts or ammunition) and "needs" (operates it and needs support).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "registry" / "data" / "platforms.csv"

PLATFORM_ROLES = ("oem", "produces", "repairs", "supplies_parts", "supplies_ammunition", "operates_needs_support")
ROLE_BIT = {r: 1 << i for i, r in enumerate(PLATFORM_ROLES)}
MAKES = ROLE_BIT["oem"] | ROLE_BIT["produces"]
SERVICES = ROLE_BIT["repairs"] | ROLE_BIT["supplies_parts"] | ROLE_BIT["supplies_ammunition"]
NEEDS = ROLE_BIT["operates_needs_support"]


def calibre_family(calibre: str) -> str:
    """'155mm L52' and '155mm L39' are one family: keep the leading calibre token."""
    m = re.match(r"\s*([0-9][0-9.,x]*\s*(mm)?)", calibre or "")
    return m.group(1).replace(" ", "") if m else ""


@dataclass(frozen=True)
class PlatformCatalogue:
    codes: list[str]
    kinds: list[str]
    names_en: list[str]
    names_uk: list[str]
    origins: list[str]
    calibres: list[str]
    capabilities: list[list[str]]  # taxonomy codes the platform calls for, the main one first

    @classmethod
    def from_rows(cls, rows: list[dict]) -> PlatformCatalogue:
        """Rows with code, kind, name_en, name_uk, origin, calibre, capabilities (list or ';'-joined)."""
        rows = sorted(rows, key=lambda r: r["code"])

        def caps(v) -> list[str]:
            return [c for c in (v.split(";") if isinstance(v, str) else list(v or ())) if c]

        return cls(
            codes=[r["code"] for r in rows],
            kinds=[r["kind"] for r in rows],
            names_en=[r["name_en"] for r in rows],
            names_uk=[r["name_uk"] for r in rows],
            origins=[r.get("origin") or "" for r in rows],
            calibres=[r.get("calibre") or "" for r in rows],
            capabilities=[caps(r.get("capabilities")) for r in rows],
        )

    @classmethod
    def from_csv(cls, path: str | Path = DEFAULT_CSV) -> PlatformCatalogue:
        with open(path, newline="", encoding="utf-8") as fh:
            return cls.from_rows(list(csv.DictReader(fh)))

    @property
    def n(self) -> int:
        return len(self.codes)

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.codes)}

    def family_matrix(self, family_credit: float) -> np.ndarray:
        """(N, N) float32: 1 on the diagonal, family_credit for the same kind and calibre, else 0."""
        fam = [
            f"{k}|{calibre_family(c)}" if calibre_family(c) else None
            for k, c in zip(self.kinds, self.calibres, strict=True)
        ]
        keys = np.array([f or f"#{i}" for i, f in enumerate(fam)])
        m = np.where(keys[:, None] == keys[None, :], np.float32(family_credit), np.float32(0)).astype(np.float32)
        np.fill_diagonal(m, 1.0)
        return m
