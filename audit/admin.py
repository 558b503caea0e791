from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and getattr(user, "is_admin", False))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only and for admins only: nobody adds, edits or deletes history, not even a superuser."""

    list_display = ["when", "actor_label", "action", "object_type", "object_id", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "action", "object_type", "object_id", "object_repr", "ip"]
    date_hierarchy = "when"
    list_select_related = False
    show_full_result_count = False  # a count(*) of a large log on every search is not needed
    fields = [
        "when",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "ip",
        "user_agent",
        "extra",
    ]
    readonly_fields = fields

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
