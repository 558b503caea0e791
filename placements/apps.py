from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = "Placements"

    def ready(self) -> None:
        from . import accepted_visas, listing_dates, tasks
        from .search import count_cache

        # A change to the catalogue makes the search's cached counts stale, and queues their recount.
        count_cache.connect_signals()
        count_cache.set_warm_task(tasks.warm_search_counts_task)
        # The listing's copy of its accepted visas follows every change to them.
        accepted_visas.connect_signals()
        # The stored next deadline and start that order the search (a trigger on PostgreSQL).
        listing_dates.connect_signals()
        # The API answers the services' refusals as 409 with their message.
        from api.problems import register_service_error

        from .services import PlacementsError

        register_service_error(PlacementsError)
