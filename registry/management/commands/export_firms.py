"""`manage.py export_firms [PATH]`: write every firm as one alliance-firms/1 file, sorted by ref."""

from pathlib import Path

from django.core.management.base import BaseCommand

from registry.exchange import dump_exchange_document, export_firms_document


class Command(BaseCommand):
    help = "Export all firms in the alliance-firms/1 format (to PATH, or standard output)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="output file; standard output when omitted")

    def handle(self, *args, path: str | None, **options):
        text = dump_exchange_document(export_firms_document())
        if path:
            Path(path).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {path}")
        else:
            self.stdout.write(text, ending="")
