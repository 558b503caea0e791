from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import ngettext

from .models import (
    DocumentRequirement,
    ImmunisationRequirement,
    Institution,
    InstitutionMembership,
    Listing,
    ListingEvent,
    Session,
    Specialty,
)
from .services import PlacementsError, listing_archive, listing_publish, session_change_refusal


class SessionAdminForm(forms.ModelForm):
    """Admins meet the coordinators' refusal: no fewer seats than places held, no archiving while
    offers are out. The check locks the session inside the admin's transaction, so no claim on a
    place lands between it and the save (the database's trigger would refuse it with a 500)."""

    class Meta:
        model = Session
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        old = self.instance
        if old.pk is None or self.errors:
            return cleaned
        seats, archive = cleaned.get("seats"), cleaned.get("is_archived") and not old.is_archived
        if seats is not None and seats >= old.seats and not archive:
            return cleaned
        refusal = session_change_refusal(session_id=old.pk, seats=seats, archive=archive)
        if refusal:
            raise forms.ValidationError(refusal)
        return cleaned


class MembershipInline(admin.TabularInline):
    model = InstitutionMembership
    fk_name = "institution"
    extra = 1
    autocomplete_fields = ["user"]
    readonly_fields = ["added_by", "created_at"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    # A website typed without a scheme is https (Django 6's default, taken now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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
    form = SessionAdminForm
    extra = 0


class DocumentRequirementInline(admin.TabularInline):
    model = DocumentRequirement
    extra = 0


class ImmunisationRequirementInline(admin.TabularInline):
    model = ImmunisationRequirement
    extra = 0


class ListingEventInline(admin.TabularInline):
    model = ListingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "actor", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _bulk(request: HttpRequest, queryset: QuerySet, service) -> tuple[int, list[str]]:
    # Each listing goes through the service (row lock, allowed transitions, event); one refusal does
    # not stop the others, and every refusal is reported by title.
    moved, refused = 0, []
    for listing in queryset:
        try:
            service(listing=listing, actor=request.user)
            moved += 1
        except PlacementsError as exc:
            refused.append(f"{listing.title}: {exc}")
    return moved, refused


def _report(modeladmin: admin.ModelAdmin, request: HttpRequest, moved: int, refused: list[str], done: str) -> None:
    if moved:
        counted = ngettext("%(n)d listing %(done)s.", "%(n)d listings %(done)s.", moved)
        modeladmin.message_user(request, counted % {"n": moved, "done": done}, messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "kind", "specialty", "status", "programme_fee", "last_verified_on"]
    list_filter = [
        "status",
        "kind",
        "hands_on_level",
        "institution__verified",
        "institution__state",
        "requires_ecfmg_certification",
        "lor_offered",
        "accepted_visas",
    ]
    search_fields = ["title", "institution__name", "institution__city", "specialty__name"]
    list_select_related = ["institution", "specialty"]
    autocomplete_fields = ["institution", "specialty"]
    filter_horizontal = ["accepted_visas"]
    # Status changes only through the publishing rules (the actions below, the moderation page):
    # an editable field would skip the checks and the ListingEvent the service records.
    readonly_fields = ["status", "published_at", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [SessionInline, DocumentRequirementInline, ImmunisationRequirementInline, ListingEventInline]
    actions = ["publish_selected", "archive_selected"]

    @admin.action(description="Publish selected listings")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        moved, refused = _bulk(request, queryset, listing_publish)
        _report(self, request, moved, refused, "published")

    @admin.action(description="Archive selected listings")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        moved, refused = _bulk(request, queryset, listing_archive)
        _report(self, request, moved, refused, "archived")


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["listing", "start_date", "end_date", "seats", "applications_close_at", "is_archived"]
    list_filter = ["is_archived", "listing__institution__state"]
    search_fields = ["listing__title", "listing__institution__name"]
    list_select_related = ["listing"]
    autocomplete_fields = ["listing"]
    date_hierarchy = "start_date"
