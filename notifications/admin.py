from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .models import CalendarFeed, Notification, NotificationPreference, Reminder
from .outbox import outbox_cancel, outbox_retry
from .selectors import outbox_summary


@admin.register(Reminder)
class OutboxAdmin(admin.ModelAdmin):
    """The outbox: every e-mail, with a summary above the list (docs/outbox.md) and bulk retry or
    cancel. Read-only otherwise: rows change through the outbox's services, never by hand."""

    list_display = [
        "id",
        "kind",
        "recipient",
        "recipient_email",
        "status",
        "attempts",
        "last_error_class",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "last_error_class"]
    search_fields = ["recipient__email", "recipient_email", "key", "=id"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
    # The payload may hold a one-time link until the message is sent: never shown.
    exclude = ["payload"]
    readonly_fields = [
        "kind",
        "key",
        "subject_type",
        "subject_id",
        "due",
        "deadline",
        "status",
        "attempts",
        "next_attempt_at",
        "queued_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "last_error_class",
        "closed_reason",
        "created_at",
    ]
    actions = ["retry", "cancel"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return super().changelist_view(request, {**(extra_context or {}), "summary": outbox_summary()})

    @admin.action(description=_("Retry the selected failed or expired messages"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = outbox_retry(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(count)d messages will be sent at the next tick.") % {"count": count})

    @admin.action(description=_("Cancel the selected messages (never send them)"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = _("Cancelled by %(user)s.") % {"user": request.user.email}
        count = outbox_cancel(message_ids=queryset.values_list("pk", flat=True), reason=reason)
        self.message_user(request, _("%(count)d messages cancelled.") % {"count": count})


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "title"]
    raw_id_fields = ["recipient", "reminder"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "address", "kind", "enabled", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    exclude = ["token"]
