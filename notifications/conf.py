"""Outbox tuning, overridable in settings; the defaults suit a five-minute beat tick.

The bounds nest: one SMTP operation waits at most EMAIL_TIMEOUT; a batch stops claiming after
`batch_seconds`; Celery stops the task at its soft, then hard, limit; and only after the claim
lease may another worker take over a claim. `check_bounds` refuses settings that break the order.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _seconds(name: str) -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, name))


def claim_lease() -> dt.timedelta:
    """How long a claim may stay 'sending' before the row is presumed orphaned by a crash."""
    return _seconds("NOTIFICATIONS_CLAIM_LEASE_SECONDS")


def requeue_after() -> dt.timedelta:
    """How long a queued batch may take before a tick queues its rows again (lost message)."""
    return _seconds("NOTIFICATIONS_REQUEUE_AFTER_SECONDS")


def batch_size() -> int:
    return settings.NOTIFICATIONS_BATCH_SIZE


def batch_seconds() -> float:
    """A delivery batch claims no new message after this long; the rest is queued again."""
    return float(settings.NOTIFICATIONS_BATCH_SECONDS)


def max_attempts() -> int | None:
    """An optional cap on attempts. None (the default): a message is retried while it is useful,
    its deadline or `expire_after` bounding it, so an outage of a day loses nothing still useful."""
    return settings.NOTIFICATIONS_MAX_ATTEMPTS


def retry_backoff(attempts: int) -> dt.timedelta:
    """5 min, 10, 20, 40, then hourly: a flaky SMTP server gets time to recover, and a mended one
    is used within the hour."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    cap = settings.NOTIFICATIONS_RETRY_MAX_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def expire_after() -> dt.timedelta:
    """A message without a deadline of its own is no longer useful this long after it was recorded."""
    return _seconds("NOTIFICATIONS_EXPIRE_AFTER_SECONDS")


def deliver_time_limits() -> tuple[float, float]:
    """Celery's (soft, hard) time limits of a delivery batch, in seconds."""
    soft = float(settings.NOTIFICATIONS_DELIVER_SOFT_TIME_LIMIT)
    return soft, float(settings.NOTIFICATIONS_DELIVER_TIME_LIMIT)


def tick_time_limits() -> tuple[float, float]:
    soft = int(settings.NOTIFICATIONS_TICK_SOFT_TIME_LIMIT)
    return soft, int(settings.NOTIFICATIONS_TICK_TIME_LIMIT)


def check_bounds() -> None:
    """Refuse to start with a lease a running batch could outlive: its claims would look abandoned
    while it still sends, and a second worker would send them again."""
    soft, hard = deliver_time_limits()
    lease = claim_lease().total_seconds()
    timeout = settings.EMAIL_TIMEOUT
    if timeout is None:
        raise ImproperlyConfigured("EMAIL_TIMEOUT must be set: a mail server that never answers would block a worker.")
    if not batch_seconds() + timeout < soft < hard < lease:
        raise ImproperlyConfigured(
            "Outbox bounds out of order: need NOTIFICATIONS_BATCH_SECONDS + EMAIL_TIMEOUT "
            f"({batch_seconds():g} + {timeout:g}) < soft time limit ({soft}) < time limit ({hard}) "
            f"< NOTIFICATIONS_CLAIM_LEASE_SECONDS ({lease:g})."
        )
