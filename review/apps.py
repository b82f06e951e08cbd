from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The review workflow over matching's proposals: decisions, firms' answers, notifications, stats."""

    name = "review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import events, providers
        from review.selectors import firm_ids_connected_with
        from review.services.notifications import firm_members_notify
        from review.services.workflow import proposals_withdraw_for_firm

        providers.answer(providers.CONNECTED_FIRM_IDS, firm_ids_connected_with)

        # A firm that can no longer be introduced loses its open proposals, in the same transaction.
        for event in (events.FIRM_SUSPENDED, events.FIRM_IDENTITY_CHANGED, events.SCREENING_CONFIRMED):
            events.subscribe(event, proposals_withdraw_for_firm)
        # The registry's reminders (a profile going stale, a certification expiring) reach the firm's people.
        events.subscribe(events.FIRM_REMINDER, firm_members_notify)
