#!/usr/bin/env python
"""Benchmark: a day of saved-search matching (issue 25) on PostgreSQL.

Seeds N applicants (default 50,000) with 3 saved searches each and 1,000 listings published over
one day, inside a transaction rolled back at the end (bench/rollback.py). Then matches the day
twice, from the same start:
  - as the beat does it: one run of the matcher every 5 minutes, 288 runs;
  - in one run over the whole day (a beat that was down all day).
Reports the wall time, the alerts written and the statements, and the load average (the machine is
shared: figures move with it).

    make bench-alerts                         # DATABASE_URL must be PostgreSQL
    .venv/bin/python bench/alerts_match.py --applicants 5000 --listings 100
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

WORDS = [
    "cardiology",
    "surgery",
    "pediatrics",
    "oncology",
    "research",
    "observership",
    "teaching",
    "inpatient",
    "outpatient",
    "emergency",
    "neurology",
    "psychiatry",
    "radiology",
    "rural",
    "community",
    "nephrology",
    "gastroenterology",
    "endocrinology",
    "rheumatology",
    "pulmonology",
    "dermatology",
    "urology",
    "orthopedics",
    "obstetrics",
    "gynecology",
    "anesthesiology",
    "pathology",
    "ophthalmology",
    "geriatrics",
    "hospitalist",
    "telemedicine",
    "ultrasound",
    "intensive",
    "transplant",
    "infectious",
    "hematology",
    "allergy",
    "sleep",
    "palliative",
    "addiction",
    "sports",
    "trauma",
    "vascular",
    "thoracic",
    "pediatric",
    "neonatal",
    "primary",
    "family",
    "preventive",
    "occupational",
    "genetics",
    "immunology",
    "toxicology",
    "wound",
    "stroke",
    "epilepsy",
    "diabetes",
    "obesity",
    "asthma",
    "hepatology",
]
ZONES = ["America/New_York", "America/Chicago", "Africa/Lagos", "Asia/Kolkata", "Asia/Karachi", "Europe/London"]


def seed(applicants: int, listings: int, day_start: dt.datetime) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from alerts.models import MatchCursor, SavedSearch
    from alerts.services import text_columns
    from applicants.models import ApplicantProfile
    from placements import accepted_visas
    from placements.choices import USState
    from placements.models import Institution, Listing, Session, Specialty

    states = [code for code, _label in USState.choices]
    rng = random.Random(25)
    specialties = list(Specialty.objects.all()[:60])
    while len(specialties) < 20:
        n = len(specialties)
        specialties.append(Specialty.objects.create(name=f"Bench Specialty {n}", slug=f"bench-specialty-{n}"))
    institutions = Institution.objects.bulk_create(
        [
            Institution(
                name=f"Bench Medical Center {i}",
                slug=f"bench-alerts-medical-center-{i}",
                kind="teaching",
                city="Springfield",
                state=states[i % len(states)],
                time_zone="America/Chicago",
            )
            for i in range(400)
        ]
    )
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(email=f"alerts{i}@bench.usce-portal.org", full_name=f"Bench {i}", password="!")
            for i in range(applicants)
        ],
        batch_size=5000,
    )
    year = day_start.year
    ApplicantProfile.objects.bulk_create(
        [
            ApplicantProfile(
                user=user,
                time_zone=ZONES[i % len(ZONES)],
                training_stage=rng.choice(["student", "graduate", "graduate"]),
                ecfmg_status=rng.choice(["certified", "in_progress", ""]),
                step1_result=rng.choice(["pass", "pass", ""]),
                step2ck_score=rng.choice([None, 220, 245]),
                planned_visa=rng.choice(["b1b2", "j1", "us", ""]),
                graduation_year=rng.choice([None, year - 1, year - 4, year - 12]),
            )
            for i, user in enumerate(users)
        ],
        batch_size=5000,
    )
    keys = {}
    searches = []
    for user in users:
        for n in range(3):
            shape = rng.random()
            fields: dict = {"frequency": rng.choices(["immediate", "daily", "weekly"], [2, 6, 2])[0]}
            if shape < 0.40:
                fields.update(state=rng.choice(states), specialty=rng.choice(specialties))
            elif shape < 0.60:
                fields.update(state=rng.choice(states))
            elif shape < 0.75:
                fields.update(specialty=rng.choice(specialties))
            elif shape < 0.90:
                fields.update(text=rng.choice(WORDS), state=rng.choice(states))
            elif shape < 0.99:
                fields.update(text=" ".join(rng.sample(WORDS, 2)))
            else:
                fields.update(kind=rng.choice(["observership", "rotation"]))  # broad: hears of most listings
            if rng.random() < 0.4:
                fields["eligible_only"] = True
            if rng.random() < 0.2:
                fields["fee_max"] = Decimal(rng.choice([1500, 3000, 5000]))
            if fields.get("text"):
                fields.update(keys.setdefault(fields["text"], text_columns(fields["text"])))
            searches.append(SavedSearch(owner=user, name=f"Search {n}", querystring="bench", **fields))
    SavedSearch.objects.bulk_create(searches, batch_size=10000)
    published = Listing.objects.bulk_create(
        [
            Listing(
                institution=rng.choice(institutions),
                kind=rng.choice(["observership", "rotation", "elective"]),
                title=f"{rng.choice(WORDS).title()} {rng.choice(['Observership', 'Rotation'])} {i}",
                specialty=rng.choice(specialties),
                description=" ".join(rng.sample(WORDS, 8)) + " with daily teaching rounds on the wards.",
                hands_on_level=rng.choice(["hands_on", "observership", "mixed"]),
                duration_weeks=rng.choice([2, 4, 8]),
                programme_fee=Decimal(rng.choice([0, 1200, 2500, 4000])),
                requires_step1_pass=rng.random() < 0.3,
                requires_ecfmg_certification=rng.random() < 0.2,
                max_years_since_graduation=rng.choice([None, None, 5]),
                accepted_visa_codes=accepted_visas.as_text(rng.sample(["b1b2", "j1", "h1b"], 2)),
                status="published",
                published_at=day_start + dt.timedelta(seconds=rng.randrange(86_400)),
            )
            for i in range(listings)
        ],
        batch_size=1000,
    )
    Session.objects.bulk_create(
        [
            Session(
                listing=listing,
                start_date=(day_start + dt.timedelta(days=120)).date(),
                end_date=(day_start + dt.timedelta(days=147)).date(),
                seats=4,
                applications_open_at=day_start - dt.timedelta(days=1),
                applications_close_at=day_start + dt.timedelta(days=60),
            )
            for listing in published
        ],
        batch_size=1000,
    )
    # The day's sessions were added with their listings, before publication: none is "new" on its own.
    top = Session.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    MatchCursor.objects.update_or_create(
        name="saved_searches",
        defaults={"upto": day_start + dt.timedelta(minutes=10), "last_id": top, "previous_id": top},
    )
    with connection.cursor() as cursor:
        for table in ("alerts_savedsearch", "applicants_applicantprofile", "placements_listing", "placements_session"):
            cursor.execute(f"ANALYZE {table}")
    return {"searches": len(searches), "listings": len(published)}


# What an alert is, for comparing the two ways: the ledger's key and what it tells.
LEDGER = "owner_id, listing_id, event, event_key, saved_search_id, frequency"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--listings", type=int, default=1_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from alerts import matching
    from alerts.models import Alert, MatchCursor
    from bench.rollback import rolled_back

    if connection.vendor != "postgresql":
        sys.exit("bench/alerts_match.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    day_start = dt.datetime(2031, 3, 3, tzinfo=dt.UTC)
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared)", flush=True)
    with rolled_back():
        started = time.perf_counter()
        seeded = seed(args.applicants, args.listings, day_start)
        print(f"seeded {seeded} in {time.perf_counter() - started:.1f} s", flush=True)

        # The beat: a run every 5 minutes, each over what was published since the last.
        runs, slowest, total, statements = 0, 0.0, 0.0, 0
        now = day_start + dt.timedelta(minutes=15)
        end = day_start + dt.timedelta(days=1, minutes=15)
        loads = []
        while now <= end:
            t = time.perf_counter()
            result = matching.match_saved_searches(now=now)
            spent = time.perf_counter() - t
            total, slowest, runs = total + spent, max(slowest, spent), runs + 1
            statements += len(result.statements)
            if runs % 48 == 0:
                loads.append(os.getloadavg()[0])
            now += dt.timedelta(minutes=5)
        beat_alerts = Alert.objects.count()
        print(
            f"beat: {runs} runs, {total:.1f} s in all (slowest run {slowest:.2f} s), {beat_alerts} alerts, "
            f"{statements} statements; load average during: {', '.join(f'{x:.1f}' for x in loads)}",
            flush=True,
        )

        # The whole day in one run, from the same start; the beat's ledger kept aside to compare.
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE bench_beat_alerts AS SELECT {LEDGER} FROM alerts_alert")
        Alert.objects.all().delete()
        top = MatchCursor.objects.get(name="saved_searches").previous_id
        MatchCursor.objects.filter(name="saved_searches").update(
            upto=day_start + dt.timedelta(minutes=10), last_id=top, previous_id=top
        )
        t = time.perf_counter()
        result = matching.match_saved_searches(now=end)
        spent = time.perf_counter() - t
        one_run = Alert.objects.count()
        per_owner = one_run / max(1, Alert.objects.values("owner").distinct().count())
        print(
            f"one run over the day: {spent:.1f} s, {one_run} alerts ({per_owner:.1f} per applicant alerted), "
            f"{len(result.statements)} statements; load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM (SELECT {LEDGER} FROM alerts_alert EXCEPT "
                f"SELECT {LEDGER} FROM bench_beat_alerts) o), (SELECT COUNT(*) FROM (SELECT {LEDGER} "
                f"FROM bench_beat_alerts EXCEPT SELECT {LEDGER} FROM alerts_alert) b)"
            )
            only_one_run, only_beat = cursor.fetchone()
        if only_one_run or only_beat or one_run != beat_alerts:
            print(
                f"  NOTE: the ledgers differ: {only_beat} alerts only from the beat, {only_one_run} only from the "
                f"single run ({beat_alerts} and {one_run} in all)",
                flush=True,
            )
        else:
            print("  the same alerts either way (owner, listing, event, key, saved search, frequency)", flush=True)


if __name__ == "__main__":
    main()
