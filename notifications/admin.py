from django.contrib import admin

from .models import CalendarFeed, Notification, NotificationPreference, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "recipient",
        "recipient_email",
        "subject_type",
        "subject_id",
        "due",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__email", "recipient_email"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "due"
    readonly_fields = ["claimed_at", "sent_at", "queued_at", "last_error", "created_at"]


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
