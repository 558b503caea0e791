"""Celery tasks: take ids, fetch rows, call one service."""

from celery import shared_task

from .models import ApplicationEvent
from .notifications import event_message_enqueue
from .services import offers_expire


@shared_task(name="applications.event_notify")
def application_event_notify_task(event_id: int) -> None:
    """Kept for messages queued before the outbox recorded events' e-mails itself: records it
    in the outbox (a key already there records nothing)."""
    event = ApplicationEvent.objects.select_related("application__applicant").filter(pk=event_id, internal=False)
    if event:
        event_message_enqueue(event=event[0])


@shared_task(name="applications.offers_expire")
def offers_expire_task() -> int:
    """Expire offers past their deadline and promote the waitlist; safe to run twice at once
    (each expiry re-checks the state under the session's lock)."""
    return offers_expire()


@shared_task(name="applications.events_notify")
def application_events_notify_task(event_ids: list[int]) -> None:
    """Kept, like application_event_notify_task, for messages queued before the outbox."""
    for event_id in event_ids:
        application_event_notify_task(event_id)
