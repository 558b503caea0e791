from django.contrib import admin

from .models import Alert, SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "frequency", "paused", "created_at", "last_matched_at")
    list_filter = ("frequency", "paused")
    raw_id_fields = ("owner", "specialty")
    search_fields = ("name", "owner__email")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("owner", "event", "listing", "session", "frequency", "created_at")
    list_filter = ("event", "frequency")
    raw_id_fields = ("owner", "listing", "session", "saved_search")
