from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        # Registers the reminder kinds and their sources (a side-effect import, once per process).
        from . import sources, sources_applications, sources_letters  # noqa: F401
