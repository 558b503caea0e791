from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        # Registers the reminder kinds and their sources (a side-effect import, once per process).
        # This app's part of "My data" (export, and erasure on account deletion).
        from applicants.personal_data import register

        from . import personal_data, sources, sources_applications, sources_letters, sources_retention  # noqa: F401

        register(exporter=personal_data.export, eraser=personal_data.erase)
