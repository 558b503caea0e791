import logging
import time
from contextlib import contextmanager

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings

from accounts import demo as account_demo
from alerts import demo as alerts_demo
from applicants import demo as applicants_demo
from applications import demo as applications_demo
from letters import demo as letters_demo
from notifications.tasks import reminders_tick_task
from placements import demo as placements_demo
from portal.celery import app as celery_app
from rounds import demo as rounds_demo
from trust import demo as trust_demo


@contextmanager
def _mail_held_back():
    """Run the demo's tasks here and now, without mail: the notifications they create are part of
    the demo (there at once, not when a worker gets to them), and the demo's made-up addresses
    receive nothing."""
    eager, trace = celery_app.conf.task_always_eager, logging.getLogger("celery.app.trace")
    level = trace.level
    celery_app.conf.task_always_eager = True
    trace.setLevel(logging.WARNING)  # a line per task would bury the logins printed below
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        celery_app.conf.task_always_eager = eager
        trace.setLevel(level)


class Command(BaseCommand):
    help = "Create realistic demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--listings",
            type=int,
            default=300,
            help="How many demo listings the catalogue should hold (default 300; 100000 for a benchmark).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            for login in account_demo.DEMO_LOGINS:
                account_demo.ensure_demo_user(login)
            placements_demo.ensure_demo_institutions()
            applicants_demo.ensure_demo_applicant()
        # Outside the transaction above: the catalogue commits batch by batch, so a large run shows
        # progress and an interrupted one resumes where it stopped.
        created = placements_demo.ensure_demo_listings(options["listings"], log=self.stdout.write)
        self.stdout.write(f"Catalogue: {created} demo listings created in {time.monotonic() - started:.1f} s.")
        # The demo applicant's letters first: their applications send the uploaded one. The rounds
        # after the queue: they are over the sessions its applications are to.
        with _mail_held_back(), transaction.atomic():
            letters_demo.ensure_demo_letters()
            applications_demo.ensure_demo_applications()
            rounds_demo.ensure_published_demo_round()
            rounds_demo.ensure_demo_round()
            trust_demo.ensure_demo_trust()
            # Last: the listing it publishes is new to everything above.
            alerts_demo.ensure_demo_alerts()
        # One reminders tick, as the beat's first would be: the demo applicant's alert reaches the
        # notification centre (and the coordinator's daily digest is due). A second run adds nothing.
        with _mail_held_back():
            reminders_tick_task.delay()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Demo logins (password: {account_demo.DEMO_PASSWORD}):"))
        for login in account_demo.DEMO_LOGINS:
            self.stdout.write(f"  {login.role:<12} {login.email}")
