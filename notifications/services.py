"""Reminders: the beat tick (scan, record in the outbox, fan out; the outbox delivers); the
notification centre, preferences and calendar feeds."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import conf, kinds, outbox
from .models import CalendarFeed, Notification, NotificationPreference, Reminder, new_feed_token

logger = logging.getLogger(__name__)


class PreferenceError(Exception):
    pass


@dataclass
class ScanResult:
    found: int = 0
    inserted: int = 0
    queued: int = 0
    batches: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    queued_ids: list[list[int]] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        # Not asdict(): it would deep-copy every queued id.
        return {
            "found": self.found,
            "inserted": self.inserted,
            "queued": self.queued,
            "batches": self.batches,
            "by_kind": dict(self.by_kind),
        }


def reminders_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """One beat tick: ask every source what is due, record new ledger rows (insert-or-skip on the
    unique key), then queue the ready rows in batches for the workers.

    Safe to run twice or concurrently: a second tick inserts nothing new, and rows already queued
    are not queued again until `requeue_after` says their batch was lost.
    """
    now = now or timezone.now()
    result = ScanResult()
    outbox.outbox_expire(now=now)
    for kind in list(kinds.KINDS.values()):
        if kind.find_due is None:
            continue  # a message caused by a change: recorded by the change itself
        rows = list(kind.find_due(now))
        result.found += len(rows)
        result.by_kind[kind.code] = len(rows)
        if not rows:
            continue
        # Skip the keys the ledger already holds with one read, so a steady state costs no
        # writes; ignore_conflicts still settles a race with a concurrent tick.
        existing = set(
            Reminder.objects.filter(
                kind=kind.code, subject_type=kind.subject_type, due__gte=min(row.due for row in rows)
            ).values_list("recipient_id", "recipient_email", "subject_id", "due")
        )
        new = [
            Reminder(
                recipient_id=row.recipient_id,
                recipient_email=row.recipient_email,
                kind=kind.code,
                subject_type=kind.subject_type,
                subject_id=row.subject_id,
                due=row.due,
                deadline=row.deadline,
                next_attempt_at=now,
                created_at=now,
            )
            for row in rows
            if row.key not in existing
        ]
        Reminder.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)
        result.inserted += len(new)
    size = conf.batch_size()
    with transaction.atomic():
        # skip_locked: two ticks at once split the rows instead of both queuing them (PostgreSQL;
        # SQLite serialises writers anyway).
        ids = list(
            Reminder.objects.to_queue(now=now, lease=conf.claim_lease(), requeue_after=conf.requeue_after())
            .select_for_update(skip_locked=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
        batches = [ids[i : i + size] for i in range(0, len(ids), size)]
        # Marked in large chunks (bound parameters are limited), not per batch: 10 UPDATEs for 100,000.
        for start in range(0, len(ids), 10_000):
            Reminder.objects.filter(pk__in=ids[start : start + 10_000]).update(queued_at=now)
        transaction.on_commit(lambda: outbox.queue_batches(batches))
    result.queued, result.batches, result.queued_ids = len(ids), len(batches), batches
    logger.info("reminders tick", extra=result.as_dict())
    return result


# --- Notification centre ---------------------------------------------------------------------


def notification_create(*, recipient: Any, kind: str, title: str, url: str = "", body: str = "") -> Notification:
    """An in-app message for a transaction (an offer made, a letter received): other apps call this."""
    return Notification.objects.create(recipient=recipient, kind=kind, title=title, url=url, body=body)


def notifications_create(
    *, recipients: Iterable[Any], kind: str, title: str, url: str = "", body: str = ""
) -> list[Notification]:
    """The same in-app message to several people (an institution's coordinators), in one insert."""
    return Notification.objects.bulk_create(
        [Notification(recipient=recipient, kind=kind, title=title, url=url, body=body) for recipient in recipients]
    )


def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    """Marks the user's own notification read; another user's id raises DoesNotExist (a 404)."""
    notification = Notification.objects.for_user(user).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: Any) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


# --- Preferences -----------------------------------------------------------------------------


def preference_set(*, user: Any, kind: str, enabled: bool) -> NotificationPreference:
    """Switch a reminder kind (or all reminders) on or off. Transactional kinds refuse."""
    known = kinds.get(kind)
    if kind != kinds.ALL and known is None:
        raise PreferenceError(f"Unknown kind of message: {kind}.")
    if known is not None and known.transactional:
        raise PreferenceError(f"{known.label} cannot be switched off: it is part of your application.")
    if known is not None and known.to_address:
        raise PreferenceError(f"Unknown kind of message: {kind}.")
    preference, _ = NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"enabled": enabled})
    return preference


def address_unsubscribe(*, address: str, kind: str) -> NotificationPreference:
    """Switch reminders off for an address without an account (a letter writer's one-click link).
    Only the reminders stop: whatever they are about (a letter request) carries on unchanged."""
    known = kinds.get(kind)
    if kind != kinds.ALL and (known is None or known.transactional or not known.to_address):
        raise PreferenceError(f"Unknown kind of message: {kind}.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=None, address=address, kind=kind, defaults={"enabled": False}
    )
    return preference


# --- Calendar feed ---------------------------------------------------------------------------


def calendar_feed_get_or_create(*, user: Any) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_revoke(*, user: Any) -> CalendarFeed:
    """Replace the secret: the old URL stops working at once, a new one is shown."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        if not created:
            feed.token = new_feed_token()
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
    return feed
