"""Writing a run's selection as proposals: one row per selected pair with its explanation and
export-control flags, upserted (COPY on PostgreSQL) with the dropped pairs superseded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from matching.features import Features
from matching.models import MatchRun, Proposal, ProposalEvent
from matching.scoring import COMPONENTS, Model, explain
from matching.services.selection import COOLING_DOWN, PROPOSE_AGAIN


@dataclass(frozen=True)
class ProposalRow:
    ukrainian_id: int
    partner_id: int
    score: float
    rank_for_ukrainian: int | None
    rank_for_partner: int | None
    components: dict
    reasons: dict
    flags: dict


def proposal_rows(
    *, model: Model, features: Features, selection, keep_counterpart_rank: str | None = None
) -> list[ProposalRow]:
    """Selected pairs with explanations and export-control flags, ready to write (per-pair Python is fine:
    a few thousand pairs)."""
    flagger = _export_control_flagger(features, selection.partner_rows)
    out = []
    for i in range(len(selection.ua_rows)):
        u, p = int(selection.ua_rows[i]), int(selection.partner_rows[i])
        comps = np.asarray(selection.components[i], dtype=np.float64)
        ua_id, partner_id = int(features.ua.firm_ids[u]), int(features.partners.firm_ids[p])
        rank_u = int(selection.rank_for_ukrainian[i]) or None
        rank_p = int(selection.rank_for_partner[i]) or None
        out.append(
            ProposalRow(
                ukrainian_id=ua_id,
                partner_id=partner_id,
                score=float(min(max(selection.scores[i], 0.0), 1.0)),
                rank_for_ukrainian=rank_u,
                rank_for_partner=rank_p,
                components={name: round(float(v), 4) for name, v in zip(COMPONENTS, comps, strict=True)},
                reasons=explain(model, u, p, comps),
                flags=flagger(p),
            )
        )
    return out


def _export_control_flagger(features: Features, partner_rows: np.ndarray):
    """Per-partner export-control flags (compliance.export_control), one query for the partners involved.

    The partner is the exporter, so its offered capabilities' ML categories, its declared regimes and
    its country decide the flags; they are the same for all of its pairs.
    """
    from compliance.export_control import proposal_flags
    from registry.models import Firm

    rows = np.unique(np.asarray(partner_rows, dtype=np.int64))
    ids = features.partners.firm_ids[rows].tolist()
    declared = {
        pk: (str(country), regimes or [])
        for pk, country, regimes in Firm.objects.filter(pk__in=ids).values_list("id", "country", "export_regimes")
    }
    offers = features.partners.offers
    ml = features.taxonomy.ml_categories
    cache: dict[int, dict] = {}

    def flags(partner_row: int) -> dict:
        if partner_row not in cache:
            country, regimes = declared.get(int(features.partners.firm_ids[partner_row]), ("", []))
            cols = offers.indices[offers.indptr[partner_row] : offers.indptr[partner_row + 1]]
            cache[partner_row] = proposal_flags(
                partner_offer_ml_categories=[ml[c] for c in cols],
                partner_export_regimes=regimes,
                partner_country=country,
            )
        return cache[partner_row]

    return flags


def proposals_write(*, run: MatchRun, rows: list[ProposalRow], firm_id: int | None) -> dict:
    """Upsert the selected pairs and supersede the dropped ones, in the caller's transaction.

    Scope is every proposal (full run) or the one firm's (rematch). Rows in scope are locked
    first so a reviewer's concurrent decision is either seen here or waits for us. Returns the
    counts for the MatchRun.
    """
    now = timezone.now()
    cutoff = now - timedelta(days=run.parameters.get("cooldown_days", settings.MATCHING["COOLDOWN_DAYS"]))
    scope = Proposal.objects.all()
    if firm_id is not None:
        scope = scope.filter(Q(ukrainian_id=firm_id) | Q(partner_id=firm_id))
    existing = {
        (u, p): (pk, status, changed, rank_u, rank_p, origin)
        for pk, u, p, status, changed, rank_u, rank_p, origin in scope.select_for_update()
        .order_by("pk")
        .values_list(
            "pk",
            "ukrainian_id",
            "partner_id",
            "status",
            "status_changed_at",
            "rank_for_ukrainian",
            "rank_for_partner",
            "origin",
        )
    }
    upserts: list[Proposal] = []
    reproposed: list[tuple[int, str]] = []
    created = updated = 0
    selected = set()
    for row in rows:
        key = (row.ukrainian_id, row.partner_id)
        selected.add(key)
        current = existing.get(key)
        if current is not None:
            pk, status, changed, rank_u, rank_p, _origin = current
            if status == Proposal.Status.PROPOSED:
                updated += 1
            elif status in PROPOSE_AGAIN or (status in COOLING_DOWN and changed < cutoff):
                reproposed.append((pk, status))
                updated += 1
            else:
                continue  # under review or further along (or cooling down): its state and history stay
            if firm_id is not None:
                # A single-firm rematch cannot rank the counterpart among all its options: keep what it had.
                row = _keep_counterpart_rank(row, firm_id, rank_u, rank_p)
        else:
            created += 1
        upserts.append(
            Proposal(
                ukrainian_id=row.ukrainian_id,
                partner_id=row.partner_id,
                run=run,
                score=row.score,
                rank_for_ukrainian=row.rank_for_ukrainian,
                rank_for_partner=row.rank_for_partner,
                components=row.components,
                reasons=row.reasons,
                flags=row.flags,
                status=Proposal.Status.PROPOSED,
            )
        )
    _proposals_upsert(upserts, now)
    if reproposed:
        Proposal.objects.filter(pk__in=[pk for pk, _ in reproposed]).update(status_changed_at=now)
    # A firm's own introduction request is never superseded by a run: it waits for a reviewer.
    dropped = [
        pk
        for key, (pk, status, *_rest, origin) in existing.items()
        if status == Proposal.Status.PROPOSED and key not in selected and origin != Proposal.Origin.REQUESTED
    ]
    if dropped:
        Proposal.objects.filter(pk__in=dropped).update(
            status=Proposal.Status.SUPERSEDED, status_changed_at=now, updated_at=now
        )
    events = [
        ProposalEvent(
            proposal_id=pk,
            actor=None,
            actor_role="system",
            from_status=Proposal.Status.PROPOSED,
            to_status=Proposal.Status.SUPERSEDED,
            note=f"Dropped out of match run #{run.pk}",
            data={"run": run.pk},
        )
        for pk in dropped
    ] + [
        ProposalEvent(
            proposal_id=pk,
            actor=None,
            actor_role="system",
            from_status=status,
            to_status=Proposal.Status.PROPOSED,
            note=f"Proposed again by match run #{run.pk}",
            data={"run": run.pk},
        )
        for pk, status in reproposed
    ]
    ProposalEvent.objects.bulk_create(events, batch_size=1000)
    return {"proposals_created": created, "proposals_updated": updated, "proposals_superseded": len(dropped)}


UPSERT_FIELDS = ["run", "score", "rank_for_ukrainian", "rank_for_partner", "components", "reasons", "flags", "status"]


def _proposals_upsert(proposals: list[Proposal], now) -> None:
    """INSERT ... ON CONFLICT (pair) DO UPDATE of the given proposals (states already checked under lock)."""
    if not proposals:
        return
    if connection.vendor == "postgresql":
        _proposals_upsert_copy(proposals, now)
        return
    Proposal.objects.bulk_create(
        proposals,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["ukrainian", "partner"],
        update_fields=[*UPSERT_FIELDS, "updated_at"],
    )


def _proposals_upsert_copy(proposals: list[Proposal], now) -> None:
    """PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT.

    A multi-row INSERT with 20,000 x 14 parameters spends most of its time binding them
    (~25 s measured); COPY streams the same rows in well under a second.
    """
    table = Proposal._meta.db_table
    copied = ["ukrainian_id", "partner_id", "run_id", "score", "rank_for_ukrainian", "rank_for_partner"]
    copied += ["components", "reasons", "flags"]
    # Every other NOT NULL column gets its model default (timestamps: now), so new fields keep working.
    constants: dict[str, object] = {"status": Proposal.Status.PROPOSED}
    for field in Proposal._meta.concrete_fields:
        if field.primary_key or field.null or field.column in copied or field.column in constants:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constants[field.column] = now
        else:
            constants[field.column] = field.get_db_prep_save(field.get_default(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE _proposal_upsert (ukrainian_id bigint, partner_id bigint, run_id bigint, "
            "score double precision, rank_for_ukrainian integer, rank_for_partner integer, "
            "components jsonb, reasons jsonb, flags jsonb) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY _proposal_upsert FROM STDIN") as copy:
            for p in proposals:
                copy.write_row(
                    (
                        p.ukrainian_id, p.partner_id, p.run_id, p.score, p.rank_for_ukrainian, p.rank_for_partner,
                        json.dumps(p.components), json.dumps(p.reasons, ensure_ascii=False), json.dumps(p.flags, ensure_ascii=False),
                    )
                )  # fmt: skip
        columns = copied + list(constants)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [f"{f}_id" if f == "run" else f for f in UPSERT_FIELDS])
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - identifiers from model metadata only
            f"SELECT {', '.join(copied)}, {', '.join(['%s'] * len(constants))} FROM _proposal_upsert "
            f"ON CONFLICT (ukrainian_id, partner_id) DO UPDATE SET {updates}, updated_at = EXCLUDED.updated_at",
            list(constants.values()),
        )
        cursor.execute("DROP TABLE _proposal_upsert")


def _keep_counterpart_rank(row: ProposalRow, firm_id: int, rank_u, rank_p) -> ProposalRow:
    from dataclasses import replace

    if firm_id == row.ukrainian_id:
        return replace(row, rank_for_partner=rank_p)
    return replace(row, rank_for_ukrainian=rank_u)


# --- reads (match runs; the proposals' reads are in review/selectors.py) --------
