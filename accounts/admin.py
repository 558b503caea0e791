from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import User
from .services import user_deactivate

# The admin's own login form checks only a password. Send it to allauth's login instead, which
# asks for the second factor (and which RequireMFAMiddleware makes every admin set up).
admin.site.login = secure_admin_login(admin.site.login)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    actions = ["deactivate"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_deactivate(user=obj, actor=request.user, request=request)

    @admin.action(description=_("Deactivate and sign out everywhere"))
    def deactivate(self, request, queryset):
        users = list(queryset.exclude(pk=request.user.pk))
        for user in users:
            user_deactivate(user=user, actor=request.user, request=request)
        self.message_user(
            request,
            ngettext("%(n)d account deactivated.", "%(n)d accounts deactivated.", len(users)) % {"n": len(users)},
            messages.SUCCESS,
        )
