"""Reminder tuning, overridable in settings; the defaults suit a five-minute beat tick."""

import datetime as dt

from django.conf import settings


def _seconds(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, name, default))


def claim_lease() -> dt.timedelta:
    """How long a claim may stay 'sending' before the row is presumed orphaned by a crash."""
    return _seconds("NOTIFICATIONS_CLAIM_LEASE_SECONDS", 600)


def requeue_after() -> dt.timedelta:
    """How long a queued batch may take before a tick queues its rows again (lost message)."""
    return _seconds("NOTIFICATIONS_REQUEUE_AFTER_SECONDS", 900)


def batch_size() -> int:
    return getattr(settings, "NOTIFICATIONS_BATCH_SIZE", 200)


def max_attempts() -> int:
    return getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 6)


def retry_backoff(attempts: int) -> dt.timedelta:
    """5 min, 10, 20, 40, 80... capped at 6 hours: a flaky SMTP server gets time to recover."""
    base = getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 300)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))
