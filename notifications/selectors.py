"""Reads for notifications' pages, and of the outbox for the people who run it (the admin's summary, /metrics)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from . import kinds
from .models import NotificationPreference, Reminder


def preferences_for(*, user: Any) -> dict[str, bool]:
    off = set(NotificationPreference.objects.filter(user=user, enabled=False).values_list("kind", flat=True))
    return {kinds.ALL: kinds.ALL not in off, **{kind.code: kind.code not in off for kind in kinds.switchable()}}


Status = Reminder.Status
WAITING = [Status.PENDING, Status.SENDING]


@dataclass
class FailureGroup:
    error_class: str
    count: int
    example_id: int
    example_error: str


@dataclass
class OutboxSummary:
    by_state: dict[str, int]
    by_state_and_kind: dict[tuple[str, str], int]
    attempts_by_kind: dict[str, int]
    oldest_pending_at: dt.datetime | None
    last_sent_at: dt.datetime | None
    failures: list[FailureGroup] = field(default_factory=list)

    @property
    def oldest_pending_age(self) -> dt.timedelta | None:
        return timezone.now() - self.oldest_pending_at if self.oldest_pending_at else None

    @property
    def states(self) -> list[tuple[str, Any, int]]:
        return [(value, label, self.by_state.get(value, 0)) for value, label in Status.choices]


def outbox_summary(*, failure_groups: int = 10) -> OutboxSummary:
    """Counts by state (and kind), the oldest waiting message, the last send, and what failed,
    grouped by error class with the latest example: five queries whatever the outbox holds."""
    by_state_and_kind = {
        (status, kind): count
        for status, kind, count in Reminder.objects.order_by()
        .values_list("status", "kind")
        .annotate(n=Count("id"))
        .values_list("status", "kind", "n")
    }
    by_state: dict[str, int] = {}
    for (status, _kind), count in by_state_and_kind.items():
        by_state[status] = by_state.get(status, 0) + count
    attempts_by_kind = dict(
        Reminder.objects.order_by().values_list("kind").annotate(n=Sum("attempts")).values_list("kind", "n")
    )
    oldest = Reminder.objects.filter(status__in=WAITING).aggregate(at=Min("created_at"))["at"]
    last_sent = Reminder.objects.filter(sent_at__isnull=False).aggregate(at=Max("sent_at"))["at"]
    # Failures: what is failing now (waiting to retry after an error) or gave up.
    failing = Reminder.objects.filter(status__in=[*WAITING, Status.FAILED]).exclude(last_error="")
    groups = list(
        failing.order_by()
        .values_list("last_error_class")
        .annotate(n=Count("id"), example=Max("id"))
        .order_by("-n")[:failure_groups]
    )
    examples = dict(Reminder.objects.filter(pk__in=[g[2] for g in groups]).values_list("pk", "last_error"))
    return OutboxSummary(
        by_state=by_state,
        by_state_and_kind=by_state_and_kind,
        attempts_by_kind=attempts_by_kind,
        oldest_pending_at=oldest,
        last_sent_at=last_sent,
        failures=[
            FailureGroup(error_class=cls or "?", count=n, example_id=pk, example_error=examples.get(pk, ""))
            for cls, n, pk in groups
        ],
    )
