"""A generated market with planted complementary pairs, for benchmarks and the labelled evaluation.

Firms specialise in a home domain, offer a few capabilities there and seek what producers of
those capabilities need. Each capability comes in a few variants (a thermal core is 384x288 or
640x512): the variant is written only in the capability detail, as a real firm would, and the
description repeats the capability names in words plus filler.

For a share of Ukrainian firms, 2-4 partners are planted as true fits: they supply the variant
the firm needs (most of its needs, in quantity), usually need something it makes, on workable
terms (a co-production type, AQAP-2110 when the firm holds it, a close clearance level).
Noise, so tags alone do not find them:
- background firms that fit by chance, often in the wrong variant;
- needs left untagged (35% of planted firms): written only in the description;
- near-miss decoys: a sibling capability in the same domain, not the one needed;
- one-sided decoys: exactly the right capability and variant, but a trickle of capacity, an
  investment-only arrangement, no AQAP and a distant clearance, needing nothing back;
- competitors: make and seek the same things as the firm.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from .features import CERTIFICATIONS, CLEARANCES, PARTNERSHIP_TYPES, SideFeatures
from .taxonomy import Taxonomy

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
CERT_RATES = (0.05, 0.05, 0.6, 0.1, 0.1, 0.2, 0.1)  # CERTIFICATIONS[1:]; AQAP-2110 set per side
CLEARANCE_RATES = (0.45, 0.3, 0.15, 0.1)
VARIANTS = 4
DECOY_KINDS = ("near_miss", "one_sided", "competitor")


@dataclass(frozen=True)
class Truth:
    pairs: frozenset[tuple[int, int]]  # (ua_row, partner_row) planted true fits
    by_ua: dict[int, list[int]]  # ua_row -> its true partner rows
    decoys: dict[int, list[tuple[int, str]]]  # ua_row -> (partner_row, kind) planted decoys
    untagged: dict[int, list[int]]  # ua_row -> capability columns it needs but did not tag


class _Gen:
    def __init__(self, taxonomy: Taxonomy, seed: int) -> None:
        self.tax = taxonomy
        self.rng = rng = np.random.default_rng(seed)
        c = taxonomy.n
        self.by_domain = {d: np.flatnonzero(taxonomy.domains == d) for d in range(taxonomy.n_domains)}
        supplier = [i for i, n in enumerate(taxonomy.domain_names) if n in SUPPLIER_DOMAINS]
        supplier_caps = np.concatenate([self.by_domain[d] for d in supplier]) if supplier else np.arange(c)
        # What a producer of each capability needs: a sibling in its domain and suppliers' output.
        self.needs = []
        for j in range(c):
            same = self.by_domain[int(taxonomy.domains[j])]
            pool = rng.choice(same, size=min(2, len(same)), replace=False).tolist()
            pool += rng.choice(supplier_caps, size=3, replace=False).tolist()
            self.needs.append(sorted({int(x) for x in pool} - {j}))
        self.name_words = [
            " ".join(w.strip("(),").lower() for w in name.split() if len(w.strip("(),")) > 2)
            for name in taxonomy.names_en
        ]
        # Variant jargon: model-like tokens only the makers and buyers of that variant write.
        self.variant_words = []
        for j in range(c):
            stem = taxonomy.codes[j].split(".")[-1].replace("_", "")[:4]
            nums = rng.choice(np.arange(100, 1000), size=2 * VARIANTS, replace=False)
            self.variant_words.append([f"{stem}{nums[2 * v]} {stem}-mk{nums[2 * v + 1]}" for v in range(VARIANTS)])
        self.cum_popularity = np.cumsum(rng.dirichlet(np.full(c, 2.0))).tolist()
        # Per-firm draws use the stdlib generator: scalar draws are ~10x cheaper than numpy's.
        self.r = random.Random(seed)
        self.domain_lists = {d: v.tolist() for d, v in self.by_domain.items()}

    def capacity(self) -> float | None:
        return float(round(self.r.lognormvariate(4.5, 1.0))) + 1 if self.r.random() < 0.5 else None

    def item(self) -> tuple[float | None, int]:
        return self.capacity(), self.r.randrange(VARIANTS)

    def background(self, i: int, partner: bool) -> dict:
        r, tax = self.r, self.tax
        home = r.choices(range(tax.n), cum_weights=self.cum_popularity)[0]
        same = self.domain_lists[int(tax.domains[home])]
        offers = {home, *r.choices(same, k=r.randrange(0, min(3, len(same)) + 1))}
        needs = sorted({x for o in offers for x in self.needs[o]} - offers)
        seeks = r.sample(needs, min(len(needs), r.randrange(1, 4)))
        # Weighted sampling without replacement (Efraimidis-Spirakis keys).
        types = sorted(range(len(PARTNERSHIP_TYPES)), key=lambda t: -(r.random() ** (1 / TYPE_WEIGHTS[t])))
        types = types[: r.randrange(1, 4)]
        draws = [r.random() for _ in CERTIFICATIONS]
        certs = [
            c for c, p, d in zip(CERTIFICATIONS, (0.5 if partner else 0.3, *CERT_RATES), draws, strict=True) if d < p
        ]
        return {
            "id": i + 1,
            "name": f"{'P' if partner else 'U'}{i:05d}",
            "offers": {int(o): self.item() for o in offers},
            "seeks": {int(s): self.item() for s in seeks},
            "untagged": {},  # needs described only in words
            "partnership_types": sorted(PARTNERSHIP_TYPES[t] for t in types),
            "certifications": certs,
            "security_clearance": r.choices(CLEARANCES, weights=CLEARANCE_RATES)[0],
        }

    def record(self, f: dict) -> dict:
        """The exchange-format record: variants only in details, names and filler in the description."""
        tax = self.tax

        def items(d: dict) -> list[dict]:
            return [
                {"capability": tax.codes[j], "monthly_capacity": q, "detail": self.variant_words[j][v]}
                for j, (q, v) in sorted(d.items())
            ]

        text = f"{f['name']} makes {', '.join(self.name_words[j] for j in sorted(f['offers']))}."
        if f["seeks"]:
            text += f" Looking for {', '.join(self.name_words[j] for j in sorted(f['seeks']))}."
        for j, v in sorted(f["untagged"].items()):
            text += f" We also need {self.name_words[j]}, {self.variant_words[j][v]}."
        text += " " + " ".join(self.r.sample(FILLER, 2))
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
    r = g.r
    ua = [g.background(i, partner=False) for i in range(n_ua)]
    pa = [g.background(i, partner=True) for i in range(n_partners)]
    by_ua: dict[int, list[int]] = {}
    decoys: dict[int, list[tuple[int, str]]] = {}
    untagged: dict[int, list[int]] = {}
    free = list(range(n_partners))
    r.shuffle(free)  # each partner planted or decoyed at most once
    planted = r.sample(range(n_ua), int(planted_share * n_ua)) if n_partners >= 10 else []
    for u in sorted(planted):
        n_true, n_decoy = r.randrange(2, 5), r.randrange(2, 5)
        if len(free) < n_true + n_decoy:
            break
        f = ua[u]
        f["partnership_types"] = sorted(set(f["partnership_types"]) | {"co_production"})
        if len(f["seeks"]) >= 2 and r.random() < 0.35:
            gone = r.choice(sorted(f["seeks"]))  # the firm forgot to tag this need
            f["untagged"][gone] = f["seeks"].pop(gone)[1]
            untagged[u] = [gone]
        by_ua[u] = [free.pop() for _ in range(n_true)]
        for p in by_ua[u]:
            _plant_true(g, f, pa[p])
        decoys[u] = [(free.pop(), DECOY_KINDS[k % 3]) for k in range(n_decoy)]
        for p, kind in decoys[u]:
            _plant_decoy(g, f, pa[p], kind)
    truth = Truth(frozenset((u, p) for u, ps in by_ua.items() for p in ps), by_ua, decoys, untagged)
    ua_features = SideFeatures.from_records([g.record(f) for f in ua], taxonomy)
    return ua_features, SideFeatures.from_records([g.record(f) for f in pa], taxonomy), truth


def _plant_true(g: _Gen, u: dict, p: dict) -> None:
    """p supplies most of u's needs in u's variant and quantity, usually needs something u makes."""
    r = g.r
    needs = {j: (q, v) for j, (q, v) in u["seeks"].items()} | {j: (None, v) for j, v in u["untagged"].items()}
    keys = sorted(needs)
    cover = set(r.sample(keys, max(1, int(np.ceil(len(keys) * r.uniform(0.5, 1.0))))))
    cover |= set(u["untagged"])  # the untagged need is what this partner is for
    kept = {j: item for j, item in p["offers"].items() if r.random() < 0.3}
    supply = {j: (None if needs[j][0] is None else needs[j][0] * r.uniform(1.0, 4.0), needs[j][1]) for j in cover}
    p["offers"] = kept | supply
    if r.random() < 0.8:
        o = r.choice(sorted(u["offers"]))
        p["seeks"] = {j: item for j, item in p["seeks"].items() if j not in p["offers"]} | {
            o: (None, u["offers"][o][1])
        }
    arrangement = r.choice(["co_production", "licensed_production", "joint_venture"])
    p["partnership_types"] = sorted(set(p["partnership_types"]) | {arrangement})
    if "AQAP-2110" in u["certifications"] and r.random() < 0.8:
        p["certifications"] = sorted(set(p["certifications"]) | {"AQAP-2110"})
    cu = CLEARANCES.index(u["security_clearance"])
    p["security_clearance"] = CLEARANCES[min(3, max(0, cu + r.randrange(-1, 2)))]


def _plant_decoy(g: _Gen, u: dict, p: dict, kind: str) -> None:
    r, tax = g.r, g.tax
    seeks = sorted(u["seeks"]) or sorted(u["untagged"])
    if kind == "near_miss":  # a sibling capability in the sought domain, not the one needed
        s = r.choice(seeks)
        siblings = [x for x in g.domain_lists[int(tax.domains[s])] if x != s and x not in u["seeks"]]
        if siblings:
            p["offers"] = {r.choice(siblings): g.item()}
        o = r.choice(sorted(u["offers"]))
        p["seeks"] = {o: (None, u["offers"][o][1])}
    elif kind == "one_sided":  # right capability and variant, a trickle, unworkable terms
        p["offers"] = {j: (None if q is None else max(1.0, q * 0.03), v) for j, (q, v) in u["seeks"].items()}
        p["seeks"] = {}
        p["partnership_types"] = ["investment"]
        p["certifications"] = [c for c in p["certifications"] if c != "AQAP-2110"]
        cu = CLEARANCES.index(u["security_clearance"])
        p["security_clearance"] = CLEARANCES[3 if cu < 2 else 0]
    else:  # competitor: makes and seeks the same things
        p["offers"] = dict(u["offers"])
        p["seeks"] = dict(u["seeks"])
