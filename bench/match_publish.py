"""Time a whole round publication on the database: bulk reads, the engine, offers written back.

    DATABASE_URL=postgres://... .venv/bin/python bench/match_publish.py --applicants 3000

Seeds a seeded synthetic round (rounds.synthetic) as users, sessions, submitted applications and
both kinds of rank list, times ``round_match_input`` (reads), ``run_match`` (engine) and
``round_publish`` (reads + engine + one ``application_move`` per match + outcomes), then rolls
everything back: the database is left as it was and no e-mail is queued (on_commit never fires).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application  # noqa: E402
from applications.states import Status  # noqa: E402
from placements.models import Session  # noqa: E402
from rounds.engine import run_match  # noqa: E402
from rounds.models import ApplicantRank, Round, SessionRank  # noqa: E402
from rounds.selectors import round_match_input  # noqa: E402
from rounds.services import round_publish  # noqa: E402
from rounds.synthetic import national_instance  # noqa: E402


class _Rollback(Exception):
    pass


def _seed(instance, now):
    from tests.accounts.factories import AdminFactory
    from tests.placements.factories import ListingFactory

    User = get_user_model()
    users = User.objects.bulk_create(
        User(email=f"bench-{a}@bench.usce-portal.invalid", full_name=f"Applicant {a}") for a in instance.applicant_ranks
    )
    user_of = dict(zip(instance.applicant_ranks, (u.pk for u in users)))
    listing = ListingFactory(title="Benchmark Internal Medicine Rotation")
    start = timezone.localdate() + dt.timedelta(days=120)
    sessions = Session.objects.bulk_create(
        Session(
            listing=listing,
            start_date=start,
            end_date=start + dt.timedelta(days=27),
            seats=seats,
            applications_open_at=now - dt.timedelta(days=30),
            applications_close_at=now - dt.timedelta(days=1),
        )
        for seats in instance.capacities.values()
    )
    session_of = dict(zip(instance.capacities, (s.pk for s in sessions)))
    applications = Application.objects.bulk_create(
        Application(
            applicant_id=user_of[a],
            session_id=session_of[s],
            status=Status.SUBMITTED,
            submitted_at=now,
            personal_statement="Benchmark",
        )
        for a, ranked in instance.applicant_ranks.items()
        for s in ranked
    )
    application_of = {(app.applicant_id, app.session_id): app.pk for app in applications}
    round = Round.objects.create(
        name="Benchmark round",
        rank_deadline=now - dt.timedelta(hours=2),
        publish_at=now - dt.timedelta(hours=1),
        offer_deadline=now + dt.timedelta(days=7),
        opened_by=AdminFactory(),
    )
    round.sessions.set(sessions)
    ApplicantRank.objects.bulk_create(
        ApplicantRank(
            round=round, applicant_id=user_of[a], application_id=application_of[(user_of[a], session_of[s])], position=i
        )
        for a, ranked in instance.applicant_ranks.items()
        for i, s in enumerate(ranked, start=1)
    )
    SessionRank.objects.bulk_create(
        SessionRank(
            round=round,
            session_id=session_of[s],
            application_id=application_of[(user_of[a], session_of[s])],
            position=i,
        )
        for s, ranked in instance.session_ranks.items()
        for i, a in enumerate(ranked, start=1)
    )
    return round


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--applicants", type=int, default=3_000)
    args = parser.parse_args(argv)
    factor = args.applicants / 45_000
    instance = national_instance(
        seed=args.seed,
        applicants=args.applicants,
        sessions=max(1, round(6_000 * factor)),
        seats=max(1, round(40_000 * factor)),
    )
    print(
        f"database: {connection.vendor}; round: {len(instance.applicant_ranks):,} applicants, "
        f"{len(instance.capacities):,} sessions, {instance.seats:,} seats, {instance.rank_entries:,} rank entries"
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            started = time.perf_counter()
            match_round = _seed(instance, now)
            if connection.vendor == "postgresql":
                # Fresh rows have no planner statistics until autovacuum sees them (never, inside
                # this transaction); a live database has them.
                with connection.cursor() as cursor:
                    for table in (
                        "applications_application",
                        "rounds_applicantrank",
                        "rounds_sessionrank",
                        "placements_session",
                        "rounds_round_sessions",
                    ):
                        cursor.execute(f"ANALYZE {table}")
            print(f"seeded in {time.perf_counter() - started:.1f} s (not part of the run)")

            started = time.perf_counter()
            data = round_match_input(round=match_round)
            reads = time.perf_counter() - started
            started = time.perf_counter()
            result = run_match(
                applicant_ranks=data.applicant_ranks, session_ranks=data.session_ranks, capacities=data.capacities
            )
            engine = time.perf_counter() - started

            started = time.perf_counter()
            published = round_publish(round_id=match_round.pk, now=now)
            whole = time.perf_counter() - started
            print(
                f"reads (round_match_input): {reads:.2f} s; engine: {engine:.3f} s; "
                f"whole publication (reads + engine + writes): {whole:.1f} s"
            )
            print(
                f"{published.matched_count:,} offers written ({whole / max(published.matched_count, 1) * 1000:.1f} ms "
                f"each), {published.unmatched_count:,} unmatched; engine matched {len(result.assignment):,}"
            )
            raise _Rollback
    except _Rollback:
        print("rolled back: the database is unchanged")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
