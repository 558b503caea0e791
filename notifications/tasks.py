"""Celery tasks: the beat tick (queue `scan`) and the delivery batches (queue `mail`, see
CELERY_TASK_ROUTES). Both only call services; both are bounded below the claim lease
(notifications.conf.check_bounds)."""

from celery import shared_task

from . import conf, outbox, services

TICK_SOFT, TICK_HARD = conf.tick_time_limits()
DELIVER_SOFT, DELIVER_HARD = conf.deliver_time_limits()


@shared_task(name="notifications.reminders_tick", soft_time_limit=TICK_SOFT, time_limit=TICK_HARD)
def reminders_tick_task() -> dict:
    """Scheduled by django-celery-beat (see the data migration): scan every source, queue batches."""
    return services.reminders_scan().as_dict()


@shared_task(
    name="notifications.reminders_send_batch", acks_late=True, soft_time_limit=DELIVER_SOFT, time_limit=DELIVER_HARD
)
def reminders_send_batch_task(reminder_ids: list[int]) -> dict:
    """Deliver one batch of the outbox. Acknowledged late: a worker killed mid-batch gets it
    redelivered, and the claims skip what the dead worker already sent."""
    return outbox.outbox_deliver_batch(message_ids=reminder_ids)
