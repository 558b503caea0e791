"""Events nobody calls a service for: logins, MFA changes and Django admin changes.

Signals are the only hook Django and allauth give for these; each receiver just calls audit_record.
"""

from functools import wraps

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntryManager
from django.contrib.auth import signals as auth_signals

from .services import audit_record, audit_record_ref

ADMIN_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def on_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="login.succeeded", obj=user, request=request)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="logout", obj=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password; keep only the address that was tried.
    login = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    audit_record(actor=None, action="login.failed", request=request, login=str(login)[:254])


def _on_account_event(action: str):
    def receiver(sender, request, user, **kwargs) -> None:
        audit_record(actor=user, action=action, obj=user, request=request)

    return receiver


def _on_mfa_event(action: str):
    def receiver(sender, request, user, authenticator, **kwargs) -> None:
        audit_record(actor=user, action=action, obj=user, request=request, authenticator=authenticator.type)

    return receiver


def _mirror_admin_log(log_actions):
    """Every Django admin change is written through LogEntryManager.log_actions (Django 5.1+),
    which uses bulk_create for bulk deletions and so sends no post_save: wrap it instead."""

    @wraps(log_actions)
    def wrapper(self, user_id, queryset, action_flag, change_message="", *, single_object=False):
        result = log_actions(self, user_id, queryset, action_flag, change_message, single_object=single_object)
        entries = [result] if single_object else list(result)
        for entry in entries:
            model = entry.content_type.model_class() if entry.content_type else None
            audit_record_ref(
                actor=entry.user,
                action=ADMIN_ACTIONS.get(entry.action_flag, "admin.logged"),
                object_type=model._meta.label_lower if model else "",
                object_id=str(entry.object_id or ""),
                object_repr=entry.object_repr,
                change=entry.get_change_message(),
            )
        return result

    wrapper.audit_mirrored = True  # type: ignore[attr-defined]
    return wrapper


# Plain strings: dispatch_uid keeps a second connect() (tests, reloads) from recording twice.
_RECEIVERS = [
    (auth_signals.user_logged_in, on_logged_in, "audit-login"),
    (auth_signals.user_logged_out, on_logged_out, "audit-logout"),
    (auth_signals.user_login_failed, on_login_failed, "audit-login-failed"),
    (account_signals.password_changed, _on_account_event("password.changed"), "audit-password-changed"),
    (account_signals.password_reset, _on_account_event("password.reset"), "audit-password-reset"),
    (mfa_signals.authenticator_added, _on_mfa_event("mfa.added"), "audit-mfa-added"),
    (mfa_signals.authenticator_removed, _on_mfa_event("mfa.removed"), "audit-mfa-removed"),
    (mfa_signals.authenticator_reset, _on_mfa_event("mfa.reset"), "audit-mfa-reset"),
    (mfa_signals.authentication_failed, _on_mfa_event("mfa.failed"), "audit-mfa-failed"),
]


def connect() -> None:
    for signal, receiver, uid in _RECEIVERS:
        signal.connect(receiver, dispatch_uid=uid, weak=False)
    if not getattr(LogEntryManager.log_actions, "audit_mirrored", False):
        LogEntryManager.log_actions = _mirror_admin_log(LogEntryManager.log_actions)
