"""A realistic demo catalogue, generated: institutions across US states and listings across real
specialties, fees and dates relative to today.

Idempotent and incremental: demo listings are marked by their `source`; a run creates only the ones
missing up to the number asked for. Deterministic: listing number i is the same listing on every run.
Bulk inserts throughout, so `--listings 100000` builds a benchmark catalogue in well under a minute on
PostgreSQL (the search-vector trigger fills the full-text column as rows arrive).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from . import accepted_visas, listing_dates
from .choices import DocumentKind, Immunisation
from .models import DocumentRequirement, ImmunisationRequirement, Institution, Listing, Session, Specialty
from .search import count_cache

DEMO_SOURCE = "USCE Portal demo catalogue (generated)"
BATCH = 5000

# city, state, time zone
CITIES = [
    ("Chicago", "IL", "America/Chicago"),
    ("Houston", "TX", "America/Chicago"),
    ("Dallas", "TX", "America/Chicago"),
    ("San Antonio", "TX", "America/Chicago"),
    ("New York", "NY", "America/New_York"),
    ("Brooklyn", "NY", "America/New_York"),
    ("Buffalo", "NY", "America/New_York"),
    ("Newark", "NJ", "America/New_York"),
    ("Philadelphia", "PA", "America/New_York"),
    ("Pittsburgh", "PA", "America/New_York"),
    ("Baltimore", "MD", "America/New_York"),
    ("Boston", "MA", "America/New_York"),
    ("Miami", "FL", "America/New_York"),
    ("Tampa", "FL", "America/New_York"),
    ("Orlando", "FL", "America/New_York"),
    ("Atlanta", "GA", "America/New_York"),
    ("Charlotte", "NC", "America/New_York"),
    ("Detroit", "MI", "America/Detroit"),
    ("Cleveland", "OH", "America/New_York"),
    ("Columbus", "OH", "America/New_York"),
    ("Indianapolis", "IN", "America/Indiana/Indianapolis"),
    ("Louisville", "KY", "America/New_York"),
    ("Nashville", "TN", "America/Chicago"),
    ("Memphis", "TN", "America/Chicago"),
    ("New Orleans", "LA", "America/Chicago"),
    ("Birmingham", "AL", "America/Chicago"),
    ("St. Louis", "MO", "America/Chicago"),
    ("Kansas City", "MO", "America/Chicago"),
    ("Minneapolis", "MN", "America/Chicago"),
    ("Milwaukee", "WI", "America/Chicago"),
    ("Omaha", "NE", "America/Chicago"),
    ("Oklahoma City", "OK", "America/Chicago"),
    ("Denver", "CO", "America/Denver"),
    ("Salt Lake City", "UT", "America/Denver"),
    ("Albuquerque", "NM", "America/Denver"),
    ("Phoenix", "AZ", "America/Phoenix"),
    ("Tucson", "AZ", "America/Phoenix"),
    ("Las Vegas", "NV", "America/Los_Angeles"),
    ("Los Angeles", "CA", "America/Los_Angeles"),
    ("San Diego", "CA", "America/Los_Angeles"),
    ("Fresno", "CA", "America/Los_Angeles"),
    ("Sacramento", "CA", "America/Los_Angeles"),
    ("Seattle", "WA", "America/Los_Angeles"),
    ("Portland", "OR", "America/Los_Angeles"),
    ("Honolulu", "HI", "Pacific/Honolulu"),
    ("Anchorage", "AK", "America/Anchorage"),
    ("San Juan", "PR", "America/Puerto_Rico"),
    ("Richmond", "VA", "America/New_York"),
    ("Washington", "DC", "America/New_York"),
    ("Hartford", "CT", "America/New_York"),
    ("Providence", "RI", "America/New_York"),
    ("Jackson", "MS", "America/Chicago"),
    ("Little Rock", "AR", "America/Chicago"),
    ("Des Moines", "IA", "America/Chicago"),
    ("Wichita", "KS", "America/Chicago"),
    ("Boise", "ID", "America/Boise"),
    ("Charleston", "WV", "America/New_York"),
    ("Columbia", "SC", "America/New_York"),
    ("Burlington", "VT", "America/New_York"),
    ("Manchester", "NH", "America/New_York"),
]
# Zones an Institution may hold (see models.US_TIME_ZONES): map the few finer ones onto them.
ZONE_ALIASES = {
    "America/Detroit": "America/New_York",
    "America/Indiana/Indianapolis": "America/New_York",
    "America/Boise": "America/Denver",
}
NAME_PATTERNS = [
    ("{city} University Medical Center", Institution.Kind.ACADEMIC),
    ("{city} General Hospital", Institution.Kind.TEACHING),
    ("{city} Regional Medical Center", Institution.Kind.TEACHING),
    ("Mercy Community Hospital of {city}", Institution.Kind.COMMUNITY),
    ("{city} Internal Medicine Associates", Institution.Kind.PRIVATE_PRACTICE),
    ("{city} Family Health Clinic", Institution.Kind.CLINIC),
    ("St. Luke's Hospital {city}", Institution.Kind.COMMUNITY),
    ("{city} Children's Hospital", Institution.Kind.TEACHING),
]
# Common USCE specialties come up more often, as they do in real catalogues.
COMMON_SPECIALTIES = [
    "internal-medicine",
    "family-medicine",
    "pediatrics",
    "psychiatry",
    "neurology",
    "general-surgery",
    "emergency-medicine",
    "cardiovascular-disease",
    "hospital-medicine",
    "obstetrics-and-gynecology",
    "gastroenterology",
    "nephrology",
    "pathology",
]
KIND_WORDS = {
    Listing.Kind.OBSERVERSHIP: ["Observership", "Clinical Observership", "Outpatient Observership"],
    Listing.Kind.ROTATION: ["Clinical Rotation", "Elective", "Inpatient Rotation", "Sub-internship"],
    Listing.Kind.EXTERNSHIP: ["Externship", "Clinical Externship", "Hands-on Externship"],
    Listing.Kind.FELLOWSHIP: ["Research Fellowship", "Clinical Fellowship", "Observational Research Fellowship"],
}
FEES = {  # programme fee range in US dollars, as commonly charged
    Listing.Kind.OBSERVERSHIP: (500, 3500),
    Listing.Kind.ROTATION: (1500, 5500),
    Listing.Kind.EXTERNSHIP: (1000, 4500),
    Listing.Kind.FELLOWSHIP: (0, 2500),
}
SETTINGS = [
    "inpatient wards",
    "outpatient clinics",
    "the emergency department",
    "the intensive care unit",
    "community clinics",
    "the consult service",
]


def _institution_rows(count: int) -> list[dict]:
    rows = []
    for i in range(count):
        city, state, zone = CITIES[i % len(CITIES)]
        pattern, kind = NAME_PATTERNS[(i // len(CITIES)) % len(NAME_PATTERNS)]
        campus = i // (len(CITIES) * len(NAME_PATTERNS))
        name = pattern.format(city=city) + (f" – Campus {campus + 1}" if campus else "")
        rows.append(
            {
                "name": name,
                "kind": kind,
                "city": city,
                "state": state,
                "time_zone": ZONE_ALIASES.get(zone, zone),
                "verified": i % 7 != 3,
                "slug": slugify(f"{name}-{city}-{state}")[:220],
                "website": f"https://www.{slugify(name)[:40]}.example.org",
            }
        )
    return rows


def ensure_institutions(count: int) -> list[Institution]:
    rows = _institution_rows(count)
    existing = set(Institution.objects.filter(slug__in=[r["slug"] for r in rows]).values_list("slug", flat=True))
    Institution.objects.bulk_create([Institution(**r) for r in rows if r["slug"] not in existing], batch_size=BATCH)
    by_slug = {i.slug: i for i in Institution.objects.filter(slug__in=[r["slug"] for r in rows])}
    return [by_slug[r["slug"]] for r in rows]


def _listing(i: int, institution: Institution, specialty: Specialty, now: dt.datetime) -> tuple:
    rng = random.Random(i)
    kind = rng.choice(
        [
            Listing.Kind.OBSERVERSHIP,
            Listing.Kind.OBSERVERSHIP,
            Listing.Kind.ROTATION,
            Listing.Kind.ROTATION,
            Listing.Kind.EXTERNSHIP,
            Listing.Kind.FELLOWSHIP,
        ]
    )
    hands_on = {
        Listing.Kind.OBSERVERSHIP: Listing.HandsOn.OBSERVATIONAL,
        Listing.Kind.FELLOWSHIP: rng.choice([Listing.HandsOn.OBSERVATIONAL, Listing.HandsOn.MIXED]),
    }.get(kind, rng.choice([Listing.HandsOn.HANDS_ON, Listing.HandsOn.HANDS_ON, Listing.HandsOn.MIXED]))
    low, high = FEES[kind]
    fee = Decimal(rng.randrange(low, high + 1, 50))
    weeks = rng.choice([2, 4, 4, 4, 6, 8, 12] if kind != Listing.Kind.FELLOWSHIP else [12, 24, 26, 52])
    setting = rng.choice(SETTINGS)
    title = f"{specialty.name} {rng.choice(KIND_WORDS[kind])}"
    if kind == Listing.Kind.FELLOWSHIP and "Research" in title:
        title = f"Research Fellowship in {specialty.name}"
    hands_on_text = (
        "You examine patients, present on rounds and write notes under supervision."
        if hands_on != Listing.HandsOn.OBSERVATIONAL
        else "You observe attending physicians with no direct patient care, as visitor status requires."
    )
    description = (
        f"A {weeks}-week {kind.label.lower()} in {specialty.name.lower()} at {institution.name}, based in {setting}. "
        f"{hands_on_text} Teaching conferences twice a week and a weekly case presentation. "
        f"Suited to international medical graduates preparing for the Match."
    )
    visas = ["j1", "us", "ead", "h1b"] if hands_on == Listing.HandsOn.HANDS_ON else ["b1b2", "esta", "us", "ead", "j1"]
    accepted = rng.sample(visas, rng.randint(1, len(visas)))
    status = Listing.Status.PUBLISHED
    if i % 23 == 5:
        status = Listing.Status.DRAFT
    elif not institution.verified and i % 3 == 0:
        status = Listing.Status.PENDING_REVIEW
    listing = dict(
        institution_id=institution.pk,
        kind=kind.value,
        title=title[:200],
        specialty_id=specialty.pk,
        description=description,
        hands_on_level=hands_on.value,
        duration_weeks=weeks,
        programme_fee=fee,
        application_fee=Decimal(rng.choice([0, 50, 75, 100, 150, 250])),
        deposit=Decimal(rng.choice([0, 0, 250, 500, 1000])),
        other_costs=Decimal(rng.choice([0, 0, 150, 300])),
        other_costs_note=rng.choice(["", "malpractice insurance", "badge and parking", "background check"]),
        refund_terms=rng.choice(
            [
                "Full refund up to 30 days before the start; the application fee is not refunded.",
                "50% refund up to 14 days before the start.",
                "No refunds once an offer is accepted.",
            ]
        ),
        visa_denial_refund=rng.random() < 0.6,
        housing_help=rng.random() < 0.35,
        lor_offered=rng.random() < 0.55,
        certificate_offered=rng.random() < 0.8,
        emr_access=hands_on != Listing.HandsOn.OBSERVATIONAL and rng.random() < 0.7,
        accepts_students=rng.random() < 0.7,
        accepts_graduates=True,
        requires_ecfmg_certification=hands_on == Listing.HandsOn.HANDS_ON and rng.random() < 0.5,
        requires_step1_pass=rng.random() < 0.6,
        min_step2_score=rng.choice([None, None, None, 220, 230, 240]),
        max_years_since_graduation=rng.choice([None, None, 3, 5, 7, 10]),
        english_test=rng.choice(["", "", "", "oet", "toefl", "ielts"]),
        min_letters=(min_letters := rng.choice([0, 0, 1, 2])),
        max_letters=max(min_letters, rng.choice([2, 3])),
        # COPY sends no m2m signal: the listing's copy of its visas is written with it.
        accepted_visa_codes=accepted_visas.as_text(accepted),
        source=DEMO_SOURCE,
        last_verified_on=(now - dt.timedelta(days=rng.randint(5, 200))).date(),
        created_at=now - dt.timedelta(days=rng.randint(1, 400)),
        updated_at=now,
    )
    listing["status"] = status.value
    listing["published_at"] = (
        listing["created_at"] + dt.timedelta(days=1) if status == Listing.Status.PUBLISHED else None
    )
    documents = rng.sample(
        [
            "cv",
            "passport",
            "usmle_transcript",
            "immunisation_record",
            "health_insurance",
            "bls",
            "background_check",
            "personal_statement",
            "medical_diploma",
            "deans_letter",
        ],
        rng.randint(2, 6),
    )
    if listing["requires_ecfmg_certification"]:
        documents.append(DocumentKind.ECFMG_CERTIFICATE.value)
    immunisations = rng.sample([c.value for c in Immunisation], rng.randint(2, 5))
    sessions = []
    zone = ZoneInfo(institution.time_zone)
    first = now.date() + dt.timedelta(days=rng.randint(-20, 200))
    for n in range(rng.randint(1, 3)):
        start = first + dt.timedelta(weeks=n * (weeks + rng.randint(0, 8)))
        closes = dt.datetime.combine(start - dt.timedelta(days=rng.choice([21, 30, 45, 60])), dt.time(17), tzinfo=zone)
        opens = closes - dt.timedelta(days=rng.choice([60, 90, 120]))
        sessions.append(
            (
                start,
                start + dt.timedelta(weeks=weeks, days=-1),
                rng.randint(1, 8),
                opens,
                closes,
                rng.choice([5, 7, 10, 14]),
                False,
            )
        )
    # Written with the row: an UPDATE after the load would leave every listing's first version behind
    # as dead space (half of the table's pages, until a VACUUM FULL), which each text search then reads.
    listing.update(listing_dates.of_sessions([dict(zip(SESSION_COLUMNS, session)) for session in sessions], now))
    return listing, accepted, documents, immunisations, sessions


# Column order of the child rows built by _listing, shared by COPY and bulk_create.
SESSION_COLUMNS = [
    "start_date",
    "end_date",
    "seats",
    "applications_open_at",
    "applications_close_at",
    "offer_response_days",
    "is_archived",
]
# Listings are copied into a staging table first, then inserted in one statement: the listing's own
# trigger (the search document's only writer) fills each row's document as it is inserted, and no row
# is rewritten afterwards.
_STAGING = "placements_listing_demo_load"
_INSERT_FROM_STAGING_SQL = "INSERT INTO placements_listing ({columns}) SELECT {staged} FROM {staging} l"
# Recomputes a listing's stored next dates per session row: the rows carry them from `_listing` instead.
_SESSION_TRIGGER = "placements_session_listing_dates_trg"
_GIN_INDEX = "placements_listing_search_gin"


def _child_rows(listing_ids: list[int], rows: list[tuple]) -> dict[str, tuple[list[str], list[tuple]]]:
    through, documents, immunisations, sessions = [], [], [], []
    for pk, (_values, visas, kinds, codes, cohort) in zip(listing_ids, rows):
        through += [(pk, code) for code in visas]
        documents += [(pk, kind, 365 if kind == "background_check" else None) for kind in kinds]
        immunisations += [(pk, code, 365 if code == "tb_test" else None) for code in codes]
        sessions += [(pk, *session) for session in cohort]
    return {
        Listing.accepted_visas.through._meta.db_table: (["listing_id", "visa_id"], through),
        DocumentRequirement._meta.db_table: (["listing_id", "kind", "valid_within_days"], documents),
        ImmunisationRequirement._meta.db_table: (["listing_id", "immunisation", "valid_within_days"], immunisations),
        Session._meta.db_table: (["listing_id", *SESSION_COLUMNS], sessions),
    }


def _write_with_orm(rows: list[tuple]) -> None:
    made = Listing.objects.bulk_create([Listing(**values) for values, *_rest in rows], batch_size=BATCH)
    models_by_table = {
        m._meta.db_table: m
        for m in (Listing.accepted_visas.through, DocumentRequirement, ImmunisationRequirement, Session)
    }
    for table, (columns, tuples) in _child_rows([m.pk for m in made], rows).items():
        model = models_by_table[table]
        model.objects.bulk_create([model(**dict(zip(columns, t))) for t in tuples], batch_size=BATCH)


def _copy(cursor, table: str, columns: list[str], tuples: list[tuple]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in tuples:
            copy.write_row(row)


def _write_with_copy(rows: list[tuple], raw_cursor) -> None:
    """COPY plain tuples: no model instances, no per-row SQL compilation."""
    raw_cursor.execute(
        "SELECT nextval(pg_get_serial_sequence('placements_listing', 'id')) FROM generate_series(1, %s)", [len(rows)]
    )
    ids = [pk for (pk,) in raw_cursor.fetchall()]
    columns = ["id", *rows[0][0]]
    _copy(raw_cursor, _STAGING, columns, [(pk, *values.values()) for pk, (values, *_r) in zip(ids, rows)])
    raw_cursor.execute(
        _INSERT_FROM_STAGING_SQL.format(
            columns=", ".join(columns), staged=", ".join(f"l.{c}" for c in columns), staging=_STAGING
        )
    )
    raw_cursor.execute(f"TRUNCATE {_STAGING}")
    for table, (child_columns, tuples) in _child_rows(ids, rows).items():
        _copy(raw_cursor, table, child_columns, tuples)


def ensure_demo_catalogue(listings: int = 300, *, first_institutions: list[Institution] = (), log=None) -> int:
    """Create demo listings until there are `listings` of them. Returns how many it created.

    `first_institutions` (the demo coordinator's among them) get listings too, so every demo login
    has something to manage and review. One transaction: an interrupted run leaves nothing half-made.
    """
    existing = Listing.objects.filter(source=DEMO_SOURCE).count()
    if existing >= listings:
        return 0
    institutions = [*first_institutions, *ensure_institutions(max(60, listings // 50))]
    by_slug = {s.slug: s for s in Specialty.objects.all()}
    specialties = list(by_slug.values())
    common = [by_slug[s] for s in COMMON_SPECIALTIES if s in by_slug]
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor if postgres else None
        if postgres:
            # The GIN index costs far more row by row than built once for the whole load; the session
            # trigger would rewrite each listing once per session. ALTER TABLE and DROP INDEX hold the
            # tables' locks until commit, so no other writer comes between.
            # Deferred foreign-key checks of rows written earlier in an outer transaction (the demo's
            # queue, loaded before a second run) run now: ALTER TABLE refuses while any are pending.
            raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
            raw.execute(f"CREATE TEMPORARY TABLE {_STAGING} (LIKE placements_listing) ON COMMIT DROP")
            raw.execute(f"ALTER TABLE placements_session DISABLE TRIGGER {_SESSION_TRIGGER}")
            raw.execute(f"DROP INDEX IF EXISTS {_GIN_INDEX}")
        for batch_start in range(existing, listings, BATCH):
            rows = []
            for i in range(batch_start, min(batch_start + BATCH, listings)):
                rng = random.Random(-i)
                specialty = rng.choice(common) if rng.random() < 0.6 else rng.choice(specialties)
                rows.append(_listing(i, institutions[i % len(institutions)], specialty, now))
            if postgres:
                _write_with_copy(rows, raw)
            else:
                _write_with_orm(rows)
            if log:
                log(f"  {batch_start + len(rows)} demo listings")
        if postgres:
            raw.execute(f"DROP TABLE {_STAGING}")  # ON COMMIT DROP is not enough inside an outer transaction
            # Deferred foreign-key checks run now: CREATE INDEX and ALTER TABLE refuse while any are pending.
            raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
            raw.execute(f"CREATE INDEX {_GIN_INDEX} ON placements_listing USING gin (search_vector)")
            raw.execute(f"ALTER TABLE placements_session ENABLE TRIGGER {_SESSION_TRIGGER}")
            raw.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for the rest of an outer transaction
    # COPY sends no signals: the search's cached counts must not outlive the new catalogue.
    count_cache.catalogue_changed()
    if postgres and listings - existing >= BATCH:
        # Fresh statistics after a bulk load, or the planner guesses from an empty table.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE placements_listing, placements_session, placements_listing_accepted_visas, "
                "placements_institution"
            )
    return listings - existing
