#!/usr/bin/env python
"""Benchmark: one reminders beat tick over N applicants (default 100,000).

Seeds in bulk (saved listings, expiring passports, and one applicant in twenty with a letter
request awaited from a writer: half due within days, half already late) inside a transaction
that is rolled back at the end, so it leaves the database as it
found it (and queues nothing: the batches are sent on commit, which never comes). Reports the wall
time and the queries of a first tick (every reminder new) and of a second one (steady state).

    make bench                         # 100,000 applicants on DATABASE_URL (SQLite by default)
    .venv/bin/python bench/reminders.py --recipients 20000
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Karachi",
    "Asia/Manila",
    "Europe/London",
    "America/Sao_Paulo",
    "Africa/Cairo",
]


def seed(recipients: int, now: dt.datetime) -> None:
    from django.contrib.auth import get_user_model

    from applicants.models import ApplicantProfile, Document, DocumentVersion, SavedListing
    from placements.models import Institution, Listing, Session, Specialty

    rng = random.Random(7)
    User = get_user_model()
    specialty = Specialty.objects.order_by("pk").first() or Specialty.objects.create(
        name="Internal Medicine", slug="internal-medicine"
    )
    institutions = Institution.objects.bulk_create(
        [
            Institution(
                name=f"Bench Medical Center {i}",
                slug=f"bench-medical-center-{i}",
                kind="teaching",
                city="Houston",
                state="TX",
                time_zone="America/Chicago",
            )
            for i in range(50)
        ]
    )
    listings = Listing.objects.bulk_create(
        [
            Listing(
                institution=institutions[i % 50],
                kind="rotation",
                title=f"Bench Internal Medicine Rotation {i}",
                specialty=specialty,
                description="Bench.",
                hands_on_level="hands_on",
                duration_weeks=4,
                status="published",
            )
            for i in range(500)
        ]
    )
    sessions = Session.objects.bulk_create(
        [
            Session(
                listing=listing,
                start_date=(now + dt.timedelta(days=40)).date(),
                end_date=(now + dt.timedelta(days=67)).date(),
                seats=4,
                applications_open_at=now - dt.timedelta(days=30),
                applications_close_at=now + dt.timedelta(days=rng.choice([1, 2, 3, 10]), hours=rng.randint(0, 23)),
            )
            for listing in listings
        ]
    )
    users = User.objects.bulk_create(
        [
            User(email=f"bench{i}@bench.usce-portal.org", full_name=f"Bench Applicant {i}", password="!")
            for i in range(recipients)
        ],
        batch_size=5000,
    )
    ApplicantProfile.objects.bulk_create(
        [ApplicantProfile(user=user, time_zone=ZONES[i % len(ZONES)]) for i, user in enumerate(users)], batch_size=5000
    )
    SavedListing.objects.bulk_create(
        [SavedListing(user=user, listing_id=sessions[i % len(sessions)].listing_id) for i, user in enumerate(users)],
        batch_size=5000,
    )
    # One applicant in ten has a passport expiring within the month.
    documents = Document.objects.bulk_create(
        [Document(owner=user, kind="passport") for user in users[::10]], batch_size=5000
    )
    versions = DocumentVersion.objects.bulk_create(
        [
            DocumentVersion(
                document=document,
                number=1,
                file=f"applicants/bench-{document.pk}.pdf",
                original_name="p.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                expires_on=(now + dt.timedelta(days=rng.randint(2, 29))).date(),
            )
            for document in documents
        ],
        batch_size=5000,
    )
    for document, version in zip(documents, versions):
        document.current_version = version
    Document.objects.bulk_update(documents, ["current_version"], batch_size=5000)
    seed_letters(users, sessions, listings, now, rng)


def seed_letters(users, sessions, listings, now: dt.datetime, rng: random.Random) -> None:
    """One applicant in twenty waits for a letter, assigned to a draft: even ones for the session
    they saved (due in 1 to 10 days: the writer's 7- and 2-day reminders), odd ones for a session
    whose window closed 1 to 5 days ago (late: the applicant's reminder)."""
    from applications.models import Application
    from letters.models import LetterAssignment, LetterLink, LetterRequest
    from placements.models import Session

    closed = Session.objects.bulk_create(
        [
            Session(
                listing=listing,
                start_date=(now + dt.timedelta(days=20)).date(),
                end_date=(now + dt.timedelta(days=47)).date(),
                seats=4,
                applications_open_at=now - dt.timedelta(days=60),
                applications_close_at=now - dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 23)),
            )
            for listing in listings[:50]
        ]
    )
    waiting = list(enumerate(users))[::20]
    drafts = Application.objects.bulk_create(
        [
            Application(
                applicant=user,
                status="draft",
                session=sessions[i % len(sessions)] if n % 2 == 0 else closed[i % len(closed)],
            )
            for n, (i, user) in enumerate(waiting)
        ],
        batch_size=5000,
    )
    requests = LetterRequest.objects.bulk_create(
        [
            LetterRequest(
                applicant=draft.applicant,
                writer_name=f"Dr. Bench Writer {n}",
                writer_email=f"writer{n}@bench.example.org",
                writer_title="Attending Physician",
                writer_institution="Bench Medical Center",
                relationship="Supervised my observership.",
                status="sent",
                expires_at=now + dt.timedelta(days=25),
                due_at=draft.session.applications_close_at,
            )
            for n, draft in enumerate(drafts)
        ],
        batch_size=5000,
    )
    LetterLink.objects.bulk_create(
        [LetterLink(request=request, emailed_at=now) for request in requests], batch_size=5000
    )
    LetterAssignment.objects.bulk_create(
        [LetterAssignment(letter_request=request, application=draft) for request, draft in zip(requests, drafts)],
        batch_size=5000,
    )


def timed_tick(now: dt.datetime) -> tuple[float, int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications import services

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = services.reminders_scan(now=now)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries.captured_queries), result.as_dict()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=100_000)
    args = parser.parse_args()

    import django

    django.setup()

    import logging

    from bench.rollback import rolled_back

    logging.getLogger("notifications").setLevel(logging.WARNING)
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    print(f"Reminders tick benchmark: {args.recipients:,} applicants on {connection.vendor}", flush=True)
    with rolled_back():
        started = time.perf_counter()
        seed(args.recipients, now)
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        for label in ("first tick (all new)", "second tick (steady state)"):
            elapsed, queries, result = timed_tick(now)
            print(
                f"  {label}: {elapsed:.2f} s, {queries} queries, found {result['found']:,}, "
                f"inserted {result['inserted']:,}, queued {result['queued']:,} in {result['batches']:,} batches",
                flush=True,
            )
            print(
                "    by kind: " + ", ".join(f"{code} {count:,}" for code, count in result["by_kind"].items()),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
