"""Scores computed on the fly with the matching core: one pair (an introduction request) or the
viewer's firm against every firm a directory search finds ("fit for my firm").

"Fit for my firm" scores with the prepared model (`matching.services.prepared`): the whole registry's
model, kept by the process and rebuilt only when the other side of the market changes, with the
viewer's firm prepared into it as it is now. Its scores are a full run's, TF-IDF included, and one
firm against 16,000 is one vectorised `Model.score_rows` call. The first request of a process (or the
first after a firm on the other side changed) pays the rebuild: a few seconds at 20,000 firms.

An introduction request's pair is scored with a model built over the two firms alone, so its text
component's TF-IDF vocabulary and weights are fitted on those two descriptions (an approximation of
a full run's); every other component is computed exactly as in a run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.features import features_load
from matching.scoring import Model, Selection
from matching.services.prepared import prepared_for_firm
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


def fit_scores(*, firm: Firm, candidate_ids: Sequence[int]) -> np.ndarray:
    """Score of each of `candidate_ids` (firms of the other side) against `firm`, in their order:
    float32, NaN for a candidate the prepared model does not hold (not eligible for matching)."""
    ids = np.asarray(candidate_ids, dtype=np.int64)
    scores = np.full(len(ids), np.nan, dtype=np.float32)
    if len(ids) == 0:
        return scores
    features, model = prepared_for_firm(firm_id=firm.pk, side=firm.side, params=match_params())
    if firm.side == Firm.Side.UKRAINIAN:
        own, rows = features.ua_rows([firm.pk]), features.partner_rows(ids)
    else:
        own, rows = features.partner_rows([firm.pk]), features.ua_rows(ids)
    held = (rows >= 0) & (ids != firm.pk)
    if own[0] < 0 or not held.any():
        return scores
    if firm.side == Firm.Side.UKRAINIAN:
        scores[held] = model.score_rows(own, rows[held]).total[0]
    else:
        scores[held] = model.score_rows(rows[held], own).total[:, 0]
    return scores
