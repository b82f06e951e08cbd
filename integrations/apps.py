from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Partner integrations: webhook endpoints and deliveries, and the Idempotency-Key store."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import events
        from integrations.services import webhooks

        # Reactions run in the publisher's transaction: a delivery row and its outbox message commit
        # with the change they announce, or not at all.
        events.subscribe(events.PROPOSAL_TRANSITIONED, webhooks.on_proposal_transitioned)
        events.subscribe(events.FIRM_VERIFIED, webhooks.on_firm_verified)
        events.subscribe(events.FIRM_SUSPENDED, webhooks.on_firm_suspended)
        events.subscribe(events.EVENT_AGENDA_PUBLISHED, webhooks.on_event_agenda_published)
