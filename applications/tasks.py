"""Celery tasks: take ids, fetch rows, call one service."""

from celery import shared_task

from .notifications import send_event_email
from .services import offers_expire


@shared_task(name="applications.event_notify")
def application_event_notify_task(event_id: int) -> None:
    send_event_email(event_id=event_id)


@shared_task(name="applications.offers_expire")
def offers_expire_task() -> int:
    """Expire offers past their deadline and promote the waitlist; safe to run twice at once
    (each expiry re-checks the state under the session's lock)."""
    return offers_expire()


@shared_task(name="applications.events_notify")
def application_events_notify_task(event_ids: list[int]) -> None:
    """One task per few hundred events when many moves happen at once (a match round)."""
    for event_id in event_ids:
        send_event_email(event_id=event_id)
