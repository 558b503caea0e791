"""Demo applications for `make run`: the demo coordinator's queue holds every state, the demo
applicant a history (a completed rotation with its certificate and review, an application under
review, an offer from a match round, a draft that lists what it still lacks).

Everything goes through the services, as a user would: listings and sessions by the coordinator,
documents and letters by the applicants and their writers, every move through the state machine,
dated in the past where the story needs it (`now=`). So the data obeys the same rules as the
pages (seats, requirements, events, notifications).

Deterministic: the demo's own listing at the coordinator's institution has known requirements and
sessions dated relative to the day of the first run. Idempotent: a listing is found by its source,
an applicant by e-mail, an application by (applicant, session); a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts import demo as account_demo
from applicants.demo import pdf as demo_pdf
from applicants.models import ApplicantProfile, Document
from applicants.services import document_upload
from applicants.uploads import check_upload
from letters.models import LetterRequest
from letters.services import letter_assignments_set, letter_request_create, letter_upload
from placements.models import DocumentRequirement, Institution, Listing, Session, Specialty, Visa
from placements.services import listing_create, listing_submit, session_create

from .models import Application, InterviewSlot, ListingQuestion, Score
from .services import (
    application_complete,
    application_move,
    application_save_draft,
    application_start,
    interview_book,
    interview_slot_create,
    review_create,
)
from .states import Actor, Status

DEMO_SOURCE = "USCE Portal demo queue"
QUEUE_LISTING = "Internal Medicine Sub-internship"
ROUND_LISTING = "Cardiology Clinical Observership"
QUESTION = "Which weeks of the session can you attend in full?"

# name, country, medical school, graduation year, Step 2 CK, visa for the placement
DEMO_APPLICANTS = [
    ("Priya Raman", "India", "Madras Medical College", 2022, 248, "b1b2"),
    ("Omar Haddad", "Jordan", "University of Jordan Faculty of Medicine", 2021, 236, "b1b2"),
    ("Chinonso Eze", "Nigeria", "University of Nigeria College of Medicine", 2023, 241, "j1"),
    ("Mariam Siddiqui", "Pakistan", "Aga Khan University Medical College", 2020, 252, "j1"),
    ("Lucía Fernández", "Mexico", "UNAM Facultad de Medicina", 2022, 229, "b1b2"),
    ("Tran Minh Anh", "Vietnam", "Hanoi Medical University", 2023, 244, "b1b2"),
    ("Youssef Mansour", "Egypt", "Cairo University Kasr Alainy", 2019, 233, "b1b2"),
    ("Ananya Iyer", "India", "Kasturba Medical College, Manipal", 2022, 257, "j1"),
    ("Kwame Mensah", "Ghana", "University of Ghana Medical School", 2021, 238, "j1"),
    ("Sofia Rossi", "Italy", "Sapienza University of Rome", 2022, 246, "esta"),
]


@dataclass(frozen=True)
class DemoSession:
    """A session of a demo listing, in days from the first run's today."""

    key: str
    listing: str
    opens: int
    closes: int
    starts: int
    weeks: int
    seats: int


SESSIONS = [
    DemoSession("past", QUEUE_LISTING, opens=-200, closes=-100, starts=-70, weeks=4, seats=4),
    DemoSession("current", QUEUE_LISTING, opens=-150, closes=-40, starts=-9, weeks=4, seats=4),
    DemoSession("open", QUEUE_LISTING, opens=-30, closes=45, starts=80, weeks=4, seats=3),
    DemoSession("round", ROUND_LISTING, opens=-45, closes=30, starts=70, weeks=4, seats=2),
]

# Who applies where, how far it goes, and how many days ago they started. None is the demo applicant.
PLAN = [
    (0, "past", Status.COMPLETED, 190),
    (None, "past", Status.COMPLETED, 185),
    (1, "current", Status.ENROLLED, 140),
    (2, "open", Status.SUBMITTED, 3),
    (3, "open", Status.SUBMITTED, 2),
    (4, "open", Status.UNDER_REVIEW, 12),
    (5, "open", Status.INTERVIEW, 20),
    (6, "open", Status.OFFERED, 26),
    (7, "open", Status.ACCEPTED, 28),
    (8, "open", Status.WAITLISTED, 22),
    (9, "open", Status.REJECTED, 25),
    (None, "open", Status.UNDER_REVIEW, 15),
    # The match round's sessions: left submitted here; rounds.demo ranks and publishes them.
    (None, "round", Status.SUBMITTED, 30),
    (4, "round", Status.SUBMITTED, 29),
    (3, "round", Status.SUBMITTED, 27),
]
# The coordinator's moves on the way to each state (the applicant's own answer comes after).
PATH = {
    Status.SUBMITTED: [],
    Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
    Status.INTERVIEW: [Status.UNDER_REVIEW, Status.INTERVIEW],
    Status.WAITLISTED: [Status.UNDER_REVIEW, Status.WAITLISTED],
    Status.OFFERED: [Status.UNDER_REVIEW, Status.OFFERED],
    Status.ACCEPTED: [Status.UNDER_REVIEW, Status.OFFERED],
    Status.REJECTED: [Status.UNDER_REVIEW, Status.REJECTED],
    Status.ENROLLED: [Status.UNDER_REVIEW, Status.INTERVIEW, Status.OFFERED],
    Status.COMPLETED: [Status.UNDER_REVIEW, Status.OFFERED],
}


def demo_sessions() -> dict[str, Session]:
    """The demo's sessions by key, creating its two listings (through the coordinator's services)
    the first time. Later runs find them by source and keep their dates."""
    coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
    institution = Institution.objects.get(pk=min(coordinator.coordinator_institution_ids))
    found = {
        listing.title: list(listing.sessions.order_by("start_date"))
        for listing in Listing.objects.filter(institution=institution, source=DEMO_SOURCE)
    }
    if found:
        keys = {title: [s.key for s in SESSIONS if s.listing == title] for title in found}
        return {key: session for title, rows in found.items() for key, session in zip(keys[title], rows)}
    today = timezone.localdate()
    zone = ZoneInfo(institution.time_zone)
    listings = {
        QUEUE_LISTING: _demo_listing(institution, coordinator, QUEUE_LISTING, "internal-medicine", rotation=True),
        ROUND_LISTING: _demo_listing(institution, coordinator, ROUND_LISTING, "cardiovascular-disease"),
    }
    sessions = {}
    for plan in SESSIONS:
        start = today + dt.timedelta(days=plan.starts)
        sessions[plan.key] = session_create(
            listing=listings[plan.listing],
            actor=coordinator,
            fields={
                "start_date": start,
                "end_date": start + dt.timedelta(weeks=plan.weeks, days=-1),
                "seats": plan.seats,
                "applications_open_at": dt.datetime.combine(today + dt.timedelta(days=plan.opens), dt.time(9), zone),
                "applications_close_at": dt.datetime.combine(today + dt.timedelta(days=plan.closes), dt.time(17), zone),
                "offer_response_days": 10,
            },
        )
    for listing in listings.values():
        listing_submit(listing=listing, actor=coordinator)
    return sessions


def _demo_listing(institution, coordinator, title: str, specialty: str, *, rotation: bool = False) -> Listing:
    listing = listing_create(
        institution=institution,
        created_by=coordinator,
        fields={
            "kind": Listing.Kind.ROTATION if rotation else Listing.Kind.OBSERVERSHIP,
            "title": title,
            "specialty": Specialty.objects.get(slug=specialty),
            "description": (
                f"A four-week {'sub-internship' if rotation else 'observership'} at {institution.name}: rounds "
                "with the attending team, teaching conferences twice a week and a case presentation at the end."
            ),
            "hands_on_level": Listing.HandsOn.MIXED if rotation else Listing.HandsOn.OBSERVATIONAL,
            "duration_weeks": 4,
            "programme_fee": Decimal("2500") if rotation else Decimal("1200"),
            "application_fee": Decimal("75"),
            "refund_terms": "Full refund up to 30 days before the start; the application fee is not refunded.",
            "lor_offered": True,
            "certificate_offered": True,
            "accepts_students": True,
            "accepts_graduates": True,
            "requires_step1_pass": True,
            "min_letters": 1 if rotation else 0,
            "max_letters": 2,
            "source": DEMO_SOURCE,
            "last_verified_on": timezone.localdate(),
        },
        accepted_visas=Visa.objects.filter(code__in=["b1b2", "j1", "esta", "us"]),
        document_kinds=["cv", "passport"],
    )
    if rotation:
        ListingQuestion.objects.create(listing=listing, prompt=QUESTION, required=True)
    return listing


def ensure_demo_applications() -> int:
    """Build the demo queue and the demo applicant's history; returns how many applications it created."""
    coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
    sessions = demo_sessions()
    now = timezone.now()
    created = 0
    for who, key, target, days_ago in PLAN:
        applicant = _demo_applicant(who)
        session = sessions[key]
        if Application.objects.filter(applicant=applicant, session=session).exists():
            continue
        _walk(applicant, session, target, coordinator, started=now - dt.timedelta(days=days_ago), seed=len(PLAN))
        created += 1
    _slot_to_spare(sessions["open"], coordinator, now)
    created += _demo_applicant_draft(now)
    return created


def _ascii(word: str) -> str:
    """Lucía -> Lucia: the demo's addresses stay plain ASCII, which every mail server and the API's
    `email` format accept."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


def _demo_applicant(index: int | None):
    if index is None:
        return account_demo.ensure_demo_user(account_demo.APPLICANT)
    name, country, school, year, step2, visa = DEMO_APPLICANTS[index]
    user, _ = get_user_model().objects.get_or_create(
        email=f"{_ascii(name.split()[0]).lower()}.{index}@demo.usce-portal.org", defaults={"full_name": name}
    )
    ApplicantProfile.objects.get_or_create(
        user=user,
        defaults={
            "citizenship_country": country,
            "residence_country": country,
            "training_stage": "graduate",
            "medical_school": school,
            "medical_school_country": country,
            "graduation_year": year,
            "ecfmg_status": "certified",
            "step1_result": "pass",
            "step2ck_score": step2,
            "planned_visa": visa,
        },
    )
    if not Document.objects.filter(owner=user).exists():
        today = timezone.localdate()
        for kind, title in [("cv", "Curriculum Vitae"), ("passport", "Passport (scan)")]:
            document_upload(
                owner=user,
                kind=kind,
                upload=SimpleUploadedFile(f"{title}.pdf", demo_pdf(f"{name}: {title}", [school])),
                issued_on=today - dt.timedelta(days=120),
                expires_on=today + dt.timedelta(days=2000) if kind == "passport" else None,
            )
    return user


def _letter_for(applicant) -> LetterRequest:
    """An uploaded letter to send: the demo applicant's (letters.demo), else one asked for and
    written now through the writer's services."""
    uploaded = (
        LetterRequest.objects.filter(applicant=applicant, status=LetterRequest.Status.UPLOADED)
        .order_by("created_at")
        .first()
    )
    if uploaded is not None:
        return uploaded
    request = letter_request_create(
        applicant=applicant,
        writer_name="Dr. Helen Marsh",
        writer_email=f"attending.{applicant.pk}@teaching-hospital.example.org",
        writer_title="Attending Physician, Internal Medicine",
        writer_institution="St. Luke's Teaching Hospital",
        relationship="Supervised me during a four-week sub-internship.",
        waived=True,
    )
    content = demo_pdf(
        "Letter of recommendation",
        [f"I recommend {applicant.get_full_name()} without reservation.", "Dr. Helen Marsh"],
    )
    upload = SimpleUploadedFile("letter.pdf", content)
    letter_upload(letter_request=request, upload=upload, checked=check_upload(upload))
    return request


def _walk(applicant, session: Session, target: str, coordinator, *, started: dt.datetime, seed: int) -> Application:
    """Apply, then move the application to `target` step by step, a few days apart, all in the past."""
    rng = random.Random(f"{applicant.email}-{session.pk}-{seed}")
    at = started
    application = application_start(applicant=applicant, session=session, now=at)
    listing = session.listing
    application_save_draft(
        application=application,
        applicant=applicant,
        answers={q.pk: "All four weeks." for q in ListingQuestion.objects.filter(listing=listing)},
        personal_statement=(
            f"I want to learn how a US {listing.specialty.name.lower()} team works: presenting on rounds, "
            "writing notes and following patients through discharge."
        ),
        documents=Document.objects.filter(
            Exists(DocumentRequirement.objects.filter(listing=listing, kind=OuterRef("kind"))), owner=applicant
        ),
    )
    if listing.min_letters:
        letter_assignments_set(application=application, letter_request_ids=[_letter_for(applicant).pk], actor=applicant)
    at += dt.timedelta(hours=rng.randint(2, 30))
    application_move(
        application_id=application.pk, to_status=Status.SUBMITTED, actor=applicant, role=Actor.APPLICANT, now=at
    )
    for step in PATH[target]:
        at += dt.timedelta(hours=rng.randint(20, 110))
        if step == Status.OFFERED:
            _score(application, coordinator, rng)
        application_move(
            application_id=application.pk, to_status=step, actor=coordinator, role=Actor.COORDINATOR, now=at
        )
    application.refresh_from_db()
    if target == Status.INTERVIEW:
        _book_interview(application, applicant, coordinator)
    if target in (Status.ACCEPTED, Status.ENROLLED, Status.COMPLETED):
        at += dt.timedelta(hours=rng.randint(4, 40))
        application_move(
            application_id=application.pk, to_status=Status.ACCEPTED, actor=applicant, role=Actor.APPLICANT, now=at
        )
    if target in (Status.ENROLLED, Status.COMPLETED):
        first_day = dt.datetime.combine(session.start_date, dt.time(8), ZoneInfo(listing.institution.time_zone))
        application_move(
            application_id=application.pk,
            to_status=Status.ENROLLED,
            actor=coordinator,
            role=Actor.COORDINATOR,
            now=first_day,
        )
    if target == Status.COMPLETED:
        application_complete(
            application_id=application.pk,
            actor=coordinator,
            evaluation="Thorough histories, clear presentations on rounds and kind with patients. Ready for residency.",
            now=dt.datetime.combine(
                session.end_date + dt.timedelta(days=1), dt.time(10), ZoneInfo(listing.institution.time_zone)
            ),
        )
        if applicant.email == account_demo.APPLICANT.email:
            application.refresh_from_db()
            review_create(
                application=application,
                applicant=applicant,
                hands_on=4,
                letter_received=True,
                real_total_cost=Decimal("3150"),
                comment="Real responsibility on the wards from the second week, and the letter came within a week.",
            )
    return application


def _score(application: Application, coordinator, rng: random.Random) -> None:
    for criterion in Score.Criterion.values:
        Score.objects.get_or_create(
            application=application, scorer=coordinator, criterion=criterion, defaults={"value": rng.randint(3, 5)}
        )


def _book_interview(application: Application, applicant, coordinator) -> None:
    session = application.session
    zone = ZoneInfo(session.listing.institution.time_zone)
    day = timezone.localdate() + dt.timedelta(days=5)
    slot = interview_slot_create(
        session=session,
        actor=coordinator,
        starts_at=dt.datetime.combine(day, dt.time(15), zone),
        duration_minutes=30,
        where="Video call; the link comes by e-mail the day before.",
    )
    interview_book(application=application, slot_id=slot.pk, applicant=applicant)


def _slot_to_spare(session: Session, coordinator, now: dt.datetime) -> None:
    """A free interview time, for whoever tries inviting someone else."""
    if InterviewSlot.objects.filter(session=session, application=None).exists():
        return
    zone = ZoneInfo(session.listing.institution.time_zone)
    interview_slot_create(
        session=session,
        actor=coordinator,
        starts_at=dt.datetime.combine(timezone.localdate() + dt.timedelta(days=6), dt.time(16), zone),
        duration_minutes=30,
        where="Video call; the link comes by e-mail the day before.",
    )


def _demo_applicant_draft(now: dt.datetime) -> int:
    """A draft to another programme that asks for a background check the demo applicant lacks, so
    their dashboard shows what a draft still needs and where to fix it."""
    applicant = account_demo.ensure_demo_user(account_demo.APPLICANT)
    if Application.objects.filter(applicant=applicant, status=Status.DRAFT).exists():
        return 0
    session = (
        Session.objects.published()
        .open_for_applications()
        .filter(
            listing__source__startswith="USCE Portal demo catalogue",
            listing__document_requirements__kind="background_check",
        )
        .order_by("pk")
        .first()
    )
    if session is None:
        return 0
    application_start(applicant=applicant, session=session, now=now)
    return 1
