"""`manage.py export_proposals [PATH]`: every proposal as a JSON list, in a stable order."""

import json

from django.core.management.base import BaseCommand

from matching.models import Proposal


def proposals_export(*, statuses: list[str] | None = None) -> list[dict]:
    """Proposals as plain dicts, sorted by (Ukrainian firm ref, partner firm ref): one query."""
    qs = Proposal.objects.order_by("ukrainian__ref", "partner__ref")
    if statuses:
        qs = qs.filter(status__in=statuses)
    fields = (
        "ukrainian__ref",
        "partner__ref",
        "score",
        "rank_for_ukrainian",
        "rank_for_partner",
        "status",
        "components",
        "reasons",
    )
    return [
        {
            "ukrainian": u,
            "partner": p,
            "score": round(score, 4),
            "rank_for_ukrainian": rank_u,
            "rank_for_partner": rank_p,
            "status": status,
            "components": components,
            "reasons": reasons,
        }
        for u, p, score, rank_u, rank_p, status, components, reasons in qs.values_list(*fields).iterator(
            chunk_size=2000
        )
    ]


class Command(BaseCommand):
    help = "Write all current proposals as JSON (to PATH, or standard output)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Output file (default: standard output).")
        parser.add_argument(
            "--status", action="append", choices=Proposal.Status.values, help="Only these states (repeatable)."
        )

    def handle(self, *args, path: str | None, status: list[str] | None, **options):
        data = proposals_export(statuses=status)
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if path:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(f"{len(data)} proposals written to {path}")
        else:
            self.stdout.write(text, ending="")
