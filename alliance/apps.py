from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = "Firm registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register every app's Celery tasks in this process too (web, manage.py commands, tests),
        # not only in workers: the outbox looks tasks up by name, and eager mode runs them here.
        from alliance.celery import app

        app.autodiscover_tasks(force=True)
