from django.apps import AppConfig


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = "Saved searches and alerts"

    def ready(self) -> None:
        # The API turns a refused save (name taken, cap reached, a filter it cannot watch) into a
        # readable problem, as for every other app's service errors.
        from api.problems import register_service_error
        from applicants.personal_data import register
        from placements.selectors import register_search_page_part

        from . import personal_data
        from .services import SavedSearchError
        from .views import save_search_part

        register_service_error(SavedSearchError)
        # This app's part of "My data" (export, and erasure on account deletion).
        register(exporter=personal_data.export, eraser=personal_data.erase)
        # The applicant's "Save this search" on the search page (placements sits below alerts).
        register_search_page_part(save_search_part)
