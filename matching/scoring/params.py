"""Every weight and threshold of the matching engine, in one place, stored with each run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

COMPONENTS = ("complementarity", "coproduction", "partnership", "text", "assurance", "capacity", "platforms")

# Complementarity carries the decision; text is a weak, noisy signal; capacity only
# counts for pairs where both sides gave quantities (its weight drops out otherwise); platforms
# only where either firm declared a platform (likewise).
DEFAULT_WEIGHTS = {
    "complementarity": 0.40,
    "coproduction": 0.10,
    "partnership": 0.10,
    "text": 0.20,
    "assurance": 0.10,
    "capacity": 0.10,
    "platforms": 0.10,
}


@dataclass(frozen=True)
class MatchParams:
    """Weights per component (total = weighted sum / sum of applicable weights) and selection thresholds."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    # Credit for a need met only in the same domain, not the exact capability. Low because the
    # taxonomy's domains are broad ("repair" spans tank overhaul to aircraft MRO).
    domain_credit: float = 0.3
    # Curated capability adjacency (data/adjacency.csv): a need met by an adjacent offer earns the
    # edge's weight instead of domain_credit. False: the plain exact / same-domain rule.
    adjacency: bool = True
    # Implied needs: a firm open to co-production / JV / licensed production seeks producers of what
    # it offers (and, through adjacency, of neighbouring capabilities). Its inferred needs count at
    # this share of an explicit need's fit; 0 turns them off. Off by default: on the replay of real
    # partnerships (bench/README.md, "Ablation") they lifted look-alike competitors as much as the
    # true partners and cost top-5 share in every seed (0.5: 0.333/0.250/0.167; 0: 0.333/0.292/0.250).
    implied_need_weight: float = 0.0
    # Platforms: credit for the same family (kind and calibre) instead of the same platform, for the
    # platform's national industry (a firm of its origin country offering one of its capabilities)
    # instead of its maker, and for a firm open to licensing that offers the platform's main
    # capability (or an adjacent one, times the edge weight) instead of a declared role.
    platform_family_credit: float = 0.5
    platform_national_credit: float = 0.5
    platform_licence_credit: float = 0.6
    # A platform a firm names in its description (text.Analyzer's gazetteer: "PzH 2000", "Богдана")
    # counts as declared at this credit, marked inferred in the reasons: as a counterpart (it services,
    # uses or wants to produce it) and, when the firm is of the platform's origin country, as its
    # industry. 0 turns it off.
    platform_text_credit: float = 0.8
    # Capacity by size where neither side gave quantities but both gave employees: 1 when the
    # Ukrainian firm is at least the partner's size, this much less per tenfold smaller (a 150-person
    # plant is not a JV partner for a 30,000-person OEM's volumes). 0 turns it off. Replay of real
    # partnerships (bench/README.md): MRR 0.147/0.151/0.154 -> see "Capacity by size".
    size_fit_per_decade: float = 0.5
    top_k: int = 5  # proposals per firm, for each side
    # Ceiling over the size-band capacity (capacity.py); a firm's own setting or the ministry's
    # override may exceed it, up to the registry's limit of 50.
    max_open_per_firm: int = 20
    min_score: float = 0.2  # pairs below this are never proposed
    chunk_size: int = 250  # Ukrainian rows scored per block; bounds memory at chunk_size x partners
    text_max_features: int = 20000  # TF-IDF vocabulary cap; keeps the text product fast
    aqap_weight: float = 0.5  # share of assurance given to AQAP-2110 on both sides
    cert_weight: float = 0.25  # share of assurance given to the other certifications in common
    clearance_weight: float = 0.25  # share of assurance given to compatible clearance levels
    # A pair needs some substance (complementarity, co-production or text at least this high) to be
    # scored at all: matching paperwork and partnership types alone do not make a partner.
    min_substance: float = 0.05
    # Allocation (select.py): a pair's value is score * (1 + reciprocity_weight * (1/rank_u + 1/rank_p) / 2),
    # ranks in each side's full scored list, so a pair both sides rank highly beats one only one side likes.
    reciprocity_weight: float = 0.5
    # Partner-side ranks are exact up to this depth (each chunk keeps its best scores per partner
    # column) and unknown beyond; 1/rank is small there anyway.
    rank_depth: int = 50
    # Proposals a firm can hold at once by size (employees below each limit; the last band is the
    # rest; see capacity.py), within max_open_per_firm. Unknown size gets capacity_unknown_size.
    capacity_size_limits: tuple[int, ...] = (50, 250, 1000)
    capacity_by_size: tuple[int, ...] = (3, 5, 10, 20)
    capacity_unknown_size: int = 5

    def __post_init__(self) -> None:
        # Stored runs keep these as JSON lists: normalise so a round trip compares equal.
        object.__setattr__(self, "capacity_size_limits", tuple(int(x) for x in self.capacity_size_limits))
        object.__setattr__(self, "capacity_by_size", tuple(int(x) for x in self.capacity_by_size))
        unknown = set(self.weights) - set(COMPONENTS)
        missing = set(COMPONENTS) - set(self.weights)
        if unknown or missing:
            raise ValueError(
                f"weights: need exactly {COMPONENTS}; unknown {sorted(unknown)}, missing {sorted(missing)}"
            )
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
            raise ValueError("weights: must be non-negative with a positive sum")
        for name in (
            "domain_credit",
            "implied_need_weight",
            "platform_family_credit",
            "platform_national_credit",
            "platform_licence_credit",
            "platform_text_credit",
        ):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name}: must be between 0 and 1")
        if self.top_k < 1 or self.max_open_per_firm < 1 or self.chunk_size < 1:
            raise ValueError("top_k, max_open_per_firm, chunk_size: must be at least 1")
        if self.reciprocity_weight < 0:
            raise ValueError("reciprocity_weight: must be non-negative")
        if self.rank_depth < 1:
            raise ValueError("rank_depth: must be at least 1")
        limits, caps = self.capacity_size_limits, self.capacity_by_size
        if (
            len(caps) != len(limits) + 1
            or any(b <= a for a, b in zip(limits, limits[1:], strict=False))
            or min(caps + (self.capacity_unknown_size,)) < 0
        ):
            raise ValueError(
                "capacity_by_size: one non-negative capacity per band, i.e. len(capacity_size_limits) + 1, "
                "with increasing capacity_size_limits"
            )

    def weight_vector(self) -> list[float]:
        return [float(self.weights[c]) for c in COMPONENTS]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["capacity_size_limits"] = list(self.capacity_size_limits)
        d["capacity_by_size"] = list(self.capacity_by_size)
        d["weights"] = {c: float(self.weights[c]) for c in COMPONENTS}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> MatchParams:
        """Inverse of to_dict; missing keys take defaults, unknown keys are an error."""
        names = {f.name for f in fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f"unknown matching parameters: {sorted(unknown)}")
        d = dict(d)
        if "weights" in d:
            d["weights"] = {**DEFAULT_WEIGHTS, **d["weights"]}
        return cls(**d)
