from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.exports import csv_response

from .models import AuditEvent
from .selectors import person_q
from .services import audit_read, audit_record


class _TextFilter(admin.SimpleListFilter):
    """A filter typed into a box (an e-mail address or an id), not picked from a list."""

    template = "admin/audit/text_filter.html"

    def lookups(self, request, model_admin):
        return ((self.value() or "", self.value() or ""),)  # one entry, so the filter is drawn

    def choices(self, changelist):
        # The other filters and the search ride along as hidden fields of this filter's little form.
        others = QueryDict(changelist.get_query_string(remove=[self.parameter_name]).lstrip("?"))
        yield {"value": self.value() or "", "hidden": [(k, v) for k in others for v in others.getlist(k)]}

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        return queryset.filter(person_q(self.parameter_name, value)) if value else queryset


class ActorFilter(_TextFilter):
    title = _("actor (e-mail or id)")
    parameter_name = "actor"


class SubjectFilter(_TextFilter):
    title = _("subject (e-mail or id)")
    parameter_name = "subject"


EXPORT_HEADER = [
    "when",
    "actor_id",
    "actor",
    "role",
    "institution",
    "action",
    "subject_id",
    "object_type",
    "object_id",
    "object",
    "ip",
    "details",
]


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and getattr(user, "is_admin", False))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only and for admins only: nobody adds, edits or deletes history, not even a superuser."""

    list_display = [
        "when",
        "actor_label",
        "actor_role",
        "institution",
        "action",
        "subject_id",
        "object_type",
        "object_id",
        "object_repr",
        "ip",
    ]
    list_filter = [
        ActorFilter,
        SubjectFilter,
        "action",
        "actor_role",
        ("when", admin.DateFieldListFilter),
        "object_type",
    ]
    search_fields = ["actor_label", "action", "object_type", "object_id", "object_repr", "ip", "institution"]
    date_hierarchy = "when"
    list_select_related = False
    show_full_result_count = False  # a count(*) of a large log on every search is not needed
    change_list_template = "admin/audit/auditevent/change_list.html"
    fields = [
        "when",
        "actor_id",
        "actor_label",
        "actor_role",
        "institution",
        "action",
        "subject_id",
        "object_type",
        "object_id",
        "object_repr",
        "ip",
        "user_agent",
        "extra",
    ]
    readonly_fields = fields

    def get_urls(self):
        export = path("export.csv", self.admin_site.admin_view(self.export_view), name="audit_auditevent_export")
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The changelist's events, with its filters and search, as CSV. The export is itself audited."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        events = self.get_changelist_instance(request).get_queryset(request)
        audit_record(actor=request.user, action="audit.exported", rows=events.count(), filters=request.GET.urlencode())
        rows = (
            [
                e.when.isoformat(),
                e.actor_id or "",
                e.actor_label,
                e.actor_role,
                e.institution,
                e.action,
                e.subject_id or "",
                e.object_type,
                e.object_id,
                e.object_repr,
                e.ip or "",
                e.extra,
            ]
            for e in events.iterator(chunk_size=1000)
        )
        return csv_response(f"audit-log-{timezone.localdate():%Y-%m-%d}.csv", EXPORT_HEADER, rows)

    # Admins only (accounts.roles' ADMIN role, read off the user: the audit app sits below accounts).
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _is_admin(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AuditedReadsAdmin(admin.ModelAdmin):
    """A model admin whose change page shows one person's data: an admin opening it is a read by
    someone else, audited like a coordinator's and listed to that person. `audit_subject` names the
    field holding the person."""

    audit_subject = "user"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if request.method == "GET" and response.status_code == 200 and original is not None:
            audit_read(
                reader=request.user,
                action="admin.viewed",
                obj=original,
                subject=getattr(original, f"{self.audit_subject}_id"),
                what=f"{original._meta.verbose_name.capitalize()} (administrator's page)",
            )
        return response
