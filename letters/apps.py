from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = "Letters of recommendation"

    def ready(self) -> None:
        # This app's part of "My data" (export, and erasure on account deletion).
        from applicants.personal_data import register

        from . import personal_data

        register(exporter=personal_data.export, eraser=personal_data.erase)
        # The API answers the services' refusals as 409 with their message.
        from api.problems import register_service_error

        from .services import LetterError

        register_service_error(LetterError)
