from importlib import import_module

from django.apps import AppConfig

# Each app's reminder kinds and calendar dates, registered into notifications' registries on
# import, in the order the preferences page lists the kinds.
REMINDERS = (
    "applications.reminders",
    "letters.reminders",
    "applicants.reminders",
    "placements.reminders",
    "alerts.reminders",
    "rounds.reminders",
)


class PortalConfig(AppConfig):
    """The project itself, above every app: its URLs, navigation and the wiring between apps."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # notifications sits below the apps and cannot import them: the project does.
        for module in REMINDERS:
            import_module(module)
