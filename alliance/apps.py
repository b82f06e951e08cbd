from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = "Firm registry"
    default_auto_field = "django.db.models.BigAutoField"
