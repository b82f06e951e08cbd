"""Load the scoring core's inputs (Taxonomy, SideFeatures) from the database in a few queries.

Five queries whatever the population: the taxonomy, the platform catalogue, the eligible firms,
their capability rows and their platform rows. Matrices are built with numpy/scipy from flat arrays, never firm by firm, so 22,000
firms with ~150,000 capability rows load in a couple of seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.db.models import QuerySet

from matching.scoring import CERTIFICATIONS, PARTNERSHIP_TYPES, SideFeatures, Taxonomy
from matching.scoring.features import platform_role_matrix
from matching.scoring.platforms import PlatformCatalogue
from registry.models import CLEARANCE_LEVEL, Capability, Firm, FirmCapability, FirmPlatform, Platform
from registry.selectors import firm_intro_capacity_expression, firms_eligible_for_matching

SIDES = (Firm.Side.UKRAINIAN.value, Firm.Side.PARTNER.value)


@dataclass(frozen=True)
class Features:
    """Both sides of the market, as the scoring core wants them, plus the id -> row lookups."""

    taxonomy: Taxonomy
    ua: SideFeatures
    partners: SideFeatures

    def ua_rows(self, firm_ids) -> np.ndarray:
        return rows_of(self.ua.firm_ids, firm_ids)

    def partner_rows(self, firm_ids) -> np.ndarray:
        return rows_of(self.partners.firm_ids, firm_ids)


def rows_of(sorted_ids: np.ndarray, firm_ids) -> np.ndarray:
    """Row index of each id in `sorted_ids` (ids are loaded ordered), -1 where absent."""
    ids = np.asarray(firm_ids, dtype=np.int64)
    if len(sorted_ids) == 0 or len(ids) == 0:
        return np.full(len(ids), -1, dtype=np.int64)
    pos = np.searchsorted(sorted_ids, ids)
    pos_clipped = np.minimum(pos, len(sorted_ids) - 1)
    return np.where(sorted_ids[pos_clipped] == ids, pos_clipped, -1).astype(np.int64)


def taxonomy_load() -> Taxonomy:
    """The capability taxonomy (columns in code order, as the scoring core defines it)."""
    return _taxonomy_and_columns()[0]


def _taxonomy_and_columns() -> tuple[Taxonomy, dict[int, int]]:
    rows = list(Capability.objects.values("id", "code", "domain", "name_en", "name_uk", "ml_category"))
    taxonomy = Taxonomy.from_rows(rows)
    # Capability ids need not follow code order: the id -> column map travels beside the taxonomy.
    column_of_code = taxonomy.index()
    return taxonomy, {r["id"]: column_of_code[r["code"]] for r in rows}


def platform_catalogue_load() -> PlatformCatalogue:
    """The platform catalogue (columns in code order, as the scoring core defines it)."""
    fields = ("code", "kind", "name_en", "name_uk", "origin", "calibre", "capabilities")
    return PlatformCatalogue.from_rows(list(Platform.objects.values(*fields)))


def features_load(*, firms: QuerySet[Firm] | None = None) -> Features:
    """Both sides' features for the eligible firms (or the given queryset), rows ordered by firm id."""
    taxonomy, columns = _taxonomy_and_columns()
    catalogue = platform_catalogue_load()
    firms = firms if firms is not None else firms_eligible_for_matching()
    firm_rows = list(
        firms.order_by("id")
        .annotate(effective_intro_capacity=firm_intro_capacity_expression())
        .values_list(
            "id",
            "name",
            "side",
            "description",
            "partnership_types",
            "certifications",
            "security_clearance",
            "employees",
            "country",
            "effective_intro_capacity",
        )
    )
    cap_rows = list(
        FirmCapability.objects.filter(firm__in=firms.values("id"))
        .order_by("firm_id", "id")
        .values_list("firm_id", "capability_id", "kind", "monthly_capacity", "detail")
    )
    platform_rows = list(
        FirmPlatform.objects.filter(firm__in=firms.values("id"))
        .order_by("firm_id", "id")
        .values_list("firm_id", "platform__code", "role")
    )
    sides = {side: [r for r in firm_rows if r[2] == side] for side in SIDES}
    side_of = {r[0]: r[2] for r in firm_rows}
    caps_by_side = _split_capabilities(cap_rows, side_of)
    platforms_by_side = _split_capabilities(platform_rows, side_of)
    built = {
        side: _side_features(
            sides[side], caps_by_side[side], columns, len(taxonomy.codes), platforms_by_side[side], catalogue
        )
        for side in SIDES
    }
    return Features(taxonomy=taxonomy, ua=built[SIDES[0]], partners=built[SIDES[1]])


def _split_capabilities(cap_rows: list[tuple], side_of: dict[int, str]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {side: [] for side in SIDES}
    for row in cap_rows:
        out[side_of[row[0]]].append(row)
    return out


def _side_features(
    firm_rows: list[tuple],
    cap_rows: list[tuple],
    columns: dict[int, int],
    n_caps: int,
    platform_rows: list[tuple] = (),
    catalogue: PlatformCatalogue | None = None,
) -> SideFeatures:
    n = len(firm_rows)
    firm_ids = np.array([r[0] for r in firm_rows], dtype=np.int64)
    if cap_rows:
        cap_firm = np.array([r[0] for r in cap_rows], dtype=np.int64)
        cap_col = np.array([columns[r[1]] for r in cap_rows], dtype=np.int32)
        is_offer = np.array([r[2] == FirmCapability.Kind.OFFER for r in cap_rows], dtype=bool)
        capacity = np.array([r[3] or 0 for r in cap_rows], dtype=np.float32)
        cap_row = np.searchsorted(firm_ids, cap_firm)
    else:
        cap_col = cap_row = np.zeros(0, dtype=np.int64)
        is_offer = np.zeros(0, dtype=bool)
        capacity = np.zeros(0, dtype=np.float32)

    def matrix(mask: np.ndarray, values: np.ndarray) -> sp.csr_matrix:
        m = sp.csr_matrix((values[mask], (cap_row[mask], cap_col[mask])), shape=(n, n_caps), dtype=np.float32)
        m.eliminate_zeros()
        return m

    ones = np.ones(len(cap_rows), dtype=np.float32)
    details: dict[int, list[str]] = {}
    for r in cap_rows:
        if r[4]:
            details.setdefault(r[0], []).append(r[4])

    ptype_index = {t: i for i, t in enumerate(PARTNERSHIP_TYPES)}
    cert_index = {c: i for i, c in enumerate(CERTIFICATIONS)}
    ptypes = np.zeros((n, len(PARTNERSHIP_TYPES)), dtype=bool)
    certs = np.zeros((n, len(CERTIFICATIONS)), dtype=bool)
    for i, r in enumerate(firm_rows):
        for t in r[4] or ():
            if t in ptype_index:
                ptypes[i, ptype_index[t]] = True
        for c in r[5] or ():
            if c in cert_index:
                certs[i, cert_index[c]] = True

    return SideFeatures(
        firm_ids=firm_ids,
        names=[r[1] for r in firm_rows],
        offers=matrix(is_offer, ones),
        seeks=matrix(~is_offer, ones),
        offer_capacity=matrix(is_offer, capacity),
        seek_capacity=matrix(~is_offer, capacity),
        partnership_types=ptypes,
        certifications=certs,
        clearance=np.array([CLEARANCE_LEVEL.get(r[6], 0) for r in firm_rows], dtype=np.int8),
        texts=[" ".join([r[3] or "", *details.get(r[0], [])]) for r in firm_rows],
        employees=np.array([np.nan if r[7] is None else float(r[7]) for r in firm_rows], dtype=np.float64),
        countries=[str(r[8] or "").upper() for r in firm_rows],
        intro_capacity=np.array([np.nan if r[9] is None else float(r[9]) for r in firm_rows], dtype=np.float64),
        platform_roles=None
        if catalogue is None
        else platform_role_matrix(
            [(int(np.searchsorted(firm_ids, f)), code, role) for f, code, role in platform_rows], n, catalogue
        ),
        platform_catalogue=catalogue,
    )
