from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """Firms find each other: the directory, introduction requests, saved searches and their alerts."""

    name = "directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import events
        from directory.services import saved_search_alerts_request

        # A firm newly verified, or a verified firm's changed profile, may start matching saved searches.
        events.subscribe(events.FIRM_VERIFIED, saved_search_alerts_request)
        events.subscribe(events.FIRM_CHANGED, saved_search_alerts_request)
