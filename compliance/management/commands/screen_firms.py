from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from compliance.services import active_list, firms_screen
from registry.models import Firm


class Command(BaseCommand):
    help = "Re-screen every firm against the active sanctions list and print a summary by status."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar")

    def handle(self, *args, no_progress=False, **options):
        sanctions_list = active_list()
        if sanctions_list is None:
            raise CommandError("No sanctions list imported yet: run import_sanctions PATH first.")
        total = Firm.objects.count()
        with tqdm(total=total, unit=" firms", disable=no_progress or options["verbosity"] < 1, file=self.stderr) as bar:
            counts = firms_screen(progress=bar.update)
        summary = ", ".join(f"{status} {count}" for status, count in counts.items())
        self.stdout.write(
            f"Screened {total} firms against list #{sanctions_list.pk} ({sanctions_list.source_name}): {summary}"
        )
