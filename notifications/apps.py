from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        # Registers the message kinds and the reminders' sources (a side-effect import, once per process).
        # This app's part of "My data" (export, and erasure on account deletion).
        from applicants.personal_data import register

        from . import (  # noqa: F401
            conf,
            messages,
            personal_data,
            sources,
            sources_applications,
            sources_letters,
            sources_retention,
        )

        register(exporter=personal_data.export, eraser=personal_data.erase)
        # Every process (web, worker, beat) refuses to start with bounds a batch could outlive.
        conf.check_bounds()
