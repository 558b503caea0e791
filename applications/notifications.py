"""Tell the applicant about a move in their application: an e-mail (HTML and text, in their time
zone) and a message in their notification centre, both through the outbox (recorded in the move's
transaction, delivered after it commits). Transactional: no preference switches it off."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from notifications.emails import absolute, render_templated
from notifications.kinds import InApp, Rendered
from notifications.outbox import message_enqueue, messages_enqueue
from notifications.services import notifications_create

from .models import ApplicationEvent

KIND = "application_status"
SUBJECT_TYPE = "applications.applicationevent"


def event_key(event_id: int) -> str:
    return f"application_event:{event_id}"


def event_message_enqueue(*, event: ApplicationEvent) -> None:
    """Record the e-mail of one visible event, in the caller's transaction."""
    message_enqueue(
        kind=KIND,
        key=event_key(event.pk),
        subject_type=SUBJECT_TYPE,
        subject_id=event.pk,
        recipient_id=event.application.applicant_id,
    )


def event_messages_enqueue(*, event_ids: Sequence[int]) -> None:
    """The same for many events at once (a match round's offers): one insert per 2,000."""
    applicants = dict(
        ApplicationEvent.objects.filter(pk__in=event_ids, internal=False).values_list("pk", "application__applicant_id")
    )
    messages_enqueue(
        kind=KIND,
        subject_type=SUBJECT_TYPE,
        messages=[(event_key(pk), pk, applicants[pk]) for pk in event_ids if pk in applicants],
    )


def events_load(reminders: Sequence[Any], now: Any) -> Mapping[int, Any]:
    events = (
        ApplicationEvent.objects.select_related("application__applicant", "application__session__listing__institution")
        .filter(pk__in={r.subject_id for r in reminders}, internal=False)
        .in_bulk()
    )
    return {r.pk: events[r.subject_id] for r in reminders if r.subject_id in events}


def _context(event: ApplicationEvent) -> dict[str, Any]:
    application = event.application
    return {"event": event, "application": application, "url": absolute(application.get_absolute_url())}


def event_render(*, reminder: Any, subject: ApplicationEvent) -> Rendered:
    return render_templated(
        name="application-status", user=subject.application.applicant, unsubscribe_kind=None, context=_context(subject)
    )


def event_in_app(reminder: Any, event: ApplicationEvent) -> InApp:
    return InApp(
        title=" ".join(render_to_string("emails/application-status-subject.txt", _context(event)).split()),
        body=event.message,
        url=event.application.get_absolute_url(),
    )


def notify_coordinators(*, application, title: str, body: str = "") -> None:
    """An in-app message to each active coordinator of the application's institution (an applicant
    booked an interview, asked for another time): no e-mail, the daily digest is their inbox."""
    from django.contrib.auth import get_user_model

    coordinators = get_user_model().objects.filter(
        is_active=True, memberships__institution_id=application.session.listing.institution_id
    )
    notifications_create(
        recipients=coordinators,
        kind="application_interview",
        title=title[:200],
        url=reverse("applications:packet", args=[application.pk]),
        body=body,
    )
