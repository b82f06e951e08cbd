from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    # The label the app had when it lived in the project package: table names (alliance_firm...),
    # migrations and "alliance.Firm" references stay as they are.
    label = "alliance"
    verbose_name = "Firm registry"
    default_auto_field = "django.db.models.BigAutoField"
