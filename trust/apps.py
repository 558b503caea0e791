from django.apps import AppConfig


class TrustConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trust"
    verbose_name = "Trust"

    def ready(self) -> None:
        # Lower apps call up through registries they own: a move that gives up the place revokes
        # the visa letter; the search offers the "answers fastest" sort and "answers within 2 weeks",
        # and ranks listings possibly out of date lower.
        from api.problems import register_service_error
        from applications.hooks import register_move_hook
        from placements.search import register_filter, register_relevance_demotion, register_sort
        from placements.selectors import register_listing_page_part

        from . import notifications, search, selectors, services

        notifications.register()
        register_service_error(services.TrustError)
        register_move_hook(services.visa_letters_revoke_on_move)
        register_filter(search.ANSWERS_WITHIN_TWO_WEEKS)
        register_sort(search.ANSWERS_FASTEST, search.answers_fastest_label, search.answers_fastest_order)
        register_relevance_demotion(search.stale_last)
        register_listing_page_part(selectors.listing_trust_context)
