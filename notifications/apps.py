from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Messages, reminders and the calendar feed. The reminder kinds and calendar dates are each
    app's own (<app>/reminders.py), wired by portal's AppConfig; this app's part of "My data" is
    registered by applicants' AppConfig."""

    name = "notifications"
    verbose_name = "Notifications and reminders"
