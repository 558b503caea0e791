"""Tell the applicant about a move in their application: an e-mail (HTML and text, in their time
zone) and a message in their notification centre. Transactional: no preference switches it off."""

from django.template.loader import render_to_string
from django.urls import reverse

from notifications.emails import absolute, send_templated
from notifications.services import notification_create, notifications_create

from .models import ApplicationEvent

KIND = "application_status"


def send_event_email(*, event_id: int) -> None:
    event = (
        ApplicationEvent.objects.select_related("application__applicant", "application__session__listing__institution")
        .filter(pk=event_id, internal=False)
        .first()
    )
    if event is None:
        return
    application = event.application
    context = {"event": event, "application": application, "url": absolute(application.get_absolute_url())}
    # The in-app message first: the task is acknowledged on receipt, so it runs at most once.
    notification_create(
        recipient=application.applicant,
        kind=KIND,
        url=application.get_absolute_url(),
        title=" ".join(render_to_string("emails/application-status-subject.txt", context).split()),
        body=event.message,
    )
    send_templated(name="application-status", user=application.applicant, unsubscribe_kind=None, context=context)


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
