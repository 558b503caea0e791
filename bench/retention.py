#!/usr/bin/env python
"""Benchmark: the retention purge over N inactive applicants (default 50,000) beside 10% active ones.

Seeds in bulk inside a transaction that is rolled back at the end, so it leaves the database as it
found it (the stored files it names do not exist, and their deletion, after commit, never runs).
Reports wall time and queries of the dry run, the purge, and a second purge (nothing left to do).

    make bench-retention               # 50,000 applicants on DATABASE_URL (SQLite by default)
    .venv/bin/python bench/retention.py --applicants 10000
"""

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")


def seed(applicants: int, now: dt.datetime) -> None:
    from django.contrib.auth import get_user_model

    from applicants.models import Document, DocumentVersion

    old = now - dt.timedelta(days=1000)
    active = applicants // 10
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(
                email=f"retention{i}@bench.usce-portal.org",
                password="!",
                date_joined=old,
                last_login=now if i >= applicants else old,
            )
            for i in range(applicants + active)
        ],
        batch_size=5000,
    )
    # Two documents each, one of them with two versions: three files per applicant.
    documents = Document.objects.bulk_create(
        [Document(owner=user, kind=kind) for user in users for kind in ("cv", "passport")], batch_size=5000
    )
    DocumentVersion.objects.bulk_create(
        [
            DocumentVersion(
                document=document,
                number=number,
                file=f"applicants/bench-{document.pk}-{number}.pdf",
                original_name="f.pdf",
                content_type="application/pdf",
                size=1000,
                sha256="0" * 64,
                uploaded_at=old,
            )
            for document in documents
            for number in ((1, 2) if document.kind == "cv" else (1,))
        ],
        batch_size=5000,
    )


def timed(*args: str) -> tuple[float, int, str]:
    from django.core.management import call_command
    from django.db import connection

    out, queries = io.StringIO(), [0]

    def count(execute, sql, params, many, context):
        # A counter, not CaptureQueriesContext: that keeps only the last 9,000 queries.
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        call_command("purge_inactive_documents", *args, stdout=out)
        elapsed = time.perf_counter() - started
    return elapsed, queries[0], out.getvalue().strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=50_000)
    args = parser.parse_args()

    import django

    django.setup()

    from django.db import connection
    from django.utils import timezone

    from bench.rollback import rolled_back

    print(f"Retention purge benchmark: {args.applicants:,} inactive applicants on {connection.vendor}", flush=True)
    with rolled_back():
        started = time.perf_counter()
        seed(args.applicants, timezone.now())
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        for label, command_args in (("dry run", ["--dry-run"]), ("purge", []), ("second purge", [])):
            elapsed, queries, summary = timed(*command_args)
            print(f"  {label}: {elapsed:.2f} s, {queries:,} queries. {summary}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
