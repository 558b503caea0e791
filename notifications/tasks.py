"""Celery tasks: the beat tick and the batch workers. Both only call services."""

from celery import shared_task

from . import services


@shared_task(name="notifications.reminders_tick")
def reminders_tick_task() -> dict:
    """Scheduled by django-celery-beat (see the data migration): scan every source, queue batches."""
    return services.reminders_scan().as_dict()


@shared_task(name="notifications.reminders_send_batch", acks_late=True)
def reminders_send_batch_task(reminder_ids: list[int]) -> dict:
    """Deliver one batch. Acknowledged late: a worker killed mid-batch gets it redelivered, and the
    ledger's claims skip what the dead worker already sent."""
    return services.reminder_deliver_batch(reminder_ids=reminder_ids)
