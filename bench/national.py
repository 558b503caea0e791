#!/usr/bin/env python
"""Seed a national-scale dataset on PostgreSQL, in bulk, for the benchmarks.

    DATABASE_URL=postgres://... .venv/bin/python bench/national.py        # or: make bench-seed

What it holds (the scale of issue #10): 100,000 listings with their sessions (the demo catalogue,
`placements.demo_catalogue`, COPY-loaded), 50,000 applicants with profiles, specialties of
interest, saved listings and document metadata (versions, passport expiry, immunisation dates),
200,000 applications spread over the states as a season would leave them, 20,000 letter requests
(uploaded ones with their letter, live ones with their link), and one coordinator (with TOTP, as
the MFA gate requires) for each of five busy institutions that draw a quarter of all applications.

Reusable: `seed()` returns a `National` with the ids a benchmark needs, and finds them again on a
database seeded before (a second run seeds nothing). It refuses a database that holds other
listings or applications, so it never mixes with real or demo data.

Invariants the app relies on are kept: seat-holding applications never exceed a session's seats,
one application per applicant and session, waitlisted ones have a position, offers an expiry,
uploaded letters a file, one live link per request, unique e-mails and link keys; the listings'
search documents are written by their trigger, as for any listing (see demo_catalogue).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import secrets
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

LISTINGS = 100_000
APPLICANTS = 50_000
APPLICATIONS = 200_000
LETTERS = 20_000
BUSY_INSTITUTIONS = 5
BUSY_SHARE = 0.25  # of all applications go to the busy institutions' sessions
DOMAIN = "national.bench.usce-portal.invalid"
SETUP_RECORD = ROOT / "var" / "bench" / "national-setup.json"

FIRST = [
    "Aisha",
    "Omar",
    "Priya",
    "Rahul",
    "Chen",
    "Mei",
    "Juan",
    "Maria",
    "Chidi",
    "Ngozi",
    "Fatima",
    "Ali",
    "Ana",
    "Luis",
    "Sara",
    "Yusuf",
    "Hana",
    "Kwame",
    "Amina",
    "Ravi",
    "Irina",
    "Dmitri",
    "Leila",
    "Tariq",
]
LAST = [
    "Khan",
    "Patel",
    "Okafor",
    "Garcia",
    "Nguyen",
    "Santos",
    "Ahmed",
    "Singh",
    "Mensah",
    "Haddad",
    "Kim",
    "Ivanova",
    "Hussain",
    "Reyes",
    "Adeyemi",
    "Das",
    "Rahman",
    "Costa",
    "Mahmoud",
    "Chowdhury",
]
COUNTRIES = [
    "India",
    "Pakistan",
    "Nigeria",
    "Egypt",
    "Philippines",
    "Brazil",
    "Mexico",
    "Bangladesh",
    "Iran",
    "Jordan",
    "Ukraine",
    "Nepal",
    "Ghana",
    "Colombia",
    "Syria",
]
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
STATES = ["NY", "TX", "CA", "FL", "IL", "PA", "OH", "MI", "GA", "NJ", "MA", "MD"]


@dataclass
class National:
    """What the benchmarks need to find in a seeded database."""

    applicant_ids: list[int]
    coordinator_ids: list[int]  # one per busy institution, busiest first
    busy_institution_ids: list[int]
    listing_ids: list[int]  # published
    seconds: float | None = None  # set-up time when this run seeded, None when it found the data


class NotEmpty(Exception):
    pass


def _raw():
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.cursor()


def _reserve_ids(raw, table: str, count: int) -> list[int]:
    """Take `count` consecutive ids from the table's sequence (the database is ours alone while seeding)."""
    raw.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
    (sequence,) = raw.fetchone()
    raw.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
    (last,) = raw.fetchone()
    return list(range(last - count + 1, last + 1))


def _copy(raw, model, rows: list[dict]) -> None:
    """COPY dicts keyed by attname into the model's table; missing columns take the field's default."""
    if not rows:
        return
    from django.db.models import JSONField

    # Django fills defaults in Python, not in the table: a blank CharField is "", a nullable one None.
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0] or not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in rows[0]}
    columns = [f.attname for f in fields]
    json_columns = {f.attname for f in fields if isinstance(f, JSONField)}
    with raw.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for column in columns:
                value = row[column] if column in row else defaults.get(column)
                if column in json_columns:
                    value = json.dumps(value)
                values.append(value)
            copy.write_row(values)


def find() -> National | None:
    """The national dataset's ids when the database holds it, else None."""
    from django.contrib.auth import get_user_model

    from placements.models import InstitutionMembership, Listing

    User = get_user_model()
    applicants = list(
        User.objects.filter(email__endswith="@" + DOMAIN, email__startswith="applicant")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not applicants:
        return None
    memberships = list(
        InstitutionMembership.objects.filter(user__email__endswith="@" + DOMAIN)
        .order_by("user__email")
        .values_list("user_id", "institution_id")
    )
    return National(
        applicant_ids=applicants,
        coordinator_ids=[u for u, _i in memberships],
        busy_institution_ids=[i for _u, i in memberships],
        listing_ids=list(Listing.objects.published().order_by("pk").values_list("pk", flat=True)),
    )


def seed(*, log=print) -> National:
    """Seed the national dataset, or find it when it is already there. Refuses a database with other data."""
    from django.db import connection, transaction

    from applications.models import Application
    from placements.models import Listing

    if connection.vendor != "postgresql":
        raise NotEmpty(
            "The national dataset is loaded with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database."
        )
    found = find()
    if found is not None:
        log(
            f"National dataset already there: {len(found.applicant_ids):,} applicants, "
            f"{len(found.listing_ids):,} published listings; nothing seeded."
        )
        return found
    if Listing.objects.exists() or Application.objects.exists():
        raise NotEmpty(
            f"{connection.settings_dict['NAME']} already holds listings or applications that are not the national "
            "benchmark's. Seed an empty database (create one and run `manage.py migrate`), so benchmark rows never mix "
            "with real or demo data."
        )
    started = time.perf_counter()
    from placements.demo_catalogue import ensure_demo_catalogue

    # The loader also fills each listing's stored next deadline, start and opening (the date sorts' and
    # "open now"'s columns: placements.listing_dates.of_sessions, with each row).
    ensure_demo_catalogue(LISTINGS)
    log(f"  catalogue: {LISTINGS:,} listings with sessions in {time.perf_counter() - started:.1f} s")
    with transaction.atomic():
        raw = _raw()
        rng = random.Random(2026)
        now = dt.datetime.now(dt.UTC)
        busy, coordinators = _coordinators(rng)
        applicants = _applicants(raw, rng, now)
        log(f"  applicants, profiles, documents: {time.perf_counter() - started:.1f} s")
        applications = _applications(raw, rng, now, applicants, busy)
        log(f"  applications: {time.perf_counter() - started:.1f} s")
        _letters(raw, rng, now, applicants, applications)
        log(f"  letters: {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        # Statistics for the planner, and the visibility map that lets index-only scans skip the
        # table (autovacuum would get there on a live database, later).
        cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    log(f"  analysed; national dataset set up in {seconds:.1f} s")
    national = find()
    national.seconds = seconds
    # For the results page, written by a later run of bench/pages.py (make bench seeds first).
    SETUP_RECORD.parent.mkdir(parents=True, exist_ok=True)
    SETUP_RECORD.write_text(
        json.dumps(
            {
                "database": connection.settings_dict["NAME"],
                "seconds": round(seconds, 1),
                "at": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
                "load": [round(x, 1) for x in os.getloadavg()],
            }
        )
    )
    return national


def last_setup() -> dict | None:
    """The set-up time this machine last recorded for the current database, if any."""
    from django.db import connection

    try:
        record = json.loads(SETUP_RECORD.read_text())
    except (OSError, ValueError):
        return None
    return record if record.get("database") == connection.settings_dict["NAME"] else None


def _coordinators(rng: random.Random) -> tuple[list[int], list[int]]:
    """Five busy institutions (among those with the most published listings), each with a coordinator."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    from placements.models import Institution, InstitutionMembership

    institutions = list(
        Institution.objects.annotate(n=Count("listings", filter=Q(listings__status="published")))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)[:BUSY_INSTITUTIONS]
    )
    User = get_user_model()
    coordinators = []
    for k, institution_id in enumerate(institutions):
        user = User.objects.create_user(email=f"coordinator{k}@{DOMAIN}", password=None, full_name=f"Coordinator {k}")
        TOTP.activate(user, generate_totp_secret())  # the MFA gate lets a coordinator in only with one
        InstitutionMembership.objects.create(user=user, institution_id=institution_id)
        coordinators.append(user.pk)
    return institutions, coordinators


def _applicants(raw, rng: random.Random, now: dt.datetime) -> list[dict]:
    from django.contrib.auth import get_user_model

    from applicants.models import ApplicantProfile, Document, DocumentVersion, ImmunisationRecordEntry, SavedListing
    from placements.models import Listing, Specialty

    User = get_user_model()
    user_ids = _reserve_ids(raw, User._meta.db_table, APPLICANTS)
    profile_ids = _reserve_ids(raw, ApplicantProfile._meta.db_table, APPLICANTS)
    users, profiles, interests, saved = [], [], [], []
    specialty_ids = list(Specialty.objects.values_list("pk", flat=True))
    listing_ids = list(Listing.objects.published().values_list("pk", flat=True))
    today = now.date()
    applicants = []
    for i, (pk, profile_id) in enumerate(zip(user_ids, profile_ids)):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        users.append(
            {
                "id": pk,
                "email": f"applicant{i:05d}@{DOMAIN}",
                "full_name": name,
                "password": "!",
                "date_joined": now - dt.timedelta(days=rng.randint(1, 700)),
            }
        )
        graduate = rng.random() < 0.75
        certified = graduate and rng.random() < 0.6
        step1 = rng.random() < 0.85
        profiles.append(
            {
                "id": profile_id,
                "user_id": pk,
                "citizenship_country": (country := rng.choice(COUNTRIES)),
                "residence_country": country,
                "time_zone": rng.choice(ZONES),
                "training_stage": "graduate" if graduate else "student",
                "medical_school": f"{country} Medical College",
                "medical_school_country": country,
                "graduation_year": today.year - rng.randint(0, 12) if graduate else today.year + rng.randint(0, 2),
                "ecfmg_status": "certified" if certified else rng.choice(["not_started", "in_progress"]),
                "usmle_id": f"{10_000_000 + i:08d}",
                "step1_result": "pass" if step1 else rng.choice(["", "fail"]),
                "step2ck_score": rng.randint(205, 265) if step1 and rng.random() < 0.7 else None,
                "english_test": rng.choice(["", "", "oet", "toefl", "ielts"]),
                "current_visa": rng.choice(["", "b1b2", "esta", "j1"]),
                "planned_visa": rng.choice(["b1b2", "j1", "b1b2", "h1b"]),
                "preferred_states": rng.sample(STATES, rng.randint(0, 3)),
                "budget_usd": rng.choice([None, 2000, 3000, 4000, 6000]),
                "available_from": today + dt.timedelta(days=rng.randint(0, 60)),
                "available_until": today + dt.timedelta(days=rng.randint(120, 400)),
                "hands_on_preference": rng.choice(["hands_on", "observational", "either"]),
                "created_at": now - dt.timedelta(days=rng.randint(1, 700)),
                "updated_at": now,
            }
        )
        interests += [
            {"applicantprofile_id": profile_id, "specialty_id": s} for s in rng.sample(specialty_ids, rng.randint(1, 3))
        ]
        saved += [
            {"user_id": pk, "listing_id": listing_id, "created_at": now}
            for listing_id in rng.sample(listing_ids, rng.choice([0, 1, 2, 3, 5]))
        ]
        applicants.append({"id": pk, "certified": certified})
    _copy(raw, User, users)
    _copy(raw, ApplicantProfile, profiles)
    interests_table = ApplicantProfile.specialties_of_interest.through
    _copy(
        raw,
        interests_table,
        [dict(r, id=pk) for r, pk in zip(interests, _reserve_ids(raw, interests_table._meta.db_table, len(interests)))],
    )
    _copy(
        raw,
        SavedListing,
        [dict(r, id=pk) for r, pk in zip(saved, _reserve_ids(raw, SavedListing._meta.db_table, len(saved)))],
    )

    # Documents: every applicant has a CV and a passport; most the usual others. One version each.
    plan = []
    for applicant in applicants:
        kinds = [
            "cv",
            "passport",
            *[
                k
                for k in (
                    "usmle_transcript",
                    "medical_diploma",
                    "immunisation_record",
                    "bls",
                    "personal_statement",
                    "health_insurance",
                )
                if rng.random() < 0.6
            ],
        ]
        if applicant["certified"]:
            kinds.append("ecfmg_certificate")
        plan += [(applicant["id"], kind) for kind in kinds]
    document_ids = _reserve_ids(raw, Document._meta.db_table, len(plan))
    version_ids = _reserve_ids(raw, DocumentVersion._meta.db_table, len(plan))
    documents, versions, immunisations = [], [], []
    for (owner, kind), document_id, version_id in zip(plan, document_ids, version_ids):
        uploaded = now - dt.timedelta(days=rng.randint(1, 300))
        # Foreign keys are checked at commit (deferred), so a document may name its version first.
        documents.append(
            {
                "id": document_id,
                "owner_id": owner,
                "kind": kind,
                "current_version_id": version_id,
                "created_at": uploaded,
            }
        )
        expires = None
        if kind == "passport":
            expires = today + dt.timedelta(days=rng.randint(10, 3000))
        elif kind in ("bls", "health_insurance"):
            expires = today + dt.timedelta(days=rng.randint(-30, 700))
        versions.append(
            {
                "id": version_id,
                "document_id": document_id,
                "number": 1,
                "file": f"applicants/national/{version_id}.pdf",
                "original_name": f"{kind}.pdf",
                "content_type": "application/pdf",
                "size": rng.randint(40_000, 900_000),
                "sha256": f"{version_id:064x}",
                "issued_on": None,
                "expires_on": expires,
                "uploaded_at": uploaded,
            }
        )
        if kind == "immunisation_record":
            for code in rng.sample(["mmr", "varicella", "hepatitis_b", "tdap", "influenza", "covid19", "tb_test"], 4):
                immunisations.append(
                    {
                        "version_id": version_id,
                        "immunisation": code,
                        "date": today - dt.timedelta(days=rng.randint(10, 900)),
                    }
                )
    _copy(raw, Document, documents)
    _copy(raw, DocumentVersion, versions)
    _copy(
        raw,
        ImmunisationRecordEntry,
        [
            dict(r, id=pk)
            for r, pk in zip(
                immunisations, _reserve_ids(raw, ImmunisationRecordEntry._meta.db_table, len(immunisations))
            )
        ],
    )
    return applicants


# Where an application stands, by the phase of its session: (status, weight). Seat-holding states
# are drawn only while the session has seats left; past that they fall back to the next entry.
OPEN_PHASE = [
    ("draft", 12),
    ("submitted", 40),
    ("under_review", 20),
    ("interview", 8),
    ("offered", 4),
    ("accepted", 4),
    ("rejected", 6),
    ("withdrawn", 6),
]
CLOSED_PHASE = [
    ("submitted", 6),
    ("under_review", 10),
    ("interview", 6),
    ("waitlisted", 12),
    ("offered", 8),
    ("accepted", 14),
    ("declined", 6),
    ("offer_expired", 3),
    ("rejected", 30),
    ("withdrawn", 5),
]
STARTED_PHASE = [
    ("enrolled", 20),
    ("completed", 20),
    ("rejected", 40),
    ("declined", 8),
    ("withdrawn", 8),
    ("offer_expired", 4),
]
SEAT_HOLDING = {"offered", "accepted", "enrolled", "completed"}


def _applications(raw, rng: random.Random, now: dt.datetime, applicants: list[dict], busy: list[int]) -> list[dict]:
    from applications.models import Application
    from placements.models import Session

    sessions = list(
        Session.objects.filter(listing__status="published", is_archived=False).values_list(
            "pk",
            "listing__institution_id",
            "seats",
            "applications_close_at",
            "start_date",
            "end_date",
            "offer_response_days",
        )
    )
    busy_set = set(busy)
    busy_sessions = [s for s in sessions if s[1] in busy_set]
    other = [s for s in sessions if s[1] not in busy_set]
    rng.shuffle(other)  # popularity follows this order: a few sessions draw many, most draw a few
    applicant_ids = [a["id"] for a in applicants]
    pairs: dict[tuple[int, int], tuple] = {}
    while len(pairs) < APPLICATIONS:
        # Some applicants apply widely (a long tail), most to a handful.
        applicant = applicant_ids[int(len(applicant_ids) * rng.random() ** 1.6)]
        if rng.random() < BUSY_SHARE:
            session = rng.choice(busy_sessions)
        else:
            session = other[int(len(other) * rng.random() ** 3)]
        pairs.setdefault((applicant, session[0]), session)
    by_session = defaultdict(list)
    for (applicant, _sid), session in pairs.items():
        by_session[session].append(applicant)
    ids = iter(_reserve_ids(raw, Application._meta.db_table, len(pairs)))
    today = now.date()
    rows = []
    for (session_id, _inst, seats, closes, start, end, response_days), applicant_list in by_session.items():
        phase = OPEN_PHASE if closes > now else CLOSED_PHASE if start > today else STARTED_PHASE
        held = 0
        waitlist = 0
        for applicant in applicant_list:
            status = rng.choices([s for s, _w in phase], [w for _s, w in phase])[0]
            if status in SEAT_HOLDING:
                if held >= seats:
                    status = "rejected" if phase is not OPEN_PHASE else "submitted"
                else:
                    held += 1
            if status == "completed" and end >= today:
                status = "enrolled"
            created = min(now, closes) - dt.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
            row = {
                "id": next(ids),
                "applicant_id": applicant,
                "session_id": session_id,
                "status": status,
                "personal_statement": "I want to learn how US teams care for patients." if status != "draft" else "",
                "eligible_at_submit": None if status == "draft" else rng.random() < 0.8,
                "eligibility_reasons": [],
                "created_at": created,
                "updated_at": created + dt.timedelta(days=1),
                "submitted_at": None if status == "draft" else created + dt.timedelta(hours=rng.randint(1, 48)),
                "decided_at": None,
                "completed_at": None,
                "waitlist_position": None,
                "offer_expires_at": None,
                "evaluation": "",
                "fee_paid_at": None,
            }
            if status not in {"draft", "submitted", "under_review", "interview", "withdrawn"}:
                row["decided_at"] = row["submitted_at"] + dt.timedelta(days=rng.randint(1, 20))
            if status == "waitlisted":
                waitlist += 1
                row["waitlist_position"] = waitlist
            if status == "offered":
                row["offer_expires_at"] = now + dt.timedelta(days=rng.randint(1, response_days))
            if status == "completed":
                row["completed_at"] = dt.datetime.combine(end, dt.time(17), tzinfo=dt.UTC)
            if status in {"accepted", "enrolled", "completed"}:
                row["fee_paid_at"] = row["decided_at"]
            rows.append(row)
    _copy(raw, Application, rows)
    return rows


def _letters(raw, rng: random.Random, now: dt.datetime, applicants: list[dict], applications: list[dict]) -> None:
    from letters.models import Letter, LetterLink, LetterRequest

    statuses = [("sent", 25), ("opened", 15), ("uploaded", 45), ("declined", 5), ("expired", 7), ("revoked", 3)]
    # About 9,000 applicants ask for letters, one to four each, each from a different writer.
    writers_of = []
    for applicant in applicants[: APPLICANTS * 9 // 50]:
        writers_of += [(applicant["id"], n) for n in range(rng.randint(1, 4))]
    writers_of = writers_of[:LETTERS]
    request_ids = _reserve_ids(raw, LetterRequest._meta.db_table, len(writers_of))
    requests, letters, links = [], [], []
    letter_ids = iter(_reserve_ids(raw, Letter._meta.db_table, len(writers_of)))
    link_ids = iter(_reserve_ids(raw, LetterLink._meta.db_table, len(writers_of)))
    for pk, (applicant, n) in zip(request_ids, writers_of):
        status = rng.choices([s for s, _w in statuses], [w for _s, w in statuses])[0]
        created = now - dt.timedelta(days=rng.randint(1, 120))
        row = {
            "id": pk,
            "applicant_id": applicant,
            "writer_name": f"Dr {rng.choice(FIRST)} {rng.choice(LAST)}",
            "writer_email": f"writer{n}.{applicant}@hospital.example.org",
            "writer_title": "Attending physician",
            "writer_institution": f"{rng.choice(COUNTRIES)} Teaching Hospital",
            "relationship": "supervisor",
            "rotation_id": None,
            "message": "",
            "waived": rng.random() < 0.8,
            "status": status,
            "expires_at": now + dt.timedelta(days=rng.randint(1, 30))
            if status in ("sent", "opened", "uploaded")
            else now - dt.timedelta(days=rng.randint(1, 30)),
            "due_at": now + dt.timedelta(days=rng.randint(3, 60)) if rng.random() < 0.5 else None,
            "current_letter_id": None,
            "decline_message": "",
            "created_at": created,
            "opened_at": created + dt.timedelta(days=1) if status in ("opened", "uploaded", "declined") else None,
            "uploaded_at": None,
            "declined_at": created + dt.timedelta(days=2) if status == "declined" else None,
            "revoked_at": created + dt.timedelta(days=3) if status == "revoked" else None,
        }
        if status == "uploaded":
            letter_id = next(letter_ids)
            row["current_letter_id"] = letter_id
            row["uploaded_at"] = created + dt.timedelta(days=5)
            letters.append(
                {
                    "id": letter_id,
                    "request_id": pk,
                    "file": f"letters/national/{letter_id}.pdf",
                    "size": rng.randint(50_000, 400_000),
                    "sha256": f"{letter_id:064x}",
                    "uploaded_at": row["uploaded_at"],
                }
            )
        live = status in ("sent", "opened")
        links.append(
            {
                "id": next(link_ids),
                "request_id": pk,
                "key": secrets.token_urlsafe(),
                "created_at": created,
                "emailed_at": created,
                "ended_at": None if live else created + dt.timedelta(days=5),
                "ended_because": "" if live else "replaced",
            }
        )
        requests.append(row)
    _copy(raw, LetterRequest, requests)
    _copy(raw, Letter, letters)
    _copy(raw, LetterLink, links)


def main() -> int:
    import django

    django.setup()
    try:
        seed()
    except NotEmpty as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
