from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        # This app's part of "My data": exported; kept, anonymised, on deletion (see personal_data).
        from applicants.personal_data import register

        from . import personal_data

        register(exporter=personal_data.export)
        # The API answers the services' refusals as 409 with their message.
        from api.problems import register_service_error

        from .errors import ApplicationError

        register_service_error(ApplicationError)
