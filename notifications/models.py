"""Reminders ledger, in-app notifications, per-kind preferences and private calendar feeds."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import NotificationQuerySet, ReminderQuerySet


class Reminder(models.Model):
    """The outbox: one row per e-mail the portal sends, claimed before it is sent (see outbox.py).

    Two sorts of row share it. A reminder is found by the beat tick: its unique key (recipient,
    kind, subject, due) is what makes it go out once, the tick inserting with ON CONFLICT DO
    NOTHING. A message caused by a change (a status move, a letter link, an account e-mail) is
    recorded in that change's transaction with its own unique `key` and no `due` (NULLs are
    distinct, so it never meets the reminders' keys). Either way a worker owns a row only after
    its conditional UPDATE (pending -> sending) changed exactly one row.

    The recipient is a user, or an e-mail address for people without an account (a letter
    writer): exactly one of `recipient` and `recipient_email` is set.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Claimed, sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped (switched off or subject gone)")
        FAILED = "failed", _("Failed (gave up)")
        EXPIRED = "expired", _("Expired (no longer useful, never sent late)")
        CANCELLED = "cancelled", _("Cancelled by an admin")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    recipient_email = models.EmailField(blank=True, help_text=_("The address, for a recipient without an account."))
    kind = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=60, help_text=_("app_label.model of the subject."))
    subject_id = models.BigIntegerField()
    due = models.DateField(
        null=True, blank=True, help_text=_("The day, in the recipient's time zone, a reminder is for.")
    )
    deadline = models.DateTimeField(null=True, blank=True, help_text=_("Never sent after this moment."))
    key = models.CharField(
        max_length=150, null=True, blank=True, unique=True, help_text=_("The key of a message caused by a change.")
    )
    # A message rendered when it was recorded (allauth's account e-mails): subject, text, html, to.
    payload = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The last failure stays after a later success: support reads what happened.
    last_error = models.TextField(blank=True)
    last_error_class = models.CharField(max_length=100, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        constraints = [
            # Two keys, one per kind of recipient. A unique constraint treats NULLs as distinct (on
            # PostgreSQL and SQLite alike), so the user key never matches address rows (it is left as
            # it was: no index rebuild on a live ledger) and addresses get their own partial key.
            # ON CONFLICT DO NOTHING without a target, as bulk_create(ignore_conflicts) writes it,
            # honours both.
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_type", "subject_id", "due"], name="reminder_unique_key"
            ),
            models.UniqueConstraint(
                fields=["recipient_email", "kind", "subject_type", "subject_id", "due"],
                name="reminder_unique_address_key",
                condition=Q(recipient__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, recipient_email="")
                | (Q(recipient__isnull=True) & ~Q(recipient_email="")),
                name="reminder_one_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="reminder_sent_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="reminder_ready_idx"),
            models.Index(fields=["kind", "due"], name="reminder_kind_due_idx"),
            models.Index(fields=["sent_at"], name="outbox_sent_at_idx"),
        ]

    def __str__(self) -> str:
        recipient = self.recipient_id or self.recipient_email
        return f"{self.kind} {self.subject_type}#{self.subject_id} for {recipient} ({self.key or self.due})"


class Notification(models.Model):
    """A message in the in-app centre. A reminder creates at most one (the one-to-one says so)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    reminder = models.OneToOneField(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def address_key(email: str) -> str:
    """How an address without an account is named in unsubscribe links and preferences: a SHA-256
    of the lower-cased address, so neither the link nor the opt-out row carries the address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class NotificationPreference(models.Model):
    """A switched-off kind, for a user or for an address without an account (`address_key`).
    No row means on: most people never change anything."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_preferences",
    )
    address = models.CharField(
        max_length=64, blank=True, help_text=_("address_key() of an address without an account.")
    )
    kind = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # As on the ledger: NULL users are distinct, so addresses need their own (partial) key.
            models.UniqueConstraint(fields=["user", "kind"], name="preference_unique_user_kind"),
            models.UniqueConstraint(
                fields=["address", "kind"], name="preference_unique_address_kind", condition=Q(user__isnull=True)
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False, address="") | (Q(user__isnull=True) & ~Q(address="")),
                name="preference_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id or self.address[:12]} {self.kind}: {'on' if self.enabled else 'off'}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret in a user's private iCalendar URL. Revoking replaces it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
