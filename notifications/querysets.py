"""Reusable filters for the reminders ledger and the notification centre."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import F, Q


class ReminderQuerySet(models.QuerySet):
    def ready(self, *, now: dt.datetime, lease: dt.timedelta) -> ReminderQuerySet:
        """Rows a worker may claim now: pending and due for an attempt, or claimed by a worker
        that has not finished within the lease (it crashed: the claim is taken over)."""
        return self.filter(
            Q(status="pending", next_attempt_at__lte=now) | Q(status="sending", claimed_at__lt=now - lease)
        )

    def to_queue(self, *, now: dt.datetime, lease: dt.timedelta, requeue_after: dt.timedelta) -> ReminderQuerySet:
        """Ready rows that no batch holds: never queued, queued so long ago the message was lost,
        or an orphaned claim not queued again since its worker died."""
        return self.ready(now=now, lease=lease).filter(
            Q(queued_at__isnull=True)
            | Q(queued_at__lt=now - requeue_after)
            | Q(status="sending", queued_at__lte=F("claimed_at"))
        )


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)
