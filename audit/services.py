"""Writing the audit log. Other apps call audit_record() when someone views a document or a letter,
or moves an application; logins and admin changes are recorded by audit.receivers."""

from typing import Any

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest

from .context import current_request
from .models import AuditEvent

USER_AGENT_MAX = AuditEvent._meta.get_field("user_agent").max_length


def _client_ip(request: HttpRequest) -> str | None:
    try:
        # allauth's adapter honours ALLAUTH_TRUSTED_PROXY_COUNT, like its rate limits.
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    subject: Any = None,
    institution: str = "",
    **extra: Any,
) -> AuditEvent:
    """Append one event. `actor` is the user who acted (None for the system or an anonymous visitor),
    `action` a dotted name such as "document.viewed" or "application.accepted", `obj` what it was
    done to; keyword arguments are kept as JSON details. `subject` is the person whose data it was
    (their "Who has seen my documents" lists reads by others), `institution` on whose behalf the
    actor acted. Without `request`, the request being served (if any) supplies the IP address and
    user agent. One INSERT, nothing read.
    """
    if obj is None:
        return audit_record_ref(
            actor=actor, action=action, request=request, subject=subject, institution=institution, **extra
        )
    return audit_record_ref(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj),
        request=request,
        subject=subject,
        institution=institution,
        **extra,
    )


def audit_read(
    *, reader: Any, action: str, obj: models.Model, subject: Any, institution: str = "", **extra: Any
) -> AuditEvent:
    """Record that `reader` read `subject`'s personal data (a document, a packet, a letter, an API
    record). The reader's role is kept as it is now, the institution as named by the caller: the
    one whose application was read, already loaded by the page, so this costs the one INSERT."""
    return audit_record(
        actor=reader,
        action=action,
        obj=obj,
        subject=subject,
        institution=institution,
        actor_role=_role_of(reader),
        **extra,
    )


def _role_of(user: Any) -> str:
    # The role names of accounts.roles, read off the user (the audit app sits below accounts).
    # is_admin reads a column; is_coordinator a cached query the role decorator has already made.
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_admin:
        return "admin"
    return "coordinator" if user.is_coordinator else "applicant"


def audit_record_ref(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    request: HttpRequest | None = None,
    subject: Any = None,
    institution: str = "",
    actor_role: str = "",
    **extra: Any,
) -> AuditEvent:
    """audit_record for an object known only by reference, e.g. one the admin has just deleted."""
    request = request or current_request.get()
    is_user = bool(actor is not None and getattr(actor, "is_authenticated", False))
    event = AuditEvent(
        actor=actor if is_user else None,
        actor_label=getattr(actor, "email", "") if is_user else "",
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        object_repr=object_repr[:200],
        subject_id=getattr(subject, "pk", subject),
        institution=institution[:200],
        actor_role=actor_role,
        extra=extra,
    )
    if request is not None:
        event.ip = _client_ip(request)
        # Headers are the client's to write; PostgreSQL text cannot hold a NUL.
        event.user_agent = request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:USER_AGENT_MAX]
    event.save()
    return event
