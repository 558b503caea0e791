from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = "Applicants"

    def ready(self) -> None:
        # The search page and its API pick up our filter and badges from placements.search's registry.
        from . import search

        search.register()
