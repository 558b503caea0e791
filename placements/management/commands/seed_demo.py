from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as account_demo
from applications import demo as applications_demo
from placements import demo as placements_demo


class Command(BaseCommand):
    help = "Create realistic demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            for login in account_demo.DEMO_LOGINS:
                account_demo.ensure_demo_user(login)
            placements_demo.ensure_demo_institutions()
            applications_demo.ensure_demo_applications()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins (password: %s):" % account_demo.DEMO_PASSWORD))
        for login in account_demo.DEMO_LOGINS:
            self.stdout.write(f"  {login.role:<12} {login.email}")
