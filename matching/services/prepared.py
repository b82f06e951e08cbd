"""The prepared model a worker keeps between single-firm rematches, stamped with the registry's version.

Preparing the whole registry's model (features from five queries, domain matrices, the TF-IDF fit)
takes seconds at 22,000 firms; scoring one firm against it takes milliseconds. So each process keeps
the last one it prepared, with a stamp per side: (eligible firms, the sum of their ids, their latest
`updated_at`), plus the taxonomy's and the platform catalogue's sizes. A rematch of firm F reuses
it while the OTHER side's stamp is unchanged (edits on F's own side do not enter F's scores): F's
own row is loaded alone and prepared into a copy of the model (`Model.with_side`).

When the other side's stamp moved, only what changed there is loaded: firms updated since the kept
stamp, firms that became eligible and firms that left (two id queries and one load of the changed
firms), spliced into the kept side (`SideFeatures.splice`) and prepared with `Model.with_side`,
which carries every unchanged firm's TF-IDF row (~0.1 s for a side of 20,000, against ~2.4 s for a
fresh model). Past SPLICE_LIMIT changed firms since the last rebuild (at least SPLICE_MIN, else
SPLICE_SHARE of the side) the model is rebuilt, which also refits the TF-IDF vocabulary and idf; until
then text keeps the kept model's fit, as a firm's own edits do.

What the stamp does not see: a change that bumps none of those, e.g. a raw SQL edit of one firm's
capability rows. Services save the firm (bumping `updated_at`) on every profile change, and
screening changes move a firm in or out of the eligible set (the count and id sum).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
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
    spliced: int = 0  # firms changed in (or removed from) the kept model since it was built


_KEPT: dict[str, Prepared] = {}  # at most one entry per process: "model"
STATS = {"reused": 0, "rebuilt": 0, "spliced": 0}  # for the benchmark and the tests
SPLICE_MIN = 50
SPLICE_SHARE = 0.05


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
    if kept is not None and (kept.key != key or kept.stamps["catalogues"] != stamps["catalogues"]):
        kept = None
    if kept is not None and kept.stamps[other] != stamps[other]:
        kept = _other_side_spliced(kept, other, stamps)
    if kept is not None:
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


def _other_side_spliced(kept: Prepared, other: str, stamps: dict[str, Any]) -> Prepared | None:
    """The kept model with `other` side's changes since its stamp spliced in; None: too many, rebuild."""
    attr, name = ("ua", "ua") if other == UA else ("partners", "partner")
    old_side = getattr(kept.features, attr)
    eligible = firms_eligible_for_matching().filter(side=other)
    now_ids = np.fromiter(eligible.values_list("id", flat=True), dtype=np.int64)
    last = kept.stamps[other][2]
    changed = eligible.filter(updated_at__gte=last) if last is not None else eligible
    load_ids = np.union1d(np.setdiff1d(now_ids, old_side.firm_ids), list(changed.values_list("id", flat=True)))
    removed = np.setdiff1d(old_side.firm_ids, now_ids)
    spliced = kept.spliced + len(load_ids) + len(removed)
    if spliced > max(SPLICE_MIN, SPLICE_SHARE * len(now_ids)):
        return None
    if len(load_ids):
        fresh = features_load(firms=eligible.filter(pk__in=load_ids.tolist()))
        fresh_side = getattr(fresh, attr)
    else:
        fresh_side = old_side.take([])
    side = old_side.splice(fresh_side, drop_ids=removed)
    updated = Prepared(
        key=kept.key,
        stamps={**kept.stamps, other: stamps[other]},
        features=replace(kept.features, **{attr: side}),
        model=kept.model.with_side(name, side),
        spliced=spliced,
    )
    _KEPT["model"] = updated
    STATS["spliced"] += 1
    return updated


def prepared_forget() -> None:
    """Drop the kept model (tests; a process that wants its memory back)."""
    _KEPT.clear()
