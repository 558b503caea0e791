from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Messages, reminders, the outbox and the calendar feed. The reminder kinds and calendar dates
    are each app's own (<app>/reminders.py), wired by portal's AppConfig; this app's part of
    "My data" is registered by applicants' AppConfig."""

    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        # The account e-mails' kind (a side-effect import, once per process).
        from . import conf, messages  # noqa: F401

        # Every process (web, worker, beat) refuses to start with bounds a batch could outlive.
        conf.check_bounds()
