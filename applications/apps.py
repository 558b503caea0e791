from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        # This app's part of "My data": exported; kept, anonymised, on deletion (see personal_data).
        from applicants.personal_data import register
        from placements import places

        from . import personal_data, seats

        register(exporter=personal_data.export)
        # Placements asks before lowering a session's seats or archiving it.
        places.register(seats.places_held)
