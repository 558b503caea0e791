"""Celery tasks: take ids, fetch rows, call one service."""

from celery import shared_task

from .services import round_publish, rounds_publish_due


@shared_task(name="rounds.publish")
def round_publish_task(round_id: int) -> None:
    round_publish(round_id=round_id)


@shared_task(name="rounds.publish_due")
def rounds_publish_due_task() -> int:
    """Periodic: publish the rounds whose publication time has come (idempotent, safe to overlap)."""
    return rounds_publish_due()
