"""Celery tasks of the catalogue. They only call the modules that do the work."""

from celery import shared_task

from . import listing_dates, search
from .search import count_cache


@shared_task(name="placements.refresh_listing_dates")
def refresh_listing_dates_task() -> int:
    """Scheduled every minute by django-celery-beat (a data migration creates it): passed deadlines and starts."""
    return listing_dates.refresh_due()


@shared_task(name="placements.warm_search_counts")
def warm_search_counts_task(version: int) -> bool:
    """Queued after each catalogue change (count_cache.warm_after_change). True if it counted."""
    if count_cache.catalogue_version() != version:
        return False  # a later change queued its own
    search.warm_catalogue_counts()
    return True
