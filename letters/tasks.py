"""Letters' background work: each task takes ids, re-reads the rows and calls one service."""

from celery import shared_task


@shared_task
def letter_requests_expire_task() -> int:
    from .services import letter_requests_expire

    return letter_requests_expire()
