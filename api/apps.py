from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # This app's part of "My data" (export, and erasure on account deletion).
        from applicants.personal_data import register

        from . import personal_data

        register(exporter=personal_data.export, eraser=personal_data.erase)
