"""A generated market with planted complementary pairs, for benchmarks and the labelled evaluation.

Firms specialise in a home domain, seek what producers of their capabilities need, and describe
themselves in words built from capability jargon plus filler. For a share of Ukrainian firms a
few partners are planted as true fits (two-way or strong one-way, workable terms). Noise makes
it realistic: background firms that fit by chance, needs left untagged and written only in the
description, near-miss decoys (same domain, wrong capability), one-sided decoys on unworkable
terms (wrong partnership type, a fraction of the capacity, no AQAP), and competitors that seek
the same things.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import CERTIFICATIONS, CLEARANCES, PARTNERSHIP_TYPES, SideFeatures
from .taxonomy import Taxonomy

# Domains whose firms typically buy from others (suppliers of parts, materials, electronics).
SUPPLIER_DOMAINS = ("industry", "sensors", "comms", "engines", "munitions", "software")
FILLER = (
    "family owned company founded by engineers serving armed forces and civil customers",
    "modern workshop with quality management and trained staff working in three shifts",
    "experience with government tenders export documentation and after sales support",
    "flexible production lines rapid prototyping and small batch manufacturing",
    "strong engineering team testing facilities and field service across europe",
    "we value long term relationships reliable deliveries and transparent pricing",
    "our plant is located near major logistics hubs with rail and road access",
    "dual use background with automotive aerospace and energy sector customers",
)
TYPE_WEIGHTS = np.array([0.12, 0.14, 0.2, 0.1, 0.08, 0.2, 0.1, 0.06])  # PARTNERSHIP_TYPES order


@dataclass(frozen=True)
class Truth:
    pairs: frozenset[tuple[int, int]]  # (ua_row, partner_row) planted true fits
    by_ua: dict[int, list[int]]  # ua_row -> its true partner rows


class _Gen:
    def __init__(self, taxonomy: Taxonomy, seed: int) -> None:
        self.tax = taxonomy
        self.rng = np.random.default_rng(seed)
        rng, c = self.rng, taxonomy.n
        self.by_domain = {d: np.flatnonzero(taxonomy.domains == d) for d in range(taxonomy.n_domains)}
        supplier = [i for i, n in enumerate(taxonomy.domain_names) if n in SUPPLIER_DOMAINS]
        supplier_caps = np.concatenate([self.by_domain[d] for d in supplier]) if supplier else np.arange(c)
        # What a producer of each capability needs: a sibling in its domain and suppliers' output.
        self.needs = []
        for j in range(c):
            same = self.by_domain[int(taxonomy.domains[j])]
            pool = [x for x in rng.choice(same, size=min(2, len(same)), replace=False) if x != j]
            pool += rng.choice(supplier_caps, size=3, replace=False).tolist()
            self.needs.append(sorted({int(x) for x in pool if x != j}))
        # Jargon per capability: its name's words plus model-like tokens only its makers use.
        self.jargon = []
        for j, name in enumerate(taxonomy.names_en):
            words = [w.strip("(),").lower() for w in name.split() if len(w.strip("(),")) > 2]
            stem = taxonomy.codes[j].split(".")[-1].replace("_", "")[:6]
            words += [f"{stem}{rng.integers(10, 99)}", f"{stem}-mk{rng.integers(2, 9)}"]
            self.jargon.append(words)
        self.popularity = rng.dirichlet(np.full(c, 2.0))

    def caps_text(self, caps, k=3) -> str:
        words = []
        for j in caps:
            jar = self.jargon[j]
            words += self.rng.choice(jar, size=min(k, len(jar)), replace=False).tolist()
        return " ".join(words)

    def background(self, i: int, partner: bool) -> dict:
        rng, tax = self.rng, self.tax
        home = int(rng.choice(tax.n, p=self.popularity))
        same = self.by_domain[int(tax.domains[home])]
        offers = {home, *rng.choice(same, size=rng.integers(0, min(3, len(same)) + 1), replace=True).tolist()}
        needs = sorted({x for o in offers for x in self.needs[o]} - offers)
        seeks = set(rng.choice(needs, size=min(len(needs), int(rng.integers(1, 4))), replace=False).tolist())
        types = rng.choice(len(PARTNERSHIP_TYPES), size=int(rng.integers(1, 4)), replace=False, p=TYPE_WEIGHTS)
        aqap_p = 0.5 if partner else 0.3
        certs = [
            c
            for c, p in zip(CERTIFICATIONS, (aqap_p, 0.05, 0.05, 0.6, 0.1, 0.1, 0.2, 0.1), strict=True)
            if rng.random() < p
        ]
        return {
            "id": i + 1,
            "name": f"{'P' if partner else 'U'}{i:05d}",
            "offers": {int(o): self.capacity() for o in offers},
            "seeks": {int(s): self.capacity() for s in seeks},
            "partnership_types": sorted(PARTNERSHIP_TYPES[t] for t in types),
            "certifications": certs,
            "security_clearance": CLEARANCES[int(rng.choice(4, p=[0.45, 0.3, 0.15, 0.1]))],
            "untagged": set(),  # seeks described only in words
        }

    def capacity(self) -> float | None:
        return float(np.round(self.rng.lognormal(4.5, 1.0))) + 1 if self.rng.random() < 0.5 else None

    def describe(self, f: dict) -> str:
        rng = self.rng
        parts = [f"{f['name']} makes {self.caps_text(f['offers'])}."]
        if f["seeks"] or f["untagged"]:
            parts.append(f"Looking for {self.caps_text(list(f['seeks']) + sorted(f['untagged']))}.")
        parts += rng.choice(FILLER, size=2, replace=False).tolist()
        return " ".join(parts)


def _record(f: dict, tax: Taxonomy, text: str) -> dict:
    def items(d):
        return [{"capability": tax.codes[j], "monthly_capacity": q} for j, q in sorted(d.items())]

    return {
        **{k: f[k] for k in ("id", "name", "partnership_types", "certifications", "security_clearance")},
        "offers": items(f["offers"]),
        "seeks": items(f["seeks"]),
        "description": text,
    }


def generate_population(
    n_ua: int, n_partners: int, seed: int, taxonomy: Taxonomy, planted_share: float = 0.4
) -> tuple[SideFeatures, SideFeatures, Truth]:
    """n_ua Ukrainian and n_partners partner firms; truth = planted (ua_row, partner_row) fits."""
    g = _Gen(taxonomy, seed)
    rng = g.rng
    ua = [g.background(i, partner=False) for i in range(n_ua)]
    pa = [g.background(i, partner=True) for i in range(n_partners)]
    by_ua: dict[int, list[int]] = {}
    free = rng.permutation(n_partners).tolist()  # each partner planted or decoyed at most once
    planted = rng.choice(n_ua, size=int(planted_share * n_ua), replace=False) if n_partners >= 10 else []
    for u in sorted(int(x) for x in planted):
        n_true, n_decoy = int(rng.integers(2, 5)), int(rng.integers(2, 5))
        if len(free) < n_true + n_decoy:
            break
        f = ua[u]
        f["partnership_types"] = sorted(set(f["partnership_types"]) | {"co_production"})
        by_ua[u] = [free.pop() for _ in range(n_true)]
        for p in by_ua[u]:
            _plant_true(g, f, pa[p])
        for kind in range(n_decoy):
            _plant_decoy(g, f, pa[free.pop()], kind % 3)
        if len(f["seeks"]) >= 2 and rng.random() < 0.35:
            gone = int(rng.choice(sorted(f["seeks"])))  # the firm forgot to tag this need
            del f["seeks"][gone]
            f["untagged"].add(gone)
    ua_records = [_record(f, taxonomy, g.describe(f)) for f in ua]
    pa_records = [_record(f, taxonomy, g.describe(f)) for f in pa]
    truth = Truth(frozenset((u, p) for u, ps in by_ua.items() for p in ps), by_ua)
    return SideFeatures.from_records(ua_records, taxonomy), SideFeatures.from_records(pa_records, taxonomy), truth


def _plant_true(g: _Gen, u: dict, p: dict) -> None:
    """p supplies most of u's needs in quantity, usually needs something u makes, on workable terms."""
    rng = g.rng
    seeks = sorted(u["seeks"])
    cover = rng.choice(seeks, size=max(1, int(np.ceil(len(seeks) * rng.uniform(0.5, 1.0)))), replace=False)
    keep = {int(o): q for o, q in p["offers"].items() if rng.random() < 0.3}
    p["offers"] = keep | {
        int(s): (None if u["seeks"][s] is None else u["seeks"][s] * float(rng.uniform(1.0, 4.0))) for s in cover
    }
    if rng.random() < 0.8:
        o = int(rng.choice(sorted(u["offers"])))
        p["seeks"] = {k: v for k, v in p["seeks"].items() if k not in p["offers"]} | {o: None}
    p["partnership_types"] = sorted(
        set(p["partnership_types"]) | {str(rng.choice(["co_production", "licensed_production", "joint_venture"]))}
    )
    if "AQAP-2110" in u["certifications"] and rng.random() < 0.8:
        p["certifications"] = sorted(set(p["certifications"]) | {"AQAP-2110"})
    cu = CLEARANCES.index(u["security_clearance"])
    p["security_clearance"] = CLEARANCES[int(np.clip(cu + rng.integers(-1, 2), 0, 3))]


def _plant_decoy(g: _Gen, u: dict, p: dict, kind: int) -> None:
    rng, tax = g.rng, g.tax
    seeks = sorted(u["seeks"])
    if kind == 0:  # near miss: a sibling capability in the sought domain, not the one needed
        s = int(rng.choice(seeks))
        siblings = [int(x) for x in g.by_domain[int(tax.domains[s])] if x != s and x not in u["seeks"]]
        if siblings:
            p["offers"] = {int(rng.choice(siblings)): g.capacity()}
        p["seeks"] = {int(rng.choice(sorted(u["offers"]))): None}
    elif kind == 1:  # one-sided on unworkable terms: right capability, a trickle, wrong arrangement
        p["offers"] = {int(s): (None if u["seeks"][s] is None else max(1.0, u["seeks"][s] * 0.03)) for s in seeks}
        p["seeks"] = {}
        p["partnership_types"] = ["investment"]
        p["certifications"] = [c for c in p["certifications"] if c != "AQAP-2110"]
        cu = CLEARANCES.index(u["security_clearance"])
        p["security_clearance"] = CLEARANCES[3 if cu < 2 else 0]
    else:  # competitor: makes what u makes and seeks what u seeks
        p["offers"] = dict(u["offers"])
        p["seeks"] = dict(u["seeks"])
