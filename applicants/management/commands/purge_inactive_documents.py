"""manage.py purge_inactive_documents [--days N] [--dry-run]: the retention purge (applicants.retention)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from applicants.retention import candidates, purge_inactive_documents, retention_cutoff


class Command(BaseCommand):
    help = (
        "Delete the documents (rows and stored files) of applicants inactive for longer than "
        "PORTAL_DOCUMENT_RETENTION_DAYS. --dry-run lists them and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Inactivity period in days (default: the setting, now {settings.DOCUMENT_RETENTION_DAYS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List what would be purged; change nothing.")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.DOCUMENT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = retention_cutoff(days=days)
        since = f"inactive since {timezone.localtime(cutoff):%Y-%m-%d %H:%M %Z} ({days} days)"
        if dry_run:
            applicants = documents = files = size = 0
            for c in candidates(cutoff):
                applicants, documents, files, size = (
                    applicants + 1,
                    documents + c.documents,
                    files + c.versions,
                    size + c.bytes,
                )
                last = f"{timezone.localtime(c.last_login):%Y-%m-%d}" if c.last_login else "never"
                self.stdout.write(
                    f"  #{c.pk} {c.email}: {c.documents} documents, {c.versions} files, "
                    f"{c.bytes} bytes; last sign-in {last}"
                )
            self.stdout.write(
                f"Dry run: would purge {documents} documents ({files} files, {size} bytes) of "
                f"{applicants} applicants {since}. Nothing was changed."
            )
            return
        result = purge_inactive_documents(cutoff=cutoff, days=days)
        self.stdout.write(
            self.style.SUCCESS(
                f"Purged {result.documents} documents ({result.files} files) of {result.applicants} applicants {since}."
            )
        )
