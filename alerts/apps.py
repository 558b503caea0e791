from django.apps import AppConfig


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = "Saved searches and alerts"

    def ready(self) -> None:
        # The API turns a refused save (name taken, cap reached, a filter it cannot watch) into a
        # readable problem, as for every other app's service errors.
        from api.problems import register_service_error

        from .services import SavedSearchError

        register_service_error(SavedSearchError)
