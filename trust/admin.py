from django.contrib import admin

from .models import InstitutionLetterhead, ListingReport, VisaLetter


@admin.register(VisaLetter)
class VisaLetterAdmin(admin.ModelAdmin):
    list_display = ["code", "holder_name", "institution_name", "start_date", "end_date", "issued_at", "revoked_at"]
    search_fields = ["code", "holder_name"]
    readonly_fields = [f.name for f in VisaLetter._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ListingReport)
class ListingReportAdmin(admin.ModelAdmin):
    list_display = ["listing", "field", "status", "created_at", "resolved_at"]
    list_filter = ["status", "field"]
    raw_id_fields = ["listing", "reporter", "resolved_by"]


admin.site.register(InstitutionLetterhead)
