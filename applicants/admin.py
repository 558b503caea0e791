from django.contrib import admin

from audit.admin import AuditedReadsAdmin

from .models import ApplicantProfile, Document, DocumentVersion, SavedListing


@admin.register(ApplicantProfile)
class ApplicantProfileAdmin(AuditedReadsAdmin):
    list_display = ["user", "training_stage", "graduation_year", "ecfmg_status", "planned_visa", "updated_at"]
    list_filter = ["training_stage", "ecfmg_status", "planned_visa"]
    search_fields = ["user__email", "user__full_name", "medical_school"]
    raw_id_fields = ["user"]
    filter_horizontal = ["specialties_of_interest"]


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    # Never the FileField itself: its widget would link to a storage URL, and files have none.
    # The files stay private to their owner (and the programmes they apply to), admins included.
    fields = ["number", "original_name", "content_type", "size", "issued_on", "expires_on", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(AuditedReadsAdmin):
    audit_subject = "owner"
    list_display = ["owner", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["owner__email"]
    raw_id_fields = ["owner"]
    readonly_fields = ["current_version"]
    inlines = [DocumentVersionInline]


@admin.register(SavedListing)
class SavedListingAdmin(admin.ModelAdmin):
    list_display = ["user", "listing", "created_at"]
    raw_id_fields = ["user", "listing"]
