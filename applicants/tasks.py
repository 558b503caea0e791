"""Applicants' background work: the weekly retention purge (a beat schedule created disabled by a data migration)."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def purge_inactive_documents_task() -> None:
    # The command, so a scheduled run and a manual one are the same code, with the same output in the log.
    call_command("purge_inactive_documents")
