from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = "Applicants"

    def ready(self) -> None:
        # The search page and its API pick up our filter and badges from placements.search's registry.
        from . import search

        search.register()
        # The listing page and the catalogue's API show the applicant's eligibility.
        from placements.selectors import register_listing_page_part, register_sessions_eligibility

        from .selectors import listing_eligibility_panel

        register_sessions_eligibility(search.sessions_eligibility)
        register_listing_page_part(listing_eligibility_panel)
        # "My data" is this app's: the apps below it (accounts' sessions, api's tokens, notifications)
        # cannot import it, so their parts (export, and erasure on account deletion) are registered from here.
        from accounts import personal_data as accounts_data
        from api import personal_data as api_data
        from notifications import personal_data as notifications_data

        from .personal_data import register

        register(exporter=accounts_data.export, eraser=accounts_data.erase)
        register(exporter=api_data.export, eraser=api_data.erase)
        register(exporter=notifications_data.export, eraser=notifications_data.erase)
        # The API answers the services' refusals as 409 with their message.
        from api.problems import register_service_error

        from .services import ApplicantsError

        register_service_error(ApplicantsError)
