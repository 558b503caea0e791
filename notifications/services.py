"""Reminders: the beat tick (scan and fan out) and the workers' exactly-once delivery; the
notification centre, preferences and calendar feeds."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import conf, kinds
from .models import CalendarFeed, Notification, NotificationPreference, Reminder, address_key, new_feed_token

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
    for kind in list(kinds.KINDS.values()):
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
        transaction.on_commit(lambda: _fan_out(batches))
    result.queued, result.batches, result.queued_ids = len(ids), len(batches), batches
    logger.info("reminders tick", extra=result.as_dict())
    return result


def _fan_out(batches: list[list[int]]) -> None:
    from .tasks import reminders_send_batch_task

    for batch in batches:
        reminders_send_batch_task.delay(batch)


def reminder_deliver_batch(*, reminder_ids: Sequence[int], now: dt.datetime | None = None) -> dict[str, int]:
    """Deliver the ledger rows `reminder_ids` that are still ready; the claim decides, so a batch
    delivered twice (redelivery, two ticks, a retried task) sends each reminder once."""
    now = now or timezone.now()
    lease = conf.claim_lease()
    counts: dict[str, int] = defaultdict(int)
    rows = list(Reminder.objects.filter(pk__in=reminder_ids).ready(now=now, lease=lease).select_related("recipient"))
    subjects: dict[int, Any] = {}
    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    for code, kind_rows in by_kind.items():
        kind = kinds.get(code)
        if kind is not None:
            subjects.update(kind.load_subjects(kind_rows, now))
    # Who switched what off, users and addresses without an account alike, in one query.
    owner = {
        row.pk: row.recipient_id if row.recipient_id is not None else address_key(row.recipient_email) for row in rows
    }
    switched_off = {
        (user_id if user_id is not None else address, code)
        for user_id, address, code in NotificationPreference.objects.filter(
            Q(user_id__in={row.recipient_id for row in rows if row.recipient_id is not None})
            | Q(user__isnull=True, address__in={owner[row.pk] for row in rows if row.recipient_id is None}),
            kind__in=[*by_kind, kinds.ALL],
            enabled=False,
        ).values_list("user_id", "address", "kind")
    }
    for row in sorted(rows, key=lambda r: r.pk):
        kind = kinds.get(row.kind)
        subject = subjects.get(row.pk)
        opted_out = (
            kind is not None
            and not kind.transactional
            and ((owner[row.pk], row.kind) in switched_off or (owner[row.pk], kinds.ALL) in switched_off)
        )
        counts[_deliver_one(row=row, kind=kind, subject=subject, opted_out=opted_out, now=now, lease=lease)] += 1
    return dict(counts)


def _deliver_one(
    *,
    row: Reminder,
    kind: kinds.ReminderKind | None,
    subject: Any,
    opted_out: bool,
    now: dt.datetime,
    lease: dt.timedelta,
) -> str:
    with transaction.atomic():
        # The claim: whoever's conditional UPDATE changes the row owns it. Another worker holding
        # the same batch (redelivered, or queued by a second tick) gets 0 and moves on.
        claimed = (
            Reminder.objects.ready(now=now, lease=lease)
            .filter(pk=row.pk)
            .update(status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        )
        if claimed != 1:
            return "taken"
        if kind is None or subject is None or opted_out:
            Reminder.objects.filter(pk=row.pk).update(status=Reminder.Status.SKIPPED)
            return "skipped"
        if kind.in_app is not None and row.recipient_id is not None:
            message = kind.in_app(row, subject)
            # In-app: the one-to-one makes it exactly once even when the e-mail below is retried.
            row.notification, _ = Notification.objects.get_or_create(
                reminder=row,
                defaults={
                    "recipient_id": row.recipient_id,
                    "kind": row.kind,
                    "title": message.title,
                    "body": message.body,
                    "url": message.url,
                    "created_at": now,
                },
            )
    # The claim has committed. A crash from here until the UPDATE below leaves the row 'sending';
    # after the lease a tick hands it to another worker (see README, "Exactly once").
    try:
        kind.send(reminder=row, subject=subject)
    except Exception as exc:  # SMTP down, template error: record, back off, try again later.
        attempts = row.attempts + 1
        gave_up = attempts >= conf.max_attempts()
        Reminder.objects.filter(pk=row.pk, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.FAILED if gave_up else Reminder.Status.PENDING,
            next_attempt_at=now + conf.retry_backoff(attempts),
            queued_at=None,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        logger.warning("reminder send failed", extra={"reminder": row.pk, "attempts": attempts, "gave_up": gave_up})
        return "failed"
    Reminder.objects.filter(pk=row.pk, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


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
