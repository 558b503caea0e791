"""Reading the audit log: the applicant's "Who has seen my documents" and the admins' browsing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from .models import AuditEvent

# Reads of an applicant's personal data by someone else, as recorded by audit_read().
READ_ACTIONS = ("application.viewed", "document.downloaded", "letter.viewed", "admin.viewed")
READS_SHOWN = 100  # the page shows the latest; the data export holds them all


def reads_of(subject: Any) -> Any:
    """Who read the subject's documents, packet and letters, newest first; their own reads excluded."""
    return (
        AuditEvent.objects.filter(subject=subject, action__in=READ_ACTIONS)
        .exclude(actor_id=subject.pk)
        .only("when", "action", "actor_role", "institution", "extra")
    )


def read_rows(subject: Any, *, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The reads as the applicant is shown them: when, institution, role, what."""
    events = reads_of(subject)
    for event in events[:limit] if limit else events.iterator():
        yield {
            "when": event.when,
            "institution": event.institution or ("USCE Portal" if event.actor_role == "admin" else ""),
            "role": event.actor_role,
            "what": event.extra.get("what", ""),
            "action": event.action,
        }


def events_filtered(
    *,
    actor: str = "",
    subject: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Any:
    """The log filtered the way admins ask: actor and subject by e-mail address (or id), action by
    its name or its first part ("document" finds "document.downloaded"), and a range of days."""
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(person_q("actor", actor))
    if subject:
        events = events.filter(person_q("subject", subject))
    if action:
        events = events.filter(Q(action=action) | Q(action__startswith=action.rstrip(".") + "."))
    if date_from:
        events = events.filter(when__date__gte=date_from)
    if date_to:
        events = events.filter(when__date__lte=date_to)
    return events


def person_q(field: str, value: str) -> Q:
    if value.isdecimal():
        return Q(**{f"{field}_id": int(value)})
    if field == "actor":
        return Q(actor_label__iexact=value)
    return Q(subject__email__iexact=value)
