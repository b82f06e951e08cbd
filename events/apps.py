from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Forums with one-to-one meetings: registration, requests, the scheduler, agendas."""

    name = "events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import events
        from events.services import participations_withdraw_for_firm

        # A firm that can no longer be introduced leaves its events, in the same transaction.
        for event in (events.FIRM_SUSPENDED, events.SCREENING_CONFIRMED):
            events.subscribe(event, participations_withdraw_for_firm)
