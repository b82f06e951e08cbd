"""The scoring model: every component for a block of Ukrainian rows against partners, vectorised.

Each component is a (b, m) float32 array computed with sparse x dense products, BLAS on small
domain matrices, or table look-ups over the few distinct type/certificate profiles: no Python loop
over pairs. Summation orders do not depend on chunking, so scores are bitwise reproducible.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from functools import cache

import numpy as np
import scipy.sparse as sp

from .adjacency import credit_matrix, default_adjacency
from .features import CERTIFICATIONS, PARTNERSHIP_TYPES, SideFeatures
from .params import COMPONENTS, MatchParams
from .platforms import MAKES, NEEDS, SERVICES
from .taxonomy import Taxonomy
from .text import Analyzer, term_label

CI = {name: i for i, name in enumerate(COMPONENTS)}
COPRODUCTION_TYPES = ("co_production", "joint_venture", "licensed_production")

# Arrangements that work together though named differently (symmetric); 1.0 on the diagonal.
COMPATIBLE_TYPES = {
    ("supply", "co_production"): 0.6,
    ("supply", "licensed_production"): 0.6,
    ("supply", "repair_hub"): 0.6,
    ("licensed_production", "technology_transfer"): 0.8,
    ("licensed_production", "co_production"): 0.7,
    ("licensed_production", "joint_venture"): 0.6,
    ("co_development", "technology_transfer"): 0.7,
    ("co_development", "joint_venture"): 0.7,
    ("co_development", "co_production"): 0.6,
    ("joint_venture", "co_production"): 0.8,
    ("investment", "joint_venture"): 0.8,
    ("investment", "co_development"): 0.6,
    ("repair_hub", "technology_transfer"): 0.5,
}
# Equivalent standards held under another name count as held (AS9100 is the US twin of EN 9100).
CERT_EQUIVALENT = {"EN-9100": "AS9100"}


def type_compatibility_matrix() -> np.ndarray:
    p = len(PARTNERSHIP_TYPES)
    k = np.eye(p, dtype=np.float32)
    idx = {t: i for i, t in enumerate(PARTNERSHIP_TYPES)}
    for (a, b), v in COMPATIBLE_TYPES.items():
        k[idx[a], idx[b]] = k[idx[b], idx[a]] = v
    return k


def _bits(flags: np.ndarray) -> np.ndarray:
    """(n, B) bool -> (n,) int profile code."""
    return (flags.astype(np.int64) << np.arange(flags.shape[1], dtype=np.int64)).sum(axis=1)


@cache
def _partnership_table() -> np.ndarray:
    """Score for every pair of type profiles: half the best single arrangement, half mutual coverage."""
    k = type_compatibility_matrix()
    p = k.shape[0]
    sets = ((np.arange(1 << p)[:, None] >> np.arange(p)) & 1).astype(bool)  # (256, P)
    sizes = sets.sum(axis=1).astype(np.float32)
    best_with = np.where(sets[:, None, :], k[None, :, :], 0).max(axis=2)  # [B, i]: type i's best fit in set B
    s = sets.astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        cover_a = (s @ best_with.T) / sizes[:, None]  # [A, B]: mean over A's types of their best fit in B
    cover_b = cover_a.T
    best = np.where(sets[:, None, :], best_with[None, :, :], 0).max(axis=2)  # [A, B]
    table = 0.5 * best + 0.25 * (cover_a + cover_b)
    table[0, :] = table[:, 0] = 0.0  # a firm that declared no type fits nothing
    table = np.nan_to_num(table).astype(np.float32)
    table.flags.writeable = False  # shared by every Model
    return table


def _assurance_profiles(certs: np.ndarray, clearance: np.ndarray) -> np.ndarray:
    return _bits(certs) | (clearance.astype(np.int64) << len(CERTIFICATIONS))


def _assurance_table(params: MatchParams) -> np.ndarray:
    """Score for every pair of (certifications, clearance) profiles (computed once per weighting)."""
    return _assurance_table_for(params.aqap_weight, params.cert_weight, params.clearance_weight)


@cache
def _assurance_table_for(aqap_weight: float, cert_weight: float, clearance_weight: float) -> np.ndarray:
    nk = len(CERTIFICATIONS)
    codes = np.arange(1 << (nk + 2))
    certs = ((codes[:, None] >> np.arange(nk)) & 1).astype(bool)
    for src, dst in CERT_EQUIVALENT.items():
        certs[:, CERTIFICATIONS.index(dst)] |= certs[:, CERTIFICATIONS.index(src)]
        certs[:, CERTIFICATIONS.index(src)] = False
    clear = (codes >> nk).astype(np.float32)
    aqap = certs[:, CERTIFICATIONS.index("AQAP-2110")].astype(np.float32)
    # AQAP-2110 on both sides is what a NATO customer asks for; one side holding it is a start.
    aqap_fit = np.where(aqap[:, None] + aqap[None, :] == 2, 1.0, 0.25 * (aqap[:, None] + aqap[None, :]))
    other = certs.copy()
    other[:, CERTIFICATIONS.index("AQAP-2110")] = False
    o = other.astype(np.float32)
    inter = o @ o.T
    union = o.sum(1)[:, None] + o.sum(1)[None, :] - inter
    cert_fit = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    clear_fit = 1.0 - np.abs(clear[:, None] - clear[None, :]) / 3.0
    total = aqap_weight * aqap_fit + cert_weight * cert_fit + clearance_weight * clear_fit
    table = (total / (aqap_weight + cert_weight + clearance_weight)).astype(np.float32)
    table.flags.writeable = False  # shared by every Model with these weights
    return table


@dataclass
class Block:
    """Scores of b Ukrainian rows against m partner columns."""

    ua_rows: np.ndarray  # (b,)
    partner_rows: np.ndarray  # (m,)
    total: np.ndarray  # (b, m) float32
    components: np.ndarray  # (len(COMPONENTS), b, m) float32
    capacity_applicable: np.ndarray  # (b, m) bool: both sides gave quantities for a matched capability
    platforms_applicable: np.ndarray | None = None  # (b, m) bool: either firm declared a platform

    def component(self, name: str) -> np.ndarray:
        return self.components[CI[name]]


@dataclass
class ColumnTops:
    """Per partner column, the best `depth` scores among the Ukrainian rows seen so far (unordered).

    Chunks each keep theirs; merged, they give a partner's rank of a pair in its full scored list,
    exact up to `depth` and unknown (0) beyond: if fewer than `depth` kept scores beat a pair, no
    chunk dropped one that does (a chunk that dropped one kept `depth` better ones).
    """

    scores: np.ndarray  # float32 (r, m), r <= depth; -1 pads
    rows_seen: int  # Ukrainian rows behind the scores; when <= depth every score is here

    @classmethod
    def merge(cls, parts: list[ColumnTops], depth: int) -> ColumnTops:
        stacked = np.vstack([p.scores for p in parts]).astype(np.float32, copy=False)
        r = stacked.shape[0]
        if r > depth:
            stacked.partition(r - depth, axis=0)
            stacked = np.ascontiguousarray(stacked[r - depth :])
        return cls(stacked, sum(p.rows_seen for p in parts))

    def ranks(self, partner_rows: np.ndarray, scores: np.ndarray, depth: int) -> np.ndarray:
        """1 + how many Ukrainian firms the partner scores strictly higher; 0 where beyond `depth`."""
        out = np.zeros(len(scores), dtype=np.int32)
        step = max(1, 4_000_000 // max(1, self.scores.shape[0]))  # bound the gathered block to ~16 MB
        for s in range(0, len(scores), step):  # a loop over slices of pairs, each one vectorised
            cols = self.scores[:, partner_rows[s : s + step]]
            higher = (cols > scores[None, s : s + step]).sum(axis=0)
            exact = (higher < depth) | (self.rows_seen <= depth)
            out[s : s + step] = np.where(exact, higher + 1, 0)
        return out


@dataclass
class Candidates:
    """Scored pairs worth considering, with each side's rank of the pair in its full scored list.

    ua_rank / partner_rank: 1 + the number of counterparts the firm scores strictly higher; 0 where
    unknown (a single-firm rematch knows only the rescored firm's). None: not computed (ranks then
    come from the candidates themselves, or from `column_tops` for partners).
    """

    ua_rows: np.ndarray  # int32[N]
    partner_rows: np.ndarray  # int32[N]
    scores: np.ndarray  # float32[N]
    components: np.ndarray  # float32[N, len(COMPONENTS)]
    ua_rank: np.ndarray | None = None  # int32[N]
    partner_rank: np.ndarray | None = None  # int32[N]
    column_tops: ColumnTops | None = None

    def __len__(self) -> int:
        return len(self.scores)

    @classmethod
    def empty(cls) -> Candidates:
        return cls(
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0, np.float32),
            np.zeros((0, len(COMPONENTS)), np.float32),
        )

    @classmethod
    def concat(cls, parts: list[Candidates], depth: int | None = None) -> Candidates:
        """Chunks' candidates in one; ranks and column tops carried when every part has them."""
        if not parts:
            return cls.empty()

        def joined(name: str) -> np.ndarray | None:
            xs = [getattr(p, name) for p in parts]
            return None if any(x is None for x in xs) else np.concatenate(xs).astype(np.int32)

        tops = [p.column_tops for p in parts]
        merged = None
        if all(t is not None for t in tops):
            merged = ColumnTops.merge(tops, depth or max(t.scores.shape[0] for t in tops))
        return cls(
            np.concatenate([p.ua_rows for p in parts]).astype(np.int32),
            np.concatenate([p.partner_rows for p in parts]).astype(np.int32),
            np.concatenate([p.scores for p in parts]).astype(np.float32),
            np.concatenate([p.components for p in parts]).astype(np.float32),
            ua_rank=joined("ua_rank"),
            partner_rank=joined("partner_rank"),
            column_tops=merged,
        )


def _csc_lists(m: sp.csr_matrix) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per column (capability): the row indices with a value and the values."""
    c = m.tocsc()
    c.sort_indices()
    return [
        (c.indices[c.indptr[j] : c.indptr[j + 1]], c.data[c.indptr[j] : c.indptr[j + 1]]) for j in range(c.shape[1])
    ]


def _carry_rows(vectorizer, side: SideFeatures, old_side: SideFeatures, old_x: sp.csr_matrix) -> sp.csr_matrix:
    """TF-IDF rows for `side`: copied from `old_x` where the firm and its text are unchanged."""
    old_ids = np.asarray(old_side.firm_ids, dtype=np.int64)
    new_ids = np.asarray(side.firm_ids, dtype=np.int64)
    src = np.full(len(new_ids), -1, dtype=np.int64)
    if len(old_ids) and len(new_ids):
        order = np.argsort(old_ids, kind="stable")
        pos = np.minimum(np.searchsorted(old_ids[order], new_ids), len(old_ids) - 1)
        found = old_ids[order[pos]] == new_ids
        src[found] = order[pos[found]]
    for i, j in enumerate(src.tolist()):
        if j >= 0 and side.texts[i] != old_side.texts[j]:
            src[i] = -1
    fresh = np.flatnonzero(src < 0)
    if len(fresh):
        # Stack the old rows and the re-vectorised ones, then pick each firm's row in order.
        new_x = sp.csr_matrix(vectorizer.transform([side.texts[i] for i in fresh]), dtype=np.float32)
        src[fresh] = old_x.shape[0] + np.arange(len(fresh))
        old_x = sp.vstack([old_x, new_x], format="csr")
    x = sp.csr_matrix(old_x[src], dtype=np.float32)
    x.sort_indices()
    return x


def _log_size(employees: np.ndarray | None, n: int) -> np.ndarray:
    """log10(employees + 1) per firm, float32, NaN where unknown."""
    if employees is None:
        return np.full(n, np.nan, dtype=np.float32)
    return np.log10(np.asarray(employees, dtype=np.float64) + 1).astype(np.float32)


class Model:
    """Everything prepared once per run: domain matrices, profile tables, the fitted TF-IDF."""

    def __init__(
        self,
        ua: SideFeatures,
        partners: SideFeatures,
        taxonomy: Taxonomy,
        params: MatchParams,
        reuse_text_from: Model | None = None,
    ) -> None:
        """Prepare a run. `reuse_text_from`: an earlier Model whose fitted TF-IDF is reused.

        With it, only firms whose text changed are vectorised again (vocabulary and idf stay
        those of the earlier fit until the next full run): preparing a single-firm rematch at
        22,000 firms takes ~0.1 s of CPU instead of ~1 s spent tokenising every description.
        """
        self.ua, self.partners, self.taxonomy, self.params = ua, partners, taxonomy, params
        self._workspace = threading.local()  # per-thread scratch arrays, see _buffer
        c, nd = taxonomy.n, taxonomy.n_domains
        dmap = sp.csr_matrix(
            (np.ones(c, np.float32), (np.arange(c), taxonomy.domains)), shape=(c, nd), dtype=np.float32
        )
        self._dmap = dmap

        def dense_t(m) -> np.ndarray:
            return np.ascontiguousarray(m.T.toarray() if sp.issparse(m) else m.T, dtype=np.float32)

        def inv(x: np.ndarray) -> np.ndarray:
            return np.divide(1, x, out=np.zeros_like(x), where=x > 0).astype(np.float32)

        def diag(x: np.ndarray) -> sp.dia_matrix:
            return sp.diags(np.asarray(x, dtype=np.float32).ravel())

        # Each direction scores how well one firm meets the other's needs, as the mean of
        # - coverage: the mean over the seeker's needs of the credit of the best offer for it, and
        # - best need met: the highest such credit,
        # so a partner meeting one of five needs exactly is not drowned by the other four.
        # Credit (adjacency.py): exact = 1, curated adjacent capability = the edge weight, same domain
        # = domain_credit. Per firm, `met` holds the credit its offers give every capability (n, C), so
        # coverage is ONE sparse x dense product. Best need met is the max over needs: each credit level
        # k is coded 2**(bits * k) with 2**bits > C (a count of needs per level fits its digit), so one
        # float64 product sums exact integers and the highest set digit (frexp) is the best level.
        # Implied needs (firms open to co-production / JV / licensing seek producers of what they offer)
        # are scored the same way, separately, and count at implied_need_weight.
        self.adjacency = adjacency = default_adjacency() if params.adjacency else None
        self.adjacency_matrix = adjacency.matrix(taxonomy) if adjacency is not None else None
        self.credit = credit = credit_matrix(taxonomy, params.domain_credit, adjacency)
        self.levels = np.concatenate([[0], np.unique(credit[credit > 0])]).astype(np.float32)
        self._code_bits = int(c).bit_length()  # 2**bits > C
        if self._code_bits * (len(self.levels) - 1) > 52:
            raise ValueError("adjacency: too many distinct credit levels to encode exactly")
        u_inv_needs = inv(np.asarray(ua.seeks.sum(axis=1), dtype=np.float32).ravel())
        p_inv_needs = inv(np.asarray(partners.seeks.sum(axis=1), dtype=np.float32).ravel())

        def csr(m, dtype=np.float32) -> sp.csr_matrix:
            m = sp.csr_matrix(m, dtype=dtype)
            m.sort_indices()
            return m

        coprod = [PARTNERSHIP_TYPES.index(t) for t in COPRODUCTION_TYPES]
        self.ua_coprod = ua.partnership_types[:, coprod].any(axis=1).astype(np.float32)
        self.p_coprod = partners.partnership_types[:, coprod].any(axis=1).astype(np.float32)
        self.ua_inferred = self._inferred(ua, self.ua_coprod)
        self.p_inferred = self._inferred(partners, self.p_coprod)
        u_met, p_met = self._met(ua.offers, credit), self._met(partners.offers, credit)
        # Supply (partner offers -> Ukrainian needs): Ukrainian needs sparse (b x C) @ partners' credits (C x m).
        self.ua_need = csr(diag(u_inv_needs) @ ua.seeks)
        self.ua_need_code = csr(ua.seeks, np.float64)
        u_inv_inferred = inv(np.asarray(self.ua_inferred.sum(axis=1), np.float32).ravel())
        self.ua_inf_need = csr(diag(u_inv_inferred) @ self.ua_inferred)
        self.ua_inf_code = csr(self.ua_inferred, np.float64)
        self.p_met_t = dense_t(p_met)
        self.p_met_code_t = np.ascontiguousarray(self._level_code(p_met).T)
        # Demand (Ukrainian offers -> partner needs): partner needs are the sparse side (two thirds of
        # partners list none), so (m x C) @ (C x b), transposed.
        self.p_need = csr(diag(p_inv_needs) @ partners.seeks)
        self.p_need_code = csr(partners.seeks, np.float64)
        p_inv_inferred = inv(np.asarray(self.p_inferred.sum(axis=1), np.float32).ravel())
        self.p_inf_need = csr(diag(p_inv_inferred) @ self.p_inferred)
        self.p_inf_code = csr(self.p_inferred, np.float64)
        self.u_met_t = dense_t(u_met)
        self.u_met_code_t = np.ascontiguousarray(self._level_code(u_met).T)

        # Co-production: can one firm make what the other offers? Per direction, the share of one
        # firm's offers that the other's offers cover (credit as for needs: exact 1, a curated adjacent
        # capability its edge weight, the same domain domain_credit), and the better direction counts.
        # An overlap coefficient, not a cosine: a broad prime that makes what a partner makes is not
        # marked down for also making other things (the cosine of offer-domain sets did; replay of
        # real partnerships, bench/README.md "Co-production as coverage"). Gated half by each side
        # asking for co-production / JV / licensing.
        def offer_share(offers) -> sp.csr_matrix:
            o = sp.csr_matrix(offers > 0, dtype=np.float32)
            return csr(diag(inv(np.asarray(o.sum(axis=1), dtype=np.float32).ravel())) @ o)

        self.ua_offer_share, self.p_offer_share = offer_share(ua.offers), offer_share(partners.offers)
        self.ua_coprod_gate = (0.5 * self.ua_coprod).astype(np.float32)
        self.p_coprod_gate = (0.5 * self.p_coprod).astype(np.float32)
        self.partnership_table = _partnership_table()
        self.ua_type_code = _bits(ua.partnership_types)
        self.p_type_code = _bits(partners.partnership_types)
        self.assurance_table = _assurance_table(params)
        self.ua_assurance_code = _assurance_profiles(ua.certifications, ua.clearance)
        self.p_assurance_code = _assurance_profiles(partners.certifications, partners.clearance)
        self.ua_seek_cap = ua.seek_capacity.tocsr()
        self.ua_offer_cap = ua.offer_capacity.tocsr()
        self.p_offer_cap_cols = _csc_lists(partners.offer_capacity)
        self.p_seek_cap_cols = _csc_lists(partners.seek_capacity)
        self.ua_log_size, self.p_log_size = (
            _log_size(ua.employees, len(ua)),
            _log_size(partners.employees, len(partners)),
        )
        if reuse_text_from is not None and reuse_text_from.vectorizer is not None:
            self._reuse_text(reuse_text_from)
        else:
            self._fit_text()
        self._platforms_setup(params)  # after the text: platforms named in descriptions count
        w = np.array(params.weight_vector(), dtype=np.float32)
        self.weights = w

    # --- complementarity and platform set-up --------------------------------------------------
    def _inferred(self, side: SideFeatures, coprod: np.ndarray) -> sp.csr_matrix:
        """Implied needs: what a firm open to co-production / JV / licensing offers, when it listed no need.

        Firms that list needs have said what they look for; inferring more for them only adds noise
        (it cost the planted evaluation 0.03-0.05 precision@5, see bench/README.md).
        """
        if self.params.implied_need_weight <= 0:
            return sp.csr_matrix(side.offers.shape, dtype=np.float32)
        no_needs = np.asarray(side.seeks.sum(axis=1)).ravel() == 0
        m = sp.csr_matrix(sp.diags(coprod * no_needs) @ side.offers, dtype=np.float32)
        m = m - m.multiply(side.seeks > 0)
        m.eliminate_zeros()
        m.sort_indices()
        return sp.csr_matrix(m, dtype=np.float32)

    @staticmethod
    def _met(offers: sp.csr_matrix, credit: np.ndarray) -> np.ndarray:
        """(n, C) float32: per firm and capability, the best credit of the firm's offers for it."""
        o = sp.csr_matrix(offers)
        o.sort_indices()
        out = np.zeros((o.shape[0], credit.shape[1]), dtype=np.float32)
        rows = np.flatnonzero(np.diff(o.indptr) > 0)
        if len(rows):
            out[rows] = np.maximum.reduceat(credit[o.indices], o.indptr[rows], axis=0)
        return out

    def _level_code(self, met: np.ndarray) -> np.ndarray:
        """(n, C) float64: 2**(bits * level) where a credit is given, 0 elsewhere."""
        level = np.searchsorted(self.levels, met)  # exact: met values are taken from levels
        return np.where(level > 0, np.ldexp(1.0, self._code_bits * (level - 1)), 0.0)

    def _best(self, code: np.ndarray) -> np.ndarray:
        """Decode summed level codes into the highest credit level present (float32)."""
        _, e = np.frexp(code)  # code = mantissa * 2**e, mantissa in [0.5, 1): highest set bit is e - 1
        level = np.where(code > 0, (e - 1) // self._code_bits + 1, 0)
        return self.levels[level]

    def _platforms_setup(self, params: MatchParams) -> None:
        """Platform fit: makers (or their national industry) against firms servicing or needing a platform.

        provider (n, N): 1 where the firm makes the platform, platform_national_credit where it is of
        the platform's origin country and offers one of its capabilities; counterpart (n, N): 1 where it
        repairs, supplies or needs support for it, platform_licence_credit x adjacency where it is open
        to licensing and offers the platform's main capability (or an adjacent one). A counterpart's link to
        a platform is its own credit there or family_credit x its best credit in the same family (kind and
        calibre). Fit = min(1, sum over the provider's platforms of provider x link), both ways: one sparse
        (b x 2N) @ dense (2N x m) product.
        """
        ua, pa = self.ua, self.partners
        cat = ua.platform_catalogue or pa.platform_catalogue
        self.platform_catalogue = cat
        self.has_platforms = False
        if cat is None or cat.n == 0:
            return
        tax_col = self.taxonomy.index()
        n_p = cat.n
        caps = np.zeros((self.taxonomy.n, n_p), dtype=np.float32)
        primary = np.full(n_p, -1, dtype=np.int64)
        for j, codes in enumerate(cat.capabilities):
            cols = [tax_col[c] for c in codes if c in tax_col]
            caps[cols, j] = 1.0
            primary[j] = cols[0] if cols else -1
        adj = self.adjacency_matrix.copy() if self.adjacency_matrix is not None else np.zeros_like(self.credit)
        np.fill_diagonal(adj, 1.0)
        countries = sorted((set(cat.origins) | set(ua.countries or ()) | set(pa.countries or ())) - {""})
        cidx = {c: i for i, c in enumerate(countries)}
        origin = np.array([cidx.get(o, -2) for o in cat.origins], dtype=np.int64)  # unknown never matches

        text_credit = np.float32(params.platform_text_credit)

        def side(sf: SideFeatures, coprod: np.ndarray, text) -> tuple[np.ndarray, ...]:
            n = len(sf)
            bits = (sf.platform_roles if sf.platform_roles is not None else sp.csr_matrix((n, n_p))).toarray()
            bits = bits.astype(np.int64)
            # Named in the description and not declared with a role: an inferred declaration.
            named = self._platforms_named(text, n, n_p) & (bits == 0) if text_credit > 0 else np.zeros((n, n_p), bool)
            declared = (bits != 0).any(axis=1) | named.any(axis=1)
            offers = sp.csr_matrix(sf.offers, dtype=np.float32)
            country = np.array([cidx.get(c, -1) for c in (sf.countries or [""] * n)], dtype=np.int64)
            country[country < 0] = -1
            of_origin = country[:, None] == origin[None, :]
            national = of_origin & (np.asarray(offers @ caps) > 0)
            provider = np.maximum((bits & MAKES) > 0, np.float32(params.platform_national_credit) * national)
            provider = np.maximum(provider, text_credit * (named & of_origin))
            licence = self._met(offers, adj)[:, np.maximum(primary, 0)] * (primary >= 0)[None, :]
            licence *= np.float32(params.platform_licence_credit) * coprod[:, None]
            counter = np.maximum(((bits & (SERVICES | NEEDS)) > 0).astype(np.float32), licence)
            counter = np.maximum(counter, text_credit * named)
            return provider.astype(np.float32), counter.astype(np.float32), declared, named

        u_prov, u_counter, self.ua_platform_declared, self.ua_platform_named = side(ua, self.ua_coprod, self.ua_text)
        p_prov, p_counter, self.p_platform_declared, self.p_platform_named = side(pa, self.p_coprod, self.p_text)
        self.has_platforms = bool(self.ua_platform_declared.any() or self.p_platform_declared.any())
        fam = cat.family_matrix(params.platform_family_credit)
        self.platform_family = fam
        # Counterpart's best link to each platform: its own credit there, or family_credit x its best
        # credit on another platform of the same family (a loop over families, tens, not pairs).
        families = [np.flatnonzero(row > 0) for row in (fam > 0) & ~np.eye(n_p, dtype=bool)]
        groups = sorted({tuple(sorted({j, *f.tolist()})) for j, f in enumerate(families) if len(f)})

        def spread(counter: np.ndarray) -> np.ndarray:
            out = counter.copy()
            for g in groups:
                cols = np.array(g)
                best = counter[:, cols].max(axis=1) * np.float32(params.platform_family_credit)
                out[:, cols] = np.maximum(counter[:, cols], best[:, None])
            return out

        self.ua_platform_side = sp.csr_matrix(np.hstack([u_prov, spread(u_counter)]), dtype=np.float32)
        self.ua_platform_side.sort_indices()
        self.p_platform_side = np.ascontiguousarray(np.vstack([spread(p_counter).T, p_prov.T]), dtype=np.float32)
        self.ua_platform_provider, self.ua_platform_counter = u_prov, u_counter
        self.p_platform_provider, self.p_platform_counter = p_prov, p_counter

    def _platforms_named(self, text: sp.csr_matrix, n: int, n_p: int) -> np.ndarray:
        """(n, N) bool: the catalogue's platforms each firm's description names (its TF-IDF columns
        `plat:<code>`, from text.Analyzer's gazetteer; a name no other firm uses falls under min_df)."""
        named = np.zeros((n, n_p), dtype=bool)
        vocabulary = getattr(self.vectorizer, "vocabulary_", None) if self.vectorizer is not None else None
        if not vocabulary or text is None:
            return named
        index = self.platform_catalogue.index()
        pairs = [(col, index[t[5:]]) for t, col in vocabulary.items() if t.startswith("plat:") and t[5:] in index]
        if not pairs:
            return named
        cols, plats = np.array(pairs, dtype=np.int64).T
        hits = text[:, cols].tocoo()
        named[hits.row, plats[hits.col]] = True
        return named

    def _platforms_into(self, out: np.ndarray, rows: np.ndarray, p_rows: np.ndarray, buf) -> np.ndarray | None:
        """Platform fit into `out` (b, m); returns where it applies (either firm declared a platform)."""
        out.fill(0)
        if not self.has_platforms:
            return None
        du, dp = self.ua_platform_declared[rows], self.p_platform_declared[p_rows]
        applicable = np.logical_or(du[:, None], dp[None, :], out=buf("platform_mask", out.shape, bool))
        if not applicable.any():
            return applicable
        x, y = self.ua_platform_side[rows], self.p_platform_side[:, p_rows]
        # Only pairs where it applies: declared rows against every column, the rest against declared columns.
        r1, r0, c1 = np.flatnonzero(du), np.flatnonzero(~du), np.flatnonzero(dp)
        if len(r1):
            out[r1] = x[r1] @ y
        if len(r0) and len(c1):
            out[np.ix_(r0, c1)] = x[r0] @ y[:, c1]
        np.minimum(out, np.float32(1), out=out)
        return applicable

    # --- text -------------------------------------------------------------------------------
    def _fit_text(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        # One vocabulary over both sides so cosines are comparable; sublinear tf so a word
        # repeated in a long description does not dominate; rare-on-both-sides words dropped.
        # Terms come from text.Analyzer: Ukrainian lemmas, English words, and concept terms
        # (capabilities, platforms) both languages share.
        self.vectorizer = TfidfVectorizer(
            analyzer=Analyzer.for_taxonomy(self.taxonomy),
            sublinear_tf=True,
            min_df=2 if len(self.ua) + len(self.partners) > 50 else 1,
            max_df=0.5 if len(self.ua) + len(self.partners) > 50 else 1.0,
            max_features=self.params.text_max_features,
            dtype=np.float32,
        )
        try:
            x = self.vectorizer.fit_transform(list(self.ua.texts) + list(self.partners.texts))
        except ValueError:  # empty vocabulary: no text signal at all
            x = sp.csr_matrix((len(self.ua) + len(self.partners), 1), dtype=np.float32)
            self.vectorizer = None
        x = sp.csr_matrix(x, dtype=np.float32)
        x.sort_indices()
        n = len(self.ua)
        self.ua_text = x[:n]
        self.p_text = x[n:]
        self.ua_text.sort_indices()
        self.p_text.sort_indices()

    def _reuse_text(self, old: Model) -> None:
        self.vectorizer = old.vectorizer
        self._vocabulary = getattr(old, "_vocabulary", None)
        self.ua_text = _carry_rows(self.vectorizer, self.ua, old.ua, old.ua_text)
        self.p_text = _carry_rows(self.vectorizer, self.partners, old.partners, old.p_text)

    def vocabulary(self) -> np.ndarray:
        """Term of each TF-IDF column (built once; explanations name the shared words)."""
        if getattr(self, "_vocabulary", None) is None:
            terms = self.vectorizer.get_feature_names_out() if self.vectorizer else np.array([])
            names = dict(zip(self.taxonomy.codes, self.taxonomy.names_en, strict=True))
            self._vocabulary = np.array([term_label(t, names) for t in terms.tolist()], dtype=object)
        return self._vocabulary

    def _text_into(self, out: np.ndarray, ua_rows: np.ndarray, p_rows: np.ndarray | None) -> None:
        xu = self.ua_text[ua_rows]
        xp = self.p_text if p_rows is None else self.p_text[p_rows]
        # sparse @ dense with the smaller side densified; both orders sum over shared terms in
        # ascending term order, so the result is the same bit for bit whichever is used.
        if len(ua_rows) <= xp.shape[0]:
            np.copyto(out, (xp @ xu.T.toarray()).T)
        else:
            np.copyto(out, xu @ xp.T.toarray())
        np.minimum(out, np.float32(1), out=out)  # cosine of unit vectors; rounding can pass 1

    # --- scoring ----------------------------------------------------------------------------
    def _buffer(self, name: str, shape: tuple, dtype=np.float32) -> np.ndarray:
        """A scratch array reused across chunks by this thread: fresh 20-100 MB arrays cost page faults."""
        ws = self._workspace.__dict__
        buf = ws.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = ws[name] = np.empty(shape, dtype=dtype)
        return buf

    def release_scratch(self) -> None:
        """Drop this thread's scratch buffers (a few hundred MB at 20,000 partners) after a run."""
        self._workspace.__dict__.clear()

    def score_rows(self, ua_rows: np.ndarray, partner_rows: np.ndarray | None = None, reuse: bool = False) -> Block:
        """All components and the total for the given Ukrainian rows against all partners (or the given ones).

        reuse=True writes into this thread's scratch buffers: the Block is valid until the next call.
        """
        rows = np.asarray(ua_rows, dtype=np.int64)
        cols = slice(None) if partner_rows is None else np.asarray(partner_rows, dtype=np.int64)
        p_rows = np.arange(len(self.partners)) if partner_rows is None else cols
        subset = None if partner_rows is None else p_rows
        b, m = len(rows), len(p_rows)

        def buf(name: str, shape: tuple, dtype=np.float32) -> np.ndarray:
            return self._buffer(name, shape, dtype) if reuse else np.empty(shape, dtype=dtype)

        # Components are written straight into one (6, b, m) block: no per-component copies.
        comps = buf("components", (len(COMPONENTS), b, m))
        self._complementarity_into(comps[CI["complementarity"]], rows, cols, buf)
        self._coproduction_into(comps[CI["coproduction"]], rows, cols, buf)
        types = self.partnership_table[self.ua_type_code[rows]]
        np.take(types, self.p_type_code[cols], axis=1, out=comps[CI["partnership"]])
        self._text_into(comps[CI["text"]], rows, subset)
        assurance = self.assurance_table[self.ua_assurance_code[rows]]
        np.take(assurance, self.p_assurance_code[cols], axis=1, out=comps[CI["assurance"]])
        cap = comps[CI["capacity"]]
        sized = self._size_fit_into(cap, rows, p_rows, buf)
        flat, fit = self._capacity(rows, subset)
        cap.reshape(-1)[flat] = fit  # quantities, where both sides gave them, come before size
        plat_applicable = self._platforms_into(comps[CI["platforms"]], rows, p_rows, buf)

        w = self.weights
        # Weighted sum in a fixed order, element by element (BLAS would vary the order by shape,
        # and the same pair must get the same bits in a full run and in a single-firm rematch).
        total = np.multiply(comps[0], w[0], out=buf("total", (b, m)))
        term = buf("term", (b, m))
        for k in range(1, len(COMPONENTS)):
            total += np.multiply(comps[k], w[k], out=term)
        # Capacity counts only where both sides gave a quantity, platforms only where either firm
        # declared one; elsewhere their weights drop out.
        w_cap, w_plat = np.float32(w[CI["capacity"]]), np.float32(w[CI["platforms"]])
        den = buf("den", (b, m))
        den.fill(np.float32(w.sum()) - w_cap - w_plat)
        if plat_applicable is not None:
            np.add(den, w_plat, out=den, where=plat_applicable)
        if sized is not None:
            sized.reshape(-1)[flat] = True
            np.add(den, w_cap, out=den, where=sized)
        else:
            den.reshape(-1)[flat] += w_cap
        total /= den
        # Paperwork alone (types, certificates) does not make a partner: no substance, no score.
        substance = np.maximum(comps[CI["complementarity"]], comps[CI["coproduction"]], out=term)
        np.maximum(substance, comps[CI["text"]], out=substance)
        hollow = np.less(substance, np.float32(self.params.min_substance), out=buf("mask", (b, m), bool))
        np.copyto(total, np.float32(0), where=hollow)
        applicable = buf("applicable", (b, m), bool)
        if sized is not None:
            np.copyto(applicable, sized)
        else:
            applicable.fill(False)
            applicable.reshape(-1)[flat] = True
        return Block(rows, p_rows, total, comps, applicable, plat_applicable)

    def _coproduction_into(self, out: np.ndarray, rows: np.ndarray, cols, buf) -> None:
        """max(share of the partner's offers the Ukrainian firm covers, the reverse) x (g_u + g_p) / 2."""
        p_share = self.p_offer_share if isinstance(cols, slice) else self.p_offer_share[cols]
        np.copyto(out, (p_share @ self.u_met_t[:, rows]).T)  # (m x C) @ (C x b), transposed
        np.maximum(out, self.ua_offer_share[rows] @ self.p_met_t[:, cols], out=out)
        gate = buf("gate", out.shape)
        np.add(self.ua_coprod_gate[rows][:, None], self.p_coprod_gate[cols][None, :], out=gate)
        out *= gate

    def _direction(self, coverage: np.ndarray, code: np.ndarray) -> np.ndarray:
        """0.5 * coverage + 0.5 * best need met, in place in `coverage`."""
        coverage += self._best(code)
        coverage *= np.float32(0.5)
        return coverage

    def _complementarity_into(self, out: np.ndarray, rows: np.ndarray, cols, buf) -> None:
        whole = isinstance(cols, slice)

        def p_rows_of(m: sp.csr_matrix) -> sp.csr_matrix:
            return m if whole else m[cols]

        def supply_of(need: sp.csr_matrix, code: sp.csr_matrix) -> np.ndarray:
            # partner offers -> Ukrainian needs: (b x C) @ (C x m)
            return self._direction(need[rows] @ self.p_met_t[:, cols], code[rows] @ self.p_met_code_t[:, cols])

        def demand_of(need: sp.csr_matrix, code: sp.csr_matrix) -> np.ndarray:
            # Ukrainian offers -> partner needs: (m x C) @ (C x b), transposed
            u_met, u_code = self.u_met_t[:, rows], self.u_met_code_t[:, rows]
            return np.ascontiguousarray(self._direction(p_rows_of(need) @ u_met, p_rows_of(code) @ u_code).T)

        supply = supply_of(self.ua_need, self.ua_need_code)
        demand = demand_of(self.p_need, self.p_need_code)
        w = np.float32(self.params.implied_need_weight)
        if w > 0:
            if self.ua_inferred.nnz:
                implied = supply_of(self.ua_inf_need, self.ua_inf_code)
                np.maximum(supply, np.multiply(implied, w, out=implied), out=supply)
            if self.p_inferred.nnz:
                implied = demand_of(self.p_inf_need, self.p_inf_code)
                np.maximum(demand, np.multiply(implied, w, out=implied), out=demand)
        # Half the better direction (a strong one-way supply fit still counts) plus half the
        # harmonic mean (high only when both directions fit), so two-way > one-way:
        # 0.5 * max(s, d) + s * d / (s + d).
        np.multiply(supply, demand, out=out)
        hi = np.maximum(supply, demand, out=buf("hi", out.shape))
        supply += demand
        supply += np.float32(1e-30)  # 0 / tiny = 0 where neither direction fits
        out /= supply
        hi *= np.float32(0.5)
        out += hi

    def _size_fit_into(self, out: np.ndarray, rows: np.ndarray, p_rows: np.ndarray, buf) -> np.ndarray | None:
        """Capacity by size where quantities are missing: can the Ukrainian firm carry the partner's
        volumes? 1 when it is at least the partner's size (employees), 0.5 less per tenfold smaller
        (size_fit_per_decade), 0 at a hundredth. Writes `out`; returns where both sizes are known
        (None: nowhere, or size_fit off). Zero elsewhere."""
        out.fill(0)
        step = np.float32(self.params.size_fit_per_decade)
        if step <= 0:
            return None
        u, p = self.ua_log_size[rows], self.p_log_size[p_rows]
        known_u, known_p = ~np.isnan(u), ~np.isnan(p)
        if not known_u.any() or not known_p.any():
            return None
        known = buf("sized", out.shape, bool)
        np.logical_and(known_u[:, None], known_p[None, :], out=known)
        np.subtract(p[None, :], u[:, None], out=out)  # decades the partner is larger by
        np.maximum(out, np.float32(0), out=out)
        np.multiply(out, -step, out=out)
        np.add(out, np.float32(1), out=out)
        np.maximum(out, np.float32(0), out=out)
        np.copyto(out, np.float32(0), where=~known)
        return known

    def _capacity(self, rows: np.ndarray, p_rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Capacity fit where it applies, as flat indices into the (b, m) block and values.

        Mean over matched capabilities with quantities on both sides of min(offer / need, 1), both
        directions. Sparse: only the few firms that gave quantities for a capability are touched.
        """
        m = len(self.partners) if p_rows is None else len(p_rows)
        if p_rows is None:
            p_offer, p_seek = self.p_offer_cap_cols, self.p_seek_cap_cols
        else:
            p_offer = _csc_lists(self.partners.offer_capacity[p_rows])
            p_seek = _csc_lists(self.partners.seek_capacity[p_rows])
        ua_seek = _csc_lists(self.ua_seek_cap[rows])
        ua_offer = _csc_lists(self.ua_offer_cap[rows])
        flats, fits = [], []
        for j in range(self.taxonomy.n):  # a loop over capabilities (tens), never over pairs
            (ru, need_u), (qp, have_p) = ua_seek[j], p_offer[j]  # Ukrainian need vs partner supply
            if len(ru) and len(qp):
                flats.append((ru[:, None].astype(np.int64) * m + qp[None, :]).ravel())
                fits.append(np.minimum(have_p[None, :] / need_u[:, None], np.float32(1)).ravel())
            (qu, have_u), (rp, need_p) = ua_offer[j], p_seek[j]  # partner need vs Ukrainian supply
            if len(qu) and len(rp):
                flats.append((qu[:, None].astype(np.int64) * m + rp[None, :]).ravel())
                fits.append(np.minimum(have_u[:, None] / need_p[None, :], np.float32(1)).ravel())
        if not flats:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        flat = np.concatenate(flats)
        fit = np.concatenate(fits)
        uniq, inverse = np.unique(flat, return_inverse=True)
        # bincount sums in array order (capability order per pair): the same in any chunking.
        mean = np.bincount(inverse, weights=fit) / np.bincount(inverse)
        return uniq, mean.astype(np.float32)

    # --- candidates -------------------------------------------------------------------------
    def candidates(self, ua_rows: np.ndarray, exclude: np.ndarray | None = None) -> Candidates:
        """Top-k partners per row and top-k rows (within this chunk) per partner, above min_score.

        Ties at the k-th score are all kept so the final selection does not depend on chunking.
        Each pair carries its exact rank in the Ukrainian firm's full list; the chunk's best
        rank_depth scores per partner column come along for the partner-side rank (ColumnTops).
        """
        block = self.score_rows(ua_rows, reuse=True)
        t = block.total
        self._apply_exclude(t, block.ua_rows, exclude)
        b, m = t.shape
        if b == 0 or m == 0:
            return Candidates.empty()
        k, depth = self.params.top_k, self.params.rank_depth
        kr, kc, kd = min(k, m), min(k, b), min(depth, b)
        scratch = self._buffer("partition", (b, m))
        np.copyto(scratch, t)
        scratch.partition(m - kr, axis=1)
        row_thr = scratch[:, m - kr].copy()
        np.copyto(scratch, t)
        scratch.partition(sorted({b - kc, b - kd}), axis=0)
        col_thr = scratch[b - kc, :].copy()
        tops = ColumnTops(scratch[b - kd :, :].copy(), b)
        # In the row's top-k OR the column's top-k, and above min_score: one threshold per cell.
        thr = np.minimum(row_thr[:, None], col_thr[None, :], out=scratch)
        np.maximum(thr, np.float32(max(self.params.min_score, 0.0)), out=thr)
        mask = np.greater_equal(t, thr, out=self._buffer("mask", (b, m), bool))
        c = self._gather(block, mask)
        c.ua_rank = self._row_ranks(t, np.searchsorted(block.ua_rows, c.ua_rows), c.scores)
        c.column_tops = tops
        return c

    def _row_ranks(self, t: np.ndarray, local_rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """1 + the number of entries of row local_rows[i] of `t` strictly above scores[i], for every i.

        Rows sorted, then one searchsorted over all of them at once: row i's values are shifted by
        4 * i in float64 (scores lie in [-1, 1], so rows do not overlap and float32 values stay exact).
        """
        b, m = t.shape
        ordered = self._buffer("sorted", (b, m))
        np.copyto(ordered, t)
        ordered.sort(axis=1)
        keys = self._buffer("sorted_keys", (b, m), np.float64)
        shift = 4.0 * np.arange(b, dtype=np.float64)
        np.add(ordered, shift[:, None], out=keys)
        local = np.asarray(local_rows, dtype=np.int64)
        pos = np.searchsorted(keys.ravel(), scores.astype(np.float64) + shift[local], side="right")
        return ((local + 1) * m - pos + 1).astype(np.int32)

    def _apply_exclude(self, t: np.ndarray, ua_rows: np.ndarray, exclude: np.ndarray | None, partner_rows=None) -> None:
        if exclude is None or len(exclude) == 0:
            return
        exclude = np.asarray(exclude, dtype=np.int64).reshape(-1, 2)
        # Rows of firms not in this population (-1 from an id lookup) exclude nothing.
        known = (exclude >= 0).all(axis=1) & (exclude[:, 0] < len(self.ua)) & (exclude[:, 1] < len(self.partners))
        exclude = exclude[known]
        pos_u = np.full(len(self.ua), -1, dtype=np.int64)
        pos_u[ua_rows] = np.arange(len(ua_rows))
        pos_p = np.arange(len(self.partners))
        if partner_rows is not None:
            pos_p = np.full(len(self.partners), -1, dtype=np.int64)
            pos_p[partner_rows] = np.arange(len(partner_rows))
        li, pj = pos_u[exclude[:, 0]], pos_p[exclude[:, 1]]
        ok = (li >= 0) & (pj >= 0)
        t[li[ok], pj[ok]] = -1.0  # below any min_score, so never proposed

    def _gather(self, block: Block, mask: np.ndarray) -> Candidates:
        li, pj = np.nonzero(mask)
        return Candidates(
            ua_rows=block.ua_rows[li].astype(np.int32),
            partner_rows=block.partner_rows[pj].astype(np.int32),
            scores=block.total[li, pj].astype(np.float32),
            components=np.ascontiguousarray(block.components[:, li, pj].T, dtype=np.float32),
        )

    # Attributes prepared from one side only (by name): what `with_side` replaces.
    _SIDE_ATTRIBUTES = {"ua": ("ua", ("ua_", "u_")), "partner": ("partners", ("p_",))}

    def with_side(self, side: str, replacement: SideFeatures) -> Model:
        """This prepared model with `side` ('ua' or 'partner') replaced by `replacement`, say the one
        firm being rematched as it is now; the other side's preparation is reused as it is.

        Only `replacement` is prepared (against a one-firm stand-in for the other side), with this
        model's TF-IDF fit: a single-firm rematch no longer rebuilds the whole registry's model.
        Every score equals a fresh Model's over the same firms (tests/matching/test_prepared.py).
        """
        if side not in self._SIDE_ATTRIBUTES:
            raise ValueError("side: must be 'ua' or 'partner'")
        keep, prefixes = self._SIDE_ATTRIBUTES[side]
        if side == "ua":
            ua, partners = replacement, self.partners.take(np.arange(min(1, len(self.partners))))
        else:
            ua, partners = self.ua.take(np.arange(min(1, len(self.ua)))), replacement
        prepared = Model(ua, partners, self.taxonomy, self.params, reuse_text_from=self)
        out = copy.copy(self)
        for name, value in vars(prepared).items():
            if name == keep or name.startswith(prefixes):
                setattr(out, name, value)
        out.has_platforms = (
            bool(out.ua_platform_declared.any() or out.p_platform_declared.any())
            if (
                getattr(out, "ua_platform_declared", None) is not None
                and getattr(out, "p_platform_declared", None) is not None
            )
            else False
        )
        out._workspace = threading.local()
        return out

    def rematch(
        self, side: str, row: int, exclude: np.ndarray | None = None, other_kth: np.ndarray | None = None
    ) -> Candidates:
        """One firm ('ua' or 'partner' row) against the whole other side.

        Returns the firm's top-k above min_score, plus any pair whose score reaches the other firm's
        current k-th best (`other_kth`, one value per row of the other side, e.g. from stored proposals)
        so the rescored firm also enters other firms' lists.
        """
        if side == "ua":
            block = self.score_rows(np.array([row]))
            ua_rows, partner_rows = block.ua_rows, None
        elif side == "partner":
            block = self.score_rows(np.arange(len(self.ua)), np.array([row]))
            ua_rows, partner_rows = block.ua_rows, block.partner_rows
        else:
            raise ValueError("side: must be 'ua' or 'partner'")
        t = block.total
        self._apply_exclude(t, ua_rows, exclude, partner_rows)
        line = t.ravel()  # the firm's scores against the other side
        if len(line) == 0:
            return Candidates.empty()
        k = min(self.params.top_k, len(line))
        thr = np.partition(line, len(line) - k)[len(line) - k]
        keep = line >= thr
        if other_kth is not None:
            keep |= line >= np.asarray(other_kth, dtype=np.float32)
        keep &= line >= max(self.params.min_score, 0.0)
        c = self._gather(block, keep.reshape(t.shape))
        # The rescored firm's rank is exact (its whole line is here); the counterpart's is unknown (0).
        own = (len(line) - np.searchsorted(np.sort(line), c.scores, side="right") + 1).astype(np.int32)
        unknown = np.zeros(len(c), dtype=np.int32)
        c.ua_rank, c.partner_rank = (own, unknown) if side == "ua" else (unknown, own)
        return c
