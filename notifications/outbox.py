"""The outbox: every e-mail the portal sends is a row of the ledger (models.Reminder) before it is
a message, and this module is the only caller of Django's mail API (a test reads the source to
keep it so).

- A reminder is recorded by the beat tick (services.reminders_scan); a message caused by a change
  by `message_enqueue`, in that change's transaction, under a key of its own: a change rolled back
  mails nobody, and a key recorded twice (a double click, a retried request) is one message.
- A worker claims each message with a conditional UPDATE stamped with the claim's own time, just
  before sending it, so a slow batch never makes its later claims look abandoned.
- A failure is recorded (attempts, error, its class) and retried with backoff while the message is
  still useful; past its deadline (or `conf.expire_after` for messages without one) it is closed
  as `expired` with the reason, never sent late.
- Every bound is finite: EMAIL_TIMEOUT per SMTP operation, `conf.batch_seconds` per batch, the
  tasks' Celery time limits, all below the claim lease (`conf.check_bounds` at start-up).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from functools import partial
from typing import Any, cast

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import conf, kinds
from .kinds import Rendered
from .models import Notification, NotificationPreference, Reminder, address_key

logger = logging.getLogger(__name__)
Status = Reminder.Status
MESSAGE_HEADER = "X-USCE-Message"  # support (and the tests) match a received message to its row


# --- Recording -----------------------------------------------------------------------------------


def message_enqueue(
    *,
    kind: str,
    key: str,
    subject_type: str,
    subject_id: int,
    recipient_id: int | None = None,
    recipient_email: str = "",
    deadline: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> Reminder:
    """Record one message caused by a change, in the caller's transaction, and queue its delivery
    once that commits. The same key again records and queues nothing: the first row is returned."""
    if kinds.get(kind) is None:
        raise ValueError(f"Unknown kind of message: {kind}.")
    now = timezone.now()
    row, created = Reminder.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "recipient_id": recipient_id,
            "recipient_email": "" if recipient_id is not None else recipient_email,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "deadline": deadline,
            "payload": payload or {},
            "next_attempt_at": now,
            # Queued now (on commit): a tick queues it again only if that message was lost.
            "queued_at": now,
            "created_at": now,
        },
    )
    if created:
        transaction.on_commit(lambda: queue_batches([[row.pk]]))
    return row


def messages_enqueue(
    *, kind: str, subject_type: str, messages: Sequence[tuple[str, int, int]], deadline: dt.datetime | None = None
) -> int:
    """Record many messages of one kind caused by one change (a match round's offers), each given
    as (key, subject id, recipient user id), in one insert per 2,000 and the caller's transaction;
    queued in batches once it commits. The keys must be new (they name rows the change just made)."""
    if kinds.get(kind) is None:
        raise ValueError(f"Unknown kind of message: {kind}.")
    now = timezone.now()
    rows = Reminder.objects.bulk_create(
        [
            Reminder(
                kind=kind,
                key=key,
                subject_type=subject_type,
                subject_id=subject_id,
                recipient_id=recipient_id,
                deadline=deadline,
                next_attempt_at=now,
                queued_at=now,
                created_at=now,
            )
            for key, subject_id, recipient_id in messages
        ],
        batch_size=2000,
    )
    ids = [row.pk for row in rows]
    size = conf.batch_size()
    transaction.on_commit(lambda: queue_batches(ids[i : i + size] for i in range(0, len(ids), size)))
    return len(ids)


def queue_batches(batches: Iterable[list[int]]) -> None:
    """Hand batches of message ids to the delivery workers (the `mail` queue)."""
    from .tasks import reminders_send_batch_task  # tasks import this module: the task is looked up at call time

    for batch in batches:
        reminders_send_batch_task.delay(batch)


def outbox_expire(*, now: dt.datetime, among: Sequence[int] | None = None) -> int:
    """Close the waiting messages (all, or those of `among`) that are no longer useful: past their
    deadline, or unsent for `conf.expire_after`. Only rows a worker could claim now: one being
    sent is left to its worker."""
    lease = conf.claim_lease()
    waiting = Reminder.objects.ready(now=now, lease=lease)
    if among is not None:
        waiting = waiting.filter(pk__in=among)
    past_deadline = (
        waiting.filter(deadline__lte=now)
        .exclude(kind__in=kinds.after_deadline())
        .update(status=Status.EXPIRED, closed_reason="Its deadline passed before it could be sent.", queued_at=None)
    )
    stale = waiting.filter(
        Q(deadline__isnull=True) | Q(kind__in=kinds.after_deadline()), created_at__lte=now - conf.expire_after()
    ).update(
        status=Status.EXPIRED,
        closed_reason=f"Not sent within {conf.expire_after().total_seconds() / 3600:g} hours of being recorded.",
        queued_at=None,
    )
    if past_deadline or stale:
        logger.info("outbox expired", extra={"past_deadline": past_deadline, "stale": stale})
    return past_deadline + stale


# --- Sending -------------------------------------------------------------------------------------


class Mailer:
    """One SMTP connection for a whole batch, opened at the first message and opened again after a
    failure (a broken connection is never reused). EMAIL_TIMEOUT bounds every operation on it."""

    def __init__(self) -> None:
        self.connection: Any = None

    def send(self, rendered: Rendered, *, message_id: int) -> None:
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
            self.connection.open()
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text,
            to=[rendered.to],
            headers={**rendered.headers, MESSAGE_HEADER: str(message_id)},
            reply_to=[rendered.reply_to] if rendered.reply_to else None,
            connection=self.connection,
        )
        if rendered.html:
            message.attach_alternative(rendered.html, "text/html")
        try:
            if self.connection.send_messages([message]) != 1:
                raise RuntimeError("The mail backend did not accept the message.")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # closing a dead connection: nothing left to save
                logger.debug("closing a broken mail connection failed", exc_info=True)

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class FailureLog:
    """The first failure of each (kind, error) in a batch is logged in full; the repeats are
    counted and summarised in one line when the batch ends, so an outage writes a line per batch
    and error, not one per message."""

    def __init__(self) -> None:
        self.repeats: dict[tuple[str, str, str], list[int]] = defaultdict(list)

    def failed(self, *, row: Reminder, attempt: int, exc: BaseException, gave_up: bool) -> None:
        key = (row.kind, type(exc).__name__, str(exc)[:200])
        seen = key in self.repeats
        self.repeats[key].append(row.pk)
        if not seen:
            logger.warning(
                "outbox send failed",
                extra={
                    "message_id": row.pk,
                    "kind": row.kind,
                    "attempt": attempt,
                    "error_class": type(exc).__name__,
                    "error": str(exc)[:500],
                    "gave_up": gave_up,
                },
            )

    def flush(self) -> None:
        for (kind, error_class, error), ids in self.repeats.items():
            if len(ids) > 1:
                logger.warning(
                    "outbox send failed (repeated)",
                    extra={
                        "kind": kind,
                        "error_class": error_class,
                        "error": error,
                        "count": len(ids),
                        "message_ids_sample": ids[:5],
                    },
                )
        self.repeats.clear()


def outbox_deliver_batch(*, message_ids: Sequence[int], now: dt.datetime | None = None) -> dict[str, int]:
    """Deliver the messages `message_ids` that are still ready; the claim decides, so a batch
    delivered twice (redelivery, two ticks, a retried task) sends each message once.

    `now` pins the clock (tests); otherwise each claim is stamped with the time it is made. A batch
    that has run `conf.batch_seconds` claims nothing more and queues the rest again."""
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else timezone.now
    started = time.monotonic()
    lease = conf.claim_lease()
    outbox_expire(now=clock(), among=message_ids)  # no longer useful: closed, never sent late
    rows = sorted(
        Reminder.objects.filter(pk__in=message_ids).ready(now=clock(), lease=lease).select_related("recipient"),
        key=lambda r: r.pk,
    )
    subjects, opted_out = _load(rows, clock())
    counts: dict[str, int] = defaultdict(int)
    failures = FailureLog()
    with Mailer() as mailer:
        for index, row in enumerate(rows):
            if time.monotonic() - started > conf.batch_seconds():
                rest = [r.pk for r in rows[index:]]
                Reminder.objects.filter(pk__in=rest, status=Status.PENDING).update(queued_at=clock())
                transaction.on_commit(partial(queue_batches, [rest]))
                counts["requeued"] = len(rest)
                break
            outcome = _deliver_one(
                row=row,
                subject=subjects.get(row.pk),
                opted_out=row.pk in opted_out,
                clock=clock,
                lease=lease,
                mailer=mailer,
                failures=failures,
            )
            counts[outcome] += 1
    failures.flush()
    if counts:
        logger.info("outbox batch", extra={"counts": dict(counts), "seconds": round(time.monotonic() - started, 3)})
    return dict(counts)


def _load(rows: list[Reminder], now: dt.datetime) -> tuple[dict[int, Any], set[int]]:
    """Each row's subject (kind by kind, a fixed number of queries) and the rows whose recipient
    switched their kind off (one query, users and addresses without an account alike)."""
    subjects: dict[int, Any] = {}
    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    for code, kind_rows in by_kind.items():
        kind = kinds.get(code)
        if kind is not None:
            subjects.update(kind.load_subjects(kind_rows, now))
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
    opted_out = set()
    for row in rows:
        kind = kinds.get(row.kind)
        if (
            kind is not None
            and not kind.transactional
            and ((owner[row.pk], row.kind) in switched_off or (owner[row.pk], kinds.ALL) in switched_off)
        ):
            opted_out.add(row.pk)
    return subjects, opted_out


def _deliver_one(
    *,
    row: Reminder,
    subject: Any,
    opted_out: bool,
    clock: Callable[[], dt.datetime],
    lease: dt.timedelta,
    mailer: Mailer,
    failures: FailureLog,
) -> str:
    kind = kinds.get(row.kind)
    in_app = kind is not None and kind.in_app is not None and row.recipient_id is not None
    # With an in-app message, claim and message commit together; without, the claim is a single
    # statement (no BEGIN/COMMIT round trips: at volume, round trips are most of a message's cost).
    with transaction.atomic() if in_app else nullcontext():
        # The claim, stamped now: whoever's conditional UPDATE changes the row owns it for a lease
        # from this moment. Another worker holding the same batch gets 0 and moves on.
        claimed_at = clock()
        claimed = (
            Reminder.objects.ready(now=claimed_at, lease=lease)
            .filter(pk=row.pk)
            .update(status=Status.SENDING, claimed_at=claimed_at, attempts=F("attempts") + 1)
        )
        if claimed != 1:
            return "taken"
        if kind is None or subject is None or opted_out:
            reason = (
                "The recipient switched this kind of message off."
                if opted_out
                else "Unknown kind of message."
                if kind is None
                else "No longer due: what it was about has changed."
            )
            Reminder.objects.filter(pk=row.pk).update(status=Status.SKIPPED, closed_reason=reason)
            return "skipped"
        if in_app and kind is not None and kind.in_app is not None:
            message = kind.in_app(row, subject)
            # In-app: the one-to-one makes it exactly once even when the e-mail below is retried.
            row.notification, _ = Notification.objects.get_or_create(
                reminder=row,
                defaults={
                    "recipient_id": cast(int, row.recipient_id),  # in_app implies a recipient
                    "kind": row.kind,
                    "title": message.title[:200],
                    "body": message.body,
                    "url": message.url,
                    "created_at": claimed_at,
                },
            )
    # The claim has committed. A crash from here until the UPDATE below leaves the row 'sending';
    # after the lease a tick hands it to another worker (docs/outbox.md, "Exactly once").
    attempt = row.attempts + 1
    try:
        mailer.send(kind.render(reminder=row, subject=subject), message_id=row.pk)
    except Exception as exc:  # SMTP down or hung (timeout), template error: record, back off, retry.
        cap = conf.max_attempts()
        gave_up = cap is not None and attempt >= cap
        Reminder.objects.filter(pk=row.pk, status=Status.SENDING).update(
            status=Status.FAILED if gave_up else Status.PENDING,
            next_attempt_at=clock() + conf.retry_backoff(attempt),
            queued_at=None,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            last_error_class=type(exc).__name__[:100],
            closed_reason=f"Gave up after {attempt} attempts." if gave_up else "",
        )
        failures.failed(row=row, attempt=attempt, exc=exc, gave_up=gave_up)
        return "failed"
    sent = {"status": Status.SENT, "sent_at": timezone.now()}
    if row.payload.get("text") or row.payload.get("html"):
        # A recorded body may hold a one-time link (a password reset): not kept once it is sent.
        sent["payload"] = {k: v for k, v in row.payload.items() if k not in ("text", "html")}
    Reminder.objects.filter(pk=row.pk, status=Status.SENDING).update(**sent)
    return "sent"


# --- Admin actions -------------------------------------------------------------------------------


def outbox_retry(*, message_ids: Iterable[int]) -> int:
    """Send failed or expired messages again, at the next tick. Sent and cancelled ones stay as
    they are: a retry never sends a message twice."""
    return Reminder.objects.filter(pk__in=list(message_ids), status__in=[Status.FAILED, Status.EXPIRED]).update(
        status=Status.PENDING,
        next_attempt_at=timezone.now(),
        queued_at=None,
        closed_reason="",
        # A fresh start: the full number of attempts again, and its age (for `conf.expire_after`)
        # counted from the retry. A deadline still holds: past it, the message expires again.
        attempts=0,
        created_at=timezone.now(),
    )


def outbox_cancel(*, message_ids: Iterable[int], reason: str = "Cancelled by an admin.") -> int:
    """Never send these: waiting or failed messages only (one being sent is left to its worker)."""
    return Reminder.objects.filter(
        pk__in=list(message_ids), status__in=[Status.PENDING, Status.FAILED, Status.EXPIRED]
    ).update(status=Status.CANCELLED, closed_reason=reason[:300], queued_at=None)
