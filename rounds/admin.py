from django.contrib import admin

from .models import Round, RoundOutcome


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "status", "rank_deadline", "publish_at", "matched_count", "unmatched_count"]
    list_filter = ["status"]
    # Rounds change only through rounds.services (locks, checks: a ranked session stays in its
    # round) and the round's Edit and Cancel pages; the admin shows them, sessions included.
    readonly_fields = [*(f.name for f in Round._meta.fields), "sessions"]

    def has_add_permission(self, request) -> bool:
        return False  # opened through rounds.services.round_open, which checks dates and sessions


@admin.register(RoundOutcome)
class RoundOutcomeAdmin(admin.ModelAdmin):
    list_display = ["round", "applicant", "application"]
    list_select_related = ["round", "applicant", "application__session"]
    readonly_fields = ["round", "applicant", "application"]
