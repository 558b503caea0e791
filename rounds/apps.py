from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = "Match rounds"

    def ready(self) -> None:
        # This app's part of "My data": exported; kept with the anonymised account on deletion.
        from applicants.personal_data import register

        from . import personal_data

        register(exporter=personal_data.export)
