import time

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as account_demo
from applicants import demo as applicants_demo
from applications import demo as applications_demo
from letters import demo as letters_demo
from placements import demo as placements_demo
from rounds import demo as rounds_demo
from trust import demo as trust_demo


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
        # Applications need the catalogue's open sessions; letters go with those applications.
        with transaction.atomic():
            applications_demo.ensure_demo_applications()
            letters_demo.ensure_demo_letters()
        # After the queue: the demo round is over the sessions its applications are to.
        with transaction.atomic():
            rounds_demo.ensure_demo_round()
        with transaction.atomic():
            trust_demo.ensure_demo_trust()
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Demo logins (password: %s):" % account_demo.DEMO_PASSWORD)
        )
        for login in account_demo.DEMO_LOGINS:
            self.stdout.write(f"  {login.role:<12} {login.email}")
