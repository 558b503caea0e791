from django.contrib import admin

from audit.admin import AuditedReadsAdmin

from .models import Application, ApplicationEvent, Certificate, InterviewSlot, ListingQuestion, Review


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "actor_role", "from_status", "to_status", "message", "internal"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # History is written by application_move only.
        return False


@admin.register(Application)
class ApplicationAdmin(AuditedReadsAdmin):
    audit_subject = "applicant"
    list_display = ["applicant", "session", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["applicant__email", "applicant__full_name", "session__listing__title"]
    list_select_related = ["applicant", "session__listing"]
    # Status changes go through the state machine (services), never a free edit here.
    readonly_fields = [
        "applicant",
        "session",
        "status",
        "submitted_at",
        "decided_at",
        "offer_expires_at",
        "waitlist_position",
    ]
    exclude = ["documents"]
    inlines = [EventInline]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Admins moderate reviews: hide one that breaks the rules; the applicant's words are not edited."""

    list_display = ["listing", "hands_on", "letter_received", "real_total_cost", "hidden", "created_at"]
    list_filter = ["hidden", "hands_on"]
    list_editable = ["hidden"]
    list_select_related = ["listing"]
    readonly_fields = [
        "application",
        "listing",
        "hands_on",
        "letter_received",
        "real_total_cost",
        "comment",
        "reply",
        "replied_by",
    ]


admin.site.register(ListingQuestion)
admin.site.register(InterviewSlot)


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "holder_name", "listing_title", "issued_at"]
    search_fields = ["code", "holder_name"]
    readonly_fields = [
        "application",
        "code",
        "holder_name",
        "listing_title",
        "institution_name",
        "start_date",
        "end_date",
        "issued_at",
    ]
