"""One side of the market (Ukrainian firms or partner firms) as sparse and dense arrays."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import scipy.sparse as sp

from .platforms import ROLE_BIT, PlatformCatalogue
from .taxonomy import Taxonomy

PARTNERSHIP_TYPES = (
    "joint_venture",
    "licensed_production",
    "co_production",
    "co_development",
    "repair_hub",
    "supply",
    "technology_transfer",
    "investment",
)
CERTIFICATIONS = ("AQAP-2110", "AQAP-2210", "AQAP-2310", "ISO-9001", "AS9100", "EN-9100", "ISO-14001", "ISO-27001")
CLEARANCES = ("NONE", "NATO_RESTRICTED", "NATO_CONFIDENTIAL", "NATO_SECRET")


@dataclass(frozen=True)
class SideFeatures:
    firm_ids: np.ndarray  # (n,) int64
    names: list[str]
    offers: sp.csr_matrix  # (n, C) float32, 1.0 where offered
    seeks: sp.csr_matrix  # (n, C) float32
    offer_capacity: sp.csr_matrix  # (n, C) float32 monthly capacity (0 = not given)
    seek_capacity: sp.csr_matrix  # (n, C) float32
    partnership_types: np.ndarray  # (n, P) bool in PARTNERSHIP_TYPES order
    certifications: np.ndarray  # (n, K) bool in CERTIFICATIONS order
    clearance: np.ndarray  # (n,) int8 index into CLEARANCES
    texts: list[str]  # description + capability details
    employees: np.ndarray | None = None  # (n,) float64, NaN where unknown; None: all unknown (capacity.py)
    countries: list[str] | None = None  # ISO 3166-1 alpha-2 per firm; None: unknown
    # (n,) float64 introductions the firm takes at once (capacity.py `override`); NaN: its size decides
    intro_capacity: np.ndarray | None = None
    # (n, N) float32 role bitmask per platform (platforms.ROLE_BIT), columns in platform_catalogue order;
    # None: no platform data (the platform component then drops out of every total).
    platform_roles: sp.csr_matrix | None = None
    platform_catalogue: PlatformCatalogue | None = None

    def __len__(self) -> int:
        return len(self.firm_ids)

    def take(self, rows) -> SideFeatures:
        """The firms at `rows`, in that order (a side of one firm for a single-firm rematch)."""
        rows = np.asarray(rows, dtype=np.int64)

        def pick(x):
            if x is None:
                return None
            if isinstance(x, list):
                return [x[i] for i in rows.tolist()]
            return x[rows]

        return SideFeatures(
            **{f.name: pick(getattr(self, f.name)) for f in fields(self) if f.name != "platform_catalogue"},
            platform_catalogue=self.platform_catalogue,
        )

    def splice(self, replacement: SideFeatures, drop_ids=()) -> SideFeatures:
        """This side without the firms in `drop_ids` or in `replacement`, plus `replacement`'s firms
        (as they are now), ordered by firm id like a fresh load: the kept side after a few edits."""
        gone = np.union1d(np.asarray(drop_ids, dtype=np.int64), np.asarray(replacement.firm_ids, dtype=np.int64))
        kept = self.take(np.flatnonzero(~np.isin(self.firm_ids, gone)))
        n_a, n_b = len(kept), len(replacement)

        def join(name: str):
            a, b = getattr(kept, name), getattr(replacement, name)
            if a is None and b is None:
                return None
            if name in ("employees", "intro_capacity"):  # unknown = NaN
                a = np.full(n_a, np.nan) if a is None else a
                b = np.full(n_b, np.nan) if b is None else b
            elif name == "countries":
                a, b = a or [""] * n_a, b or [""] * n_b
            elif name == "platform_roles":
                width = (a if a is not None else b).shape[1]
                a = sp.csr_matrix((n_a, width), dtype=np.float32) if a is None else a
                b = sp.csr_matrix((n_b, width), dtype=np.float32) if b is None else b
            if isinstance(a, list):
                return a + b
            if sp.issparse(a):
                return sp.vstack([a, b], format="csr")
            return np.concatenate([a, b])

        joined = SideFeatures(
            **{f.name: join(f.name) for f in fields(self) if f.name != "platform_catalogue"},
            platform_catalogue=self.platform_catalogue or replacement.platform_catalogue,
        )
        return joined.take(np.argsort(joined.firm_ids, kind="stable"))

    @classmethod
    def from_records(
        cls, records: list[dict], taxonomy: Taxonomy, platforms: PlatformCatalogue | None = None
    ) -> SideFeatures:
        """Build from firm dicts in the exchange format plus an integer "id" (falls back to position).

        Unknown capability codes, types and certifications are ignored: the registry validates them.
        With a platform catalogue, each record's "platforms" ([{"platform": code, "role": role}]) are read.
        """
        col = taxonomy.index()
        ptype = {t: i for i, t in enumerate(PARTNERSHIP_TYPES)}
        cert = {c: i for i, c in enumerate(CERTIFICATIONS)}
        clear = {c: i for i, c in enumerate(CLEARANCES)}
        n, c = len(records), taxonomy.n
        lists: dict[str, tuple[list, list, list]] = {"offers": ([], [], []), "seeks": ([], [], [])}
        pt = np.zeros((n, len(PARTNERSHIP_TYPES)), dtype=bool)
        ce = np.zeros((n, len(CERTIFICATIONS)), dtype=bool)
        cl = np.zeros(n, dtype=np.int8)
        texts = []
        for i, r in enumerate(records):
            details = []
            for kind, (rows, cols, caps) in lists.items():
                for item in r.get(kind) or ():
                    j = col.get(item["capability"])
                    if j is None:
                        continue
                    rows.append(i)
                    cols.append(j)
                    caps.append(float(item.get("monthly_capacity") or 0))
                    if item.get("detail"):
                        details.append(item["detail"])
            for t in r.get("partnership_types") or ():
                if t in ptype:
                    pt[i, ptype[t]] = True
            for t in r.get("certifications") or ():
                if t in cert:
                    ce[i, cert[t]] = True
            cl[i] = clear.get(r.get("security_clearance") or "NONE", 0)
            texts.append(" ".join([r.get("description") or "", *details]))
        employees = np.array(
            [np.nan if r.get("employees") is None else float(r["employees"]) for r in records], dtype=np.float64
        )

        def mats(kind: str) -> tuple[sp.csr_matrix, sp.csr_matrix]:
            rows, cols, caps = lists[kind]
            ones = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, c), dtype=np.float32)
            cap = sp.csr_matrix((np.array(caps, np.float32), (rows, cols)), shape=(n, c), dtype=np.float32)
            ones.sum_duplicates()
            ones.data[:] = 1.0  # a code listed twice is still one capability
            cap.eliminate_zeros()
            return ones, cap

        offers, offer_cap = mats("offers")
        seeks, seek_cap = mats("seeks")
        ids = np.array([r.get("id", i) for i, r in enumerate(records)], dtype=np.int64)
        roles = None
        if platforms is not None:
            roles = platform_role_matrix(
                [
                    (i, e.get("platform"), e.get("role"))
                    for i, r in enumerate(records)
                    for e in r.get("platforms") or ()
                ],
                n,
                platforms,
            )
        return cls(
            firm_ids=ids,
            names=[r.get("name", str(r.get("id", i))) for i, r in enumerate(records)],
            offers=offers,
            seeks=seeks,
            offer_capacity=offer_cap,
            seek_capacity=seek_cap,
            partnership_types=pt,
            certifications=ce,
            clearance=cl,
            texts=texts,
            employees=employees,
            countries=[(r.get("country") or "").upper() for r in records],
            intro_capacity=np.array(
                [np.nan if r.get("intro_capacity") is None else float(r["intro_capacity"]) for r in records],
                dtype=np.float64,
            ),
            platform_roles=roles,
            platform_catalogue=platforms,
        )


def platform_role_matrix(links: list[tuple[int, str, str]], n: int, catalogue: PlatformCatalogue) -> sp.csr_matrix:
    """(row, platform code, role) triples -> (n, N) float32 role bitmasks; unknown codes or roles ignored."""
    col = catalogue.index()
    bits: dict[tuple[int, int], int] = {}
    for row, code, role in links:
        j, bit = col.get(code), ROLE_BIT.get(role)
        if j is not None and bit is not None:
            bits[(row, j)] = bits.get((row, j), 0) | bit
    keys = sorted(bits)
    m = sp.csr_matrix(
        (np.array([bits[k] for k in keys], np.float32), ([k[0] for k in keys], [k[1] for k in keys])),
        shape=(n, catalogue.n),
        dtype=np.float32,
    )
    m.sort_indices()
    return m
