"""Reminder tuning, read from settings (NOTIFICATIONS_*, defaults in portal/settings/base.py)."""

import datetime as dt

from django.conf import settings


def claim_lease() -> dt.timedelta:
    """How long a claim may stay 'sending' before the row is presumed orphaned by a crash."""
    return dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)


def requeue_after() -> dt.timedelta:
    """How long a queued batch may take before a tick queues its rows again (lost message)."""
    return dt.timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS)


def batch_size() -> int:
    return settings.NOTIFICATIONS_BATCH_SIZE


def max_attempts() -> int:
    return settings.NOTIFICATIONS_MAX_ATTEMPTS


def retry_backoff(attempts: int) -> dt.timedelta:
    """5 min, 10, 20, 40, 80... capped at 6 hours: a flaky SMTP server gets time to recover."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))
