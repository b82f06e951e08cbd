from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core kit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register every app's Celery tasks in this process too (web, manage.py commands, tests),
        # not only in workers: the outbox looks tasks up by name, and eager mode runs them here.
        # The project's Celery app (alliance.celery) is the current app once settings are loaded.
        from celery import current_app

        current_app.autodiscover_tasks(force=True)

        from core.api.messages import use_plural_messages

        use_plural_messages()

        from core.api.choices import list_allowed_choices

        list_allowed_choices()
