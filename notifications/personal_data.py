"""Notifications in "My data": exported, and erased with the account (they are only ever the user's)."""

from typing import Any

from .models import CalendarFeed, Notification, NotificationPreference, Reminder


def export(user: Any) -> dict[str, Any]:
    return {
        "notifications.json": [
            {"title": n.title, "body": n.body, "url": n.url, "created_at": n.created_at, "read_at": n.read_at}
            for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
        ],
        "notification_preferences.json": [
            {"kind": p.kind, "enabled": p.enabled}
            for p in NotificationPreference.objects.filter(user=user).order_by("kind")
        ],
    }


def erase(user: Any) -> None:
    Notification.objects.filter(recipient=user).delete()
    Reminder.objects.filter(recipient=user).delete()
    # Account e-mails are addressed to the address itself (allauth may write before an account is
    # confirmed): erased with the account too.
    Reminder.objects.filter(recipient__isnull=True, kind="account_email", recipient_email__iexact=user.email).delete()
    NotificationPreference.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
