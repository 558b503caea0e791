"""E-mail the applicant about a move in their application: one function per message."""
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from .models import ApplicationEvent


def send_event_email(*, event_id: int) -> None:
    event = (
        ApplicationEvent.objects.select_related("application__applicant", "application__session__listing__institution")
        .filter(pk=event_id, internal=False)
        .first()
    )
    if event is None:
        return
    application = event.application
    context = {
        "event": event,
        "application": application,
        "url": settings.SITE_URL.rstrip("/") + reverse("applications:detail", args=[application.pk]),
    }
    send_mail(
        subject=render_to_string("emails/application-status-subject.txt", context).strip(),
        message=render_to_string("emails/application-status-body.txt", context),
        from_email=None,
        recipient_list=[application.applicant.email],
    )
