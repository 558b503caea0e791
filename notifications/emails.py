"""E-mail: one render function per message, each rendering templates/emails/<name>-subject.txt,
-body.txt and -body.html in the recipient's time zone. They never send: the outbox does
(notifications.outbox, the one caller of Django's mail API)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .kinds import Rendered
from .models import address_key
from .timezones import user_time_zone
from .tokens import unsubscribe_token


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def render_templated(
    *,
    name: str,
    user: Any,
    context: dict[str, Any],
    unsubscribe_kind: str | None,
    headers: dict[str, str] | None = None,
    zone: Any = None,
    to: str = "",
    reply_to: str = "",
) -> Rendered:
    """Render one message. `unsubscribe_kind` adds the one-click unsubscribe link and the
    List-Unsubscribe headers (RFC 2369, RFC 8058); transactional mail passes None.

    A recipient without an account (a letter writer) is `user=None` with the address in `to` and
    the zone the sender chose for them: the templates then leave out the reminder-settings link."""
    headers = dict(headers or {})
    context = {"user": user, "site_url": settings.SITE_URL, **context}
    if user is None and not (to and zone):
        raise ValueError("A message to an address without an account needs the address and a time zone.")
    if unsubscribe_kind:
        owner = {"user_id": user.pk} if user is not None else {"address": address_key(to)}
        url = absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(kind=unsubscribe_kind, **owner)]))
        context["unsubscribe_url"] = url
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    zone = zone or user_time_zone(user)
    # Every date and time in the templates reads in the recipient's zone, named in the message.
    with timezone.override(zone):
        context["time_zone_name"] = str(zone)
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return Rendered(subject=subject, text=text, html=html, to=to or user.email, headers=headers, reply_to=reply_to)


# --- One render function per message ----------------------------------------------------------


def render_window_closing(*, reminder: Any, subject: Any) -> Rendered:
    session = subject
    return render_templated(
        name="window-closing",
        user=reminder.recipient,
        unsubscribe_kind=reminder.kind,
        context={
            "session": session,
            "listing": session.listing,
            "closes_at": session.applications_close_at,
            "url": absolute(reminder_url(reminder)),
        },
    )


def render_document_expiring(*, reminder: Any, subject: Any) -> Rendered:
    document = subject
    return render_templated(
        name="document-expiring",
        user=reminder.recipient,
        unsubscribe_kind=reminder.kind,
        context={
            "document": document,
            "expires_on": document.current_version.expires_on,
            "url": absolute(reminder_url(reminder)),
        },
    )


def render_document_before_start(*, reminder: Any, subject: Any) -> Rendered:
    document = subject
    return render_templated(
        name="document-before-start",
        user=reminder.recipient,
        unsubscribe_kind=reminder.kind,
        context={
            "document": document,
            "expires_on": document.current_version.expires_on,
            "session_start": document.session_start,
            "url": absolute(reminder_url(reminder)),
        },
    )


def render_offer_deadline(*, reminder: Any, subject: Any) -> Rendered:
    application = subject
    return render_templated(
        name="offer-deadline",
        user=reminder.recipient,
        unsubscribe_kind=None,
        context={
            "application": application,
            "listing": application.session.listing,
            "expires_at": application.offer_expires_at,
            "url": absolute(reminder_url(reminder)),
        },
    )


def render_interview_tomorrow(*, reminder: Any, subject: Any) -> Rendered:
    slot = subject
    return render_templated(
        name="interview-tomorrow",
        user=reminder.recipient,
        unsubscribe_kind=None,
        context={"slot": slot, "listing": slot.application.session.listing, "url": absolute(reminder_url(reminder))},
    )


def render_pre_arrival(*, reminder: Any, subject: Any) -> Rendered:
    application = subject
    return render_templated(
        name="pre-arrival",
        user=reminder.recipient,
        unsubscribe_kind=reminder.kind,
        context={
            "application": application,
            "session": application.session,
            "listing": application.session.listing,
            "open_items": application.open_items,
            "url": absolute(reminder_url(reminder)),
        },
    )


def render_documents_purge(*, reminder: Any, subject: Any) -> Rendered:
    user = subject
    return render_templated(
        name="documents-purge",
        user=reminder.recipient,
        unsubscribe_kind=None,
        context={
            "purge_from": user.purge_from,
            "retention_days": settings.DOCUMENT_RETENTION_DAYS,
            "url": absolute(reminder_url(reminder)),
        },
    )


def render_coordinator_digest(*, reminder: Any, subject: Any) -> Rendered:
    from zoneinfo import ZoneInfo

    digest = subject
    return render_templated(
        name="coordinator-digest",
        user=reminder.recipient,
        unsubscribe_kind=reminder.kind,
        zone=ZoneInfo(digest.institution.time_zone),
        context={"digest": digest, "url": absolute(reminder_url(reminder))},
    )


def render_letter_late(*, reminder: Any, subject: Any) -> Rendered:
    letter_request = subject
    return render_templated(
        name="letter-late",
        user=reminder.recipient,
        unsubscribe_kind=reminder.kind,
        context={
            "letter_request": letter_request,
            "due_at": letter_request.due_at,
            "assignments": letter_request.draft_assignments,
            "url": absolute(reminder_url(reminder)),
        },
    )


def reminder_url(reminder: Any) -> str:
    """Links in reminder e-mails go through the notification, so opening one marks it read."""
    notification = getattr(reminder, "notification", None)
    if notification is None:
        return reverse("notifications:list")
    return reverse("notifications:open", args=[notification.pk])
