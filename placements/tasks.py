"""Celery tasks of the catalogue. They only call the modules that do the work."""
from celery import shared_task

from . import listing_dates


@shared_task(name="placements.refresh_listing_dates")
def refresh_listing_dates_task() -> int:
    """Scheduled every minute by django-celery-beat (migration 0011): passed deadlines and starts."""
    return listing_dates.refresh_due()
