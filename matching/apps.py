from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import events
        from matching.services.review import proposals_withdraw_for_firm

        # A firm that can no longer be introduced loses its open proposals, in the same transaction.
        for event in (events.FIRM_SUSPENDED, events.FIRM_IDENTITY_CHANGED, events.SCREENING_CONFIRMED):
            events.subscribe(event, proposals_withdraw_for_firm)
