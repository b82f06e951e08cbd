"""Scores computed on the fly with the matching core: one pair (an introduction request) or the
viewer's firm against a page's candidates ("fit for my firm").

Approximate, and said so: the prepared model is built over the firms at hand only (the pair, or
the viewer's firm and at most DIRECTORY["FIT_MAX_CANDIDATES"] candidates), so the text component's
TF-IDF vocabulary and weights are fitted on those descriptions, not on the whole registry as a
full match run fits them. Every other component (complementarity, co-production, partnership
types, assurance, capacity, platforms) is computed exactly as in a run.
"""

from __future__ import annotations

import numpy as np

from matching.features import features_load
from matching.scoring import Model, Selection
from matching.services.proposals import ProposalRow, proposal_rows
from matching.services.runs import match_params
from registry.models import Firm
from registry.selectors import firms_eligible_for_matching


def _model(firm_ids: list[int]):
    features = features_load(firms=firms_eligible_for_matching().filter(pk__in=firm_ids))
    if len(features.ua) == 0 or len(features.partners) == 0:
        return features, None
    return features, Model(features.ua, features.partners, features.taxonomy, match_params())


def pair_score(*, ukrainian_id: int, partner_id: int) -> ProposalRow | None:
    """The pair scored and explained as a run would write it (None if either firm is not eligible)."""
    features, model = _model([ukrainian_id, partner_id])
    if model is None:
        return None
    u, p = features.ua_rows([ukrainian_id]), features.partner_rows([partner_id])
    block = model.score_rows(u, p)
    selection = Selection(
        ua_rows=u.astype(np.int32),
        partner_rows=p.astype(np.int32),
        scores=block.total[:, 0].astype(np.float32),
        components=np.ascontiguousarray(block.components[:, 0, :].T),
        rank_for_ukrainian=np.zeros(1, np.int32),
        rank_for_partner=np.zeros(1, np.int32),
    )
    return proposal_rows(model=model, features=features, selection=selection)[0]


def fit_scores(*, firm: Firm, candidate_ids: list[int]) -> dict[int, float]:
    """{candidate id: score against `firm`} for the candidates on the other side of the market."""
    features, model = _model([firm.pk, *candidate_ids])
    if model is None:
        return {}
    if firm.side == Firm.Side.UKRAINIAN:
        rows = features.ua_rows([firm.pk])
        if rows[0] < 0:
            return {}
        totals = model.score_rows(rows).total[0]
        ids = features.partners.firm_ids
    else:
        rows = features.partner_rows([firm.pk])
        if rows[0] < 0:
            return {}
        totals = model.score_rows(np.arange(len(features.ua)), rows).total[:, 0]
        ids = features.ua.firm_ids
    return {int(i): round(float(s), 4) for i, s in zip(ids, totals, strict=True) if int(i) != firm.pk}
