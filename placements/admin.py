from django.contrib import admin

from .models import (
    DocumentRequirement,
    ImmunisationRequirement,
    Institution,
    InstitutionMembership,
    Listing,
    Session,
    Specialty,
)


class MembershipInline(admin.TabularInline):
    model = InstitutionMembership
    fk_name = "institution"
    extra = 1
    autocomplete_fields = ["user"]
    readonly_fields = ["added_by", "created_at"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "state", "verified"]
    list_filter = ["verified", "kind", "state"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name", "city", "state"]}
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, InstitutionMembership) and obj.added_by_id is None:
                obj.added_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class DocumentRequirementInline(admin.TabularInline):
    model = DocumentRequirement
    extra = 0


class ImmunisationRequirementInline(admin.TabularInline):
    model = ImmunisationRequirement
    extra = 0


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "kind", "specialty", "status", "programme_fee"]
    list_filter = ["status", "kind", "hands_on_level", "institution__state"]
    search_fields = ["title", "institution__name", "specialty__name"]
    list_select_related = ["institution", "specialty"]
    autocomplete_fields = ["institution", "specialty"]
    filter_horizontal = ["accepted_visas"]
    inlines = [SessionInline, DocumentRequirementInline, ImmunisationRequirementInline]
