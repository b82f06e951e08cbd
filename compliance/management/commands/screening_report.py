import json

from django.core.management.base import BaseCommand

from compliance.selectors import screening_report_rows


class Command(BaseCommand):
    help = "Print every firm's screening status and matches: a JSON list with --format json, else a text table."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--all", action="store_true", help="Text table: include clear firms too")

    def handle(self, *args, **options):
        rows = screening_report_rows()
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{'REF':<24} {'STATUS':<16} {'NAME':<40} MATCHES")
        for row in rows:
            if row["status"] == "clear" and not options["all"] and not row["matches"]:
                continue
            matches = "; ".join(f"{m['name']} [{m['list_id']}] {m['reason']} {m['score']:.2f}" for m in row["matches"])
            self.stdout.write(f"{row['ref']:<24} {row['status']:<16} {row['name'][:40]:<40} {matches}")
