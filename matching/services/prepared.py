"""The prepared model a worker keeps between single-firm rematches, stamped with the registry's version.

Preparing the whole registry's model (features from five queries, domain matrices, the TF-IDF fit)
takes seconds at 22,000 firms; scoring one firm against it takes milliseconds. So each process keeps
the last one it prepared, with a stamp per side: (eligible firms, the sum of their ids, their latest
`updated_at`), plus the taxonomy's and the platform catalogue's sizes. A rematch of firm F reuses
it while the OTHER side's stamp is unchanged (edits on F's own side do not enter F's scores): F's
own row is loaded alone and prepared into a copy of the model (`Model.with_side`). Otherwise the
model is rebuilt and kept. Text keeps the kept model's TF-IDF fit (vocabulary and idf) until then.

What the stamp does not see: a change that bumps none of those, e.g. a raw SQL edit of one firm's
capability rows. Services save the firm (bumping `updated_at`) on every profile change, and
screening changes move a firm in or out of the eligible set (the count and id sum).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Max, Q, Sum

from matching.features import Features, features_load
from matching.scoring import MatchParams, Model
from registry.models import Capability, Firm, Platform
from registry.selectors import firms_eligible_for_matching

UA, PARTNER = Firm.Side.UKRAINIAN.value, Firm.Side.PARTNER.value


@dataclass
class Prepared:
    key: str
    stamps: dict[str, Any]
    features: Features
    model: Model


_KEPT: dict[str, Prepared] = {}  # at most one entry per process: "model"
STATS = {"reused": 0, "rebuilt": 0}  # for the benchmark and the tests


def registry_stamps() -> dict[str, Any]:
    """Per side (eligible firms, sum of ids, latest update), and the catalogues' sizes: three small queries."""
    fields: dict[str, Any] = {}
    for side in (UA, PARTNER):
        on = Q(side=side)
        fields |= {f"{side}_n": Count("id", filter=on), f"{side}_ids": Sum("id", filter=on)}
        fields[f"{side}_last"] = Max("updated_at", filter=on)
    agg = firms_eligible_for_matching().aggregate(**fields)
    stamps: dict[str, Any] = {
        side: (agg[f"{side}_n"], agg[f"{side}_ids"], agg[f"{side}_last"]) for side in (UA, PARTNER)
    }
    stamps["catalogues"] = (Capability.objects.count(), Platform.objects.count())
    return stamps


def prepared_for_firm(*, firm_id: int, side: str, params: MatchParams) -> tuple[Features, Model]:
    """Features and a prepared model in which `firm_id`'s side holds only that firm (as it is now)
    when the kept model can be reused; otherwise the whole registry, freshly prepared and kept."""
    key = json.dumps(params.to_dict(), sort_keys=True, default=str)
    stamps = registry_stamps()
    other = PARTNER if side == UA else UA
    kept = _KEPT.get("model")
    if (
        kept is not None
        and kept.key == key
        and kept.stamps[other] == stamps[other]
        and kept.stamps["catalogues"] == stamps["catalogues"]
    ):
        STATS["reused"] += 1
        one = features_load(firms=firms_eligible_for_matching().filter(pk=firm_id))
        if side == UA:
            return replace(kept.features, ua=one.ua), kept.model.with_side("ua", one.ua)
        return replace(kept.features, partners=one.partners), kept.model.with_side("partner", one.partners)
    STATS["rebuilt"] += 1
    _KEPT.clear()  # the old model's memory goes before the new one is built
    features = features_load()
    model = Model(features.ua, features.partners, features.taxonomy, params)
    _KEPT["model"] = Prepared(key=key, stamps=stamps, features=features, model=model)
    return features, model


def prepared_forget() -> None:
    """Drop the kept model (tests; a process that wants its memory back)."""
    _KEPT.clear()
