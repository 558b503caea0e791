"""Admins see requests, links and who read which letter; the letters' contents stay out of the admin."""

from django.contrib import admin

from .models import LetterAccess, LetterAssignment, LetterLink, LetterRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    # These rows are written by the services only: editing one by hand would falsify a record.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LinkInline(admin.TabularInline):
    model = LetterLink
    fields = ["created_at", "emailed_at", "ended_at", "ended_because"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AssignmentInline(LinkInline):
    model = LetterAssignment
    fields = ["application", "assigned_at"]
    readonly_fields = fields


@admin.register(LetterRequest)
class LetterRequestAdmin(ReadOnlyAdmin):
    list_display = ["writer_name", "writer_email", "applicant", "status", "waived", "created_at", "due_at"]
    list_filter = ["status", "waived"]
    search_fields = ["writer_name", "writer_email", "applicant__email"]
    # The file itself is not linked: admins do not read confidential letters through the admin.
    exclude = ["current_letter"]
    inlines = [LinkInline, AssignmentInline]
    list_select_related = ["applicant"]


@admin.register(LetterAccess)
class LetterAccessAdmin(ReadOnlyAdmin):
    list_display = ["read_at", "reader_email", "letter_writer", "applicant", "application"]
    list_filter = ["read_at"]
    search_fields = ["reader_email", "letter__request__writer_name", "letter__request__applicant__email"]
    date_hierarchy = "read_at"
    list_select_related = ["letter__request__applicant", "application"]

    @admin.display(description="letter from")
    def letter_writer(self, obj: LetterAccess) -> str:
        return obj.letter.request.writer_name

    @admin.display(description="applicant")
    def applicant(self, obj: LetterAccess) -> str:
        return str(obj.letter.request.applicant)
