"""The scoring model: every component for a block of Ukrainian rows against partners, vectorised.

Each component is a (b, m) float32 array computed with sparse x dense products, BLAS on small
domain matrices, or table look-ups over the few distinct type/certificate profiles: no Python loop
over pairs. Summation orders do not depend on chunking, so scores are bitwise reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .features import CERTIFICATIONS, PARTNERSHIP_TYPES, SideFeatures
from .params import COMPONENTS, MatchParams
from .taxonomy import Taxonomy

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
    return np.nan_to_num(table).astype(np.float32)


def _assurance_profiles(certs: np.ndarray, clearance: np.ndarray) -> np.ndarray:
    return _bits(certs) | (clearance.astype(np.int64) << len(CERTIFICATIONS))


def _assurance_table(params: MatchParams) -> np.ndarray:
    """Score for every pair of (certifications, clearance) profiles."""
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
    total = params.aqap_weight * aqap_fit + params.cert_weight * cert_fit + params.clearance_weight * clear_fit
    return (total / (params.aqap_weight + params.cert_weight + params.clearance_weight)).astype(np.float32)


@dataclass
class Block:
    """Scores of b Ukrainian rows against m partner columns."""

    ua_rows: np.ndarray  # (b,)
    partner_rows: np.ndarray  # (m,)
    total: np.ndarray  # (b, m) float32
    components: np.ndarray  # (len(COMPONENTS), b, m) float32
    capacity_applicable: np.ndarray  # (b, m) bool: both sides gave quantities for a matched capability

    def component(self, name: str) -> np.ndarray:
        return self.components[CI[name]]


@dataclass
class Candidates:
    ua_rows: np.ndarray  # int32[N]
    partner_rows: np.ndarray  # int32[N]
    scores: np.ndarray  # float32[N]
    components: np.ndarray  # float32[N, len(COMPONENTS)]

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
    def concat(cls, parts: list[Candidates]) -> Candidates:
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.ua_rows for p in parts]).astype(np.int32),
            np.concatenate([p.partner_rows for p in parts]).astype(np.int32),
            np.concatenate([p.scores for p in parts]).astype(np.float32),
            np.concatenate([p.components for p in parts]).astype(np.float32),
        )


def _csc_lists(m: sp.csr_matrix) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per column (capability): the row indices with a value and the values."""
    c = m.tocsc()
    c.sort_indices()
    return [
        (c.indices[c.indptr[j] : c.indptr[j + 1]], c.data[c.indptr[j] : c.indptr[j + 1]]) for j in range(c.shape[1])
    ]


class Model:
    """Everything prepared once per run: domain matrices, profile tables, the fitted TF-IDF."""

    def __init__(self, ua: SideFeatures, partners: SideFeatures, taxonomy: Taxonomy, params: MatchParams) -> None:
        self.ua, self.partners, self.taxonomy, self.params = ua, partners, taxonomy, params
        c, nd = taxonomy.n, taxonomy.n_domains
        dmap = sp.csr_matrix(
            (np.ones(c, np.float32), (np.arange(c), taxonomy.domains)), shape=(c, nd), dtype=np.float32
        )
        self._dmap = dmap
        # Ukrainian side stays row-sliceable (CSR); partner side is pre-transposed dense (C x m, small C).
        self.ua_seeks = ua.seeks.tocsr()
        self.ua_offers = ua.offers.tocsr()
        self.ua_seek_dom = np.asarray((ua.seeks @ dmap).todense(), dtype=np.float32)  # seeks per domain
        self.ua_offer_dom = (np.asarray((ua.offers @ dmap).todense()) > 0).astype(np.float32)
        self.ua_n_seeks = np.asarray(ua.seeks.sum(axis=1), dtype=np.float32).ravel()
        self.ua_n_offer_dom = self.ua_offer_dom.sum(axis=1)
        self.p_offer_t = np.ascontiguousarray(partners.offers.T.toarray(), dtype=np.float32)
        self.p_seek_t = np.ascontiguousarray(partners.seeks.T.toarray(), dtype=np.float32)
        self.p_offer_dom_t = np.ascontiguousarray(
            (np.asarray((partners.offers @ dmap).todense()) > 0).T, dtype=np.float32
        )
        self.p_seek_dom_t = np.ascontiguousarray(np.asarray((partners.seeks @ dmap).todense()).T, dtype=np.float32)
        self.p_n_seeks = np.asarray(partners.seeks.sum(axis=1), dtype=np.float32).ravel()
        self.p_n_offer_dom = self.p_offer_dom_t.sum(axis=0)
        coprod = [PARTNERSHIP_TYPES.index(t) for t in COPRODUCTION_TYPES]
        self.ua_coprod = ua.partnership_types[:, coprod].any(axis=1).astype(np.float32)
        self.p_coprod = partners.partnership_types[:, coprod].any(axis=1).astype(np.float32)
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
        self._fit_text()
        w = np.array(params.weight_vector(), dtype=np.float32)
        self.weights = w

    # --- text -------------------------------------------------------------------------------
    def _fit_text(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        # One vocabulary over both sides so cosines are comparable; sublinear tf so a word
        # repeated in a long description does not dominate; rare-on-both-sides words dropped.
        self.vectorizer = TfidfVectorizer(
            lowercase=True,
            stop_words="english",
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

    def _text(self, ua_rows: np.ndarray, p_cols: np.ndarray | None) -> np.ndarray:
        xu = self.ua_text[ua_rows]
        xp = self.p_text if p_cols is None else self.p_text[p_cols]
        # sparse @ dense with the smaller side densified; both orders sum over shared terms in
        # ascending term order, so the result is the same bit for bit whichever is used.
        if len(ua_rows) <= xp.shape[0]:
            return np.ascontiguousarray((xp @ xu.T.toarray()).T, dtype=np.float32)
        return np.asarray(xu @ xp.T.toarray(), dtype=np.float32)

    # --- scoring ----------------------------------------------------------------------------
    def score_rows(self, ua_rows: np.ndarray, partner_rows: np.ndarray | None = None) -> Block:
        """All components for the given Ukrainian rows against all partners (or the given partner rows)."""
        ua_rows = np.asarray(ua_rows, dtype=np.int64)
        cols = slice(None) if partner_rows is None else np.asarray(partner_rows, dtype=np.int64)
        p_rows = np.arange(len(self.partners)) if partner_rows is None else cols
        b, m = len(ua_rows), len(p_rows)
        comps = np.empty((len(COMPONENTS), b, m), dtype=np.float32)
        comps[CI["complementarity"]] = self._complementarity(ua_rows, cols)
        comps[CI["coproduction"]] = self._coproduction(ua_rows, cols)
        comps[CI["partnership"]] = self.partnership_table[self.ua_type_code[ua_rows]][:, self.p_type_code[cols]]
        comps[CI["text"]] = np.clip(self._text(ua_rows, None if partner_rows is None else p_rows), 0.0, 1.0)
        comps[CI["assurance"]] = self.assurance_table[self.ua_assurance_code[ua_rows]][:, self.p_assurance_code[cols]]
        capacity, applicable = self._capacity(ua_rows, None if partner_rows is None else p_rows)
        comps[CI["capacity"]] = capacity
        total = np.tensordot(self.weights, comps, axes=1).astype(np.float32)
        # Capacity counts only where both sides gave a quantity; elsewhere its weight drops out.
        wsum = np.where(applicable, self.weights.sum(), self.weights.sum() - self.weights[CI["capacity"]])
        total /= wsum.astype(np.float32)
        substance = np.maximum(np.maximum(comps[CI["complementarity"]], comps[CI["coproduction"]]), comps[CI["text"]])
        total[substance < self.params.min_substance] = 0.0
        return Block(ua_rows, p_rows, total, comps, applicable)

    def _coverage(self, exact: np.ndarray, same_domain: np.ndarray, n_seeks: np.ndarray) -> np.ndarray:
        """Covered fraction of the seeker's needs: exact = 1, same domain only = domain_credit."""
        dc = np.float32(self.params.domain_credit)
        covered = exact + dc * (same_domain - exact)
        return np.divide(covered, n_seeks, out=np.zeros_like(covered), where=n_seeks > 0)

    def _complementarity(self, rows: np.ndarray, cols) -> np.ndarray:
        # partner offers -> Ukrainian seeks
        exact = np.asarray(self.ua_seeks[rows] @ self.p_offer_t[:, cols], dtype=np.float32)
        dom = self.ua_seek_dom[rows] @ self.p_offer_dom_t[:, cols]  # seeks whose domain the partner offers in
        supply = self._coverage(exact, dom, self.ua_n_seeks[rows][:, None])
        # Ukrainian offers -> partner seeks
        exact = np.asarray(self.ua_offers[rows] @ self.p_seek_t[:, cols], dtype=np.float32)
        dom = self.ua_offer_dom[rows] @ self.p_seek_dom_t[:, cols]
        demand = self._coverage(exact, dom, self.p_n_seeks[cols][None, :])
        # Half the better direction (a strong one-way supply fit still counts) plus half the
        # harmonic mean (which is high only when both directions fit): two-way > one-way.
        hi = np.maximum(supply, demand)
        s = supply + demand
        hm = np.divide(2 * supply * demand, s, out=np.zeros_like(s), where=s > 0)
        return (0.5 * hi + 0.5 * hm).astype(np.float32)

    def _coproduction(self, rows: np.ndarray, cols) -> np.ndarray:
        both = self.ua_offer_dom[rows] @ self.p_offer_dom_t[:, cols]  # offer domains in common
        denom = np.minimum(self.ua_n_offer_dom[rows][:, None], self.p_n_offer_dom[cols][None, :])
        overlap = np.divide(both, denom, out=np.zeros_like(both), where=denom > 0)
        # Counted in full when both want co-production / JV / licensed production, half when one does.
        gate = 0.5 * (self.ua_coprod[rows][:, None] + self.p_coprod[cols][None, :])
        return (overlap * gate).astype(np.float32)

    def _capacity(self, rows: np.ndarray, p_rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Mean over matched capabilities with both quantities of min(offer / need, 1), both directions."""
        m = len(self.partners) if p_rows is None else len(p_rows)
        num = np.zeros((len(rows), m), dtype=np.float32)
        cnt = np.zeros((len(rows), m), dtype=np.float32)
        if p_rows is None:
            p_offer, p_seek = self.p_offer_cap_cols, self.p_seek_cap_cols
        else:
            p_offer = _csc_lists(self.partners.offer_capacity[p_rows])
            p_seek = _csc_lists(self.partners.seek_capacity[p_rows])
        ua_seek = _csc_lists(self.ua_seek_cap[rows])
        ua_offer = _csc_lists(self.ua_offer_cap[rows])
        # A loop over capabilities (tens), each touching only the few firms that gave quantities.
        for j in range(self.taxonomy.n):
            (ru, need_u), (qp, have_p) = ua_seek[j], p_offer[j]  # Ukrainian need vs partner supply
            if len(ru) and len(qp):
                idx = np.ix_(ru, qp)
                num[idx] += np.minimum(have_p[None, :] / need_u[:, None], np.float32(1))
                cnt[idx] += 1
            (qu, have_u), (rp, need_p) = ua_offer[j], p_seek[j]  # partner need vs Ukrainian supply
            if len(qu) and len(rp):
                idx = np.ix_(qu, rp)
                num[idx] += np.minimum(have_u[:, None] / need_p[None, :], np.float32(1))
                cnt[idx] += 1
        applicable = cnt > 0
        return np.divide(num, cnt, out=np.zeros_like(num), where=applicable), applicable

    # --- candidates -------------------------------------------------------------------------
    def candidates(self, ua_rows: np.ndarray, exclude: np.ndarray | None = None) -> Candidates:
        """Top-k partners per row and top-k rows (within this chunk) per partner, above min_score.

        Ties at the k-th score are all kept so the final selection does not depend on chunking.
        """
        block = self.score_rows(ua_rows)
        t = block.total
        self._apply_exclude(t, block.ua_rows, exclude)
        b, m = t.shape
        if b == 0 or m == 0:
            return Candidates.empty()
        k = self.params.top_k
        kr, kc = min(k, m), min(k, b)
        row_thr = np.partition(t, m - kr, axis=1)[:, m - kr]
        col_thr = np.partition(t, b - kc, axis=0)[b - kc, :]
        mask = (t >= row_thr[:, None]) | (t >= col_thr[None, :])
        mask &= t >= max(self.params.min_score, 0.0)
        return self._gather(block, mask)

    def _apply_exclude(self, t: np.ndarray, ua_rows: np.ndarray, exclude: np.ndarray | None, partner_rows=None) -> None:
        if exclude is None or len(exclude) == 0:
            return
        exclude = np.asarray(exclude, dtype=np.int64).reshape(-1, 2)
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
        return self._gather(block, keep.reshape(t.shape))
