import getpass

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from compliance.services import SanctionsImportError, sanctions_list_import


class Command(BaseCommand):
    help = (
        "Import an OpenSanctions targets.simple.csv as the new active sanctions list (all or nothing), "
        "then re-screen every firm."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path to targets.simple.csv")
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar")

    def handle(self, *args, path, no_progress=False, **options):
        bar = tqdm(desc="rows", unit=" rows", disable=no_progress or options["verbosity"] < 1, file=self.stderr)
        try:
            sanctions_list = sanctions_list_import(
                path=path, imported_by=getpass.getuser(), progress=lambda n: bar.update(1)
            )
        except SanctionsImportError as exc:
            raise CommandError(f"Nothing imported: {exc.message}")
        finally:
            bar.close()
        self.stdout.write(
            f"Imported list #{sanctions_list.pk} from {sanctions_list.source_name} (sha256 {sanctions_list.sha256[:16]}...): "
            f"{sanctions_list.entries_count} entries kept, {sanctions_list.skipped_count} of other schemata skipped, "
            f"{sanctions_list.rows_read} rows read. Re-screening of all firms queued."
        )
