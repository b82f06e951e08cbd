"""`manage.py import_firms PATH [--pending] [--no-rematch]`: load an alliance-firms/1 file, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.exchange import ExchangeFileError, parse_exchange_text
from registry.models import Firm
from registry.services import firms_import


class Command(BaseCommand):
    help = (
        "Import firms from an alliance-firms/1 JSON file. Existing refs are updated. On any problem, "
        "prints every one as `firms[INDEX] (ref): field: message`, imports nothing and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the JSON file ('-' for standard input)")
        parser.add_argument(
            "--pending", action="store_true", help="create new firms pending review instead of verified"
        )
        parser.add_argument(
            "--no-rematch",
            dest="rematch",
            action="store_false",
            help="do not queue matching for the verified firms created or changed (run `manage.py match` later)",
        )

    def handle(self, *args, path: str, pending: bool, rematch: bool, **options):
        try:
            if path == "-":
                import sys

                text = sys.stdin.buffer.read()
            else:
                text = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}")
        status = Firm.Status.PENDING if pending else Firm.Status.VERIFIED
        try:
            result = firms_import(document=parse_exchange_text(text), status=status, rematch=rematch)
        except ExchangeFileError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(exc.problems)} problem(s) in {path}; nothing was imported.", returncode=1)
        self.stdout.write(result.summary())
