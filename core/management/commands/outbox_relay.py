from django.core.management.base import BaseCommand

from core.outbox import outbox_relay


class Command(BaseCommand):
    help = "Send Celery messages that were recorded while the broker was unreachable."

    def handle(self, *args, **options):
        sent = outbox_relay()
        self.stdout.write(f"outbox: sent {sent} message(s)")
