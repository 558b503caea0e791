"""Trust's periodic work: each task calls one service."""

from celery import shared_task

from . import freshness, responsiveness


@shared_task
def responsiveness_refresh_task() -> int:
    """Recompute every listing's and institution's responsiveness figures."""
    return responsiveness.responsiveness_refresh()


@shared_task
def freshness_reminders_task() -> int:
    """Ask coordinators to confirm listings not confirmed for 90 days (once per 90 days each)."""
    return freshness.freshness_reminders_send()
