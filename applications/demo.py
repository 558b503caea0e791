"""Demo applications for `make run`: a realistic queue at the demo coordinator's institution.

Idempotent: applicants are found by e-mail and an application exists once per session, so a
second run creates nothing. Needs published sessions open for applications (the listings demo);
without them it does nothing. Moves go through the state machine, so seats are respected.
"""

import random

from django.contrib.auth import get_user_model

from accounts import demo as account_demo
from applicants.models import ApplicantProfile
from placements.models import Session

from .models import Application, Score
from .services import ApplicationError, application_move, application_save_draft, application_start
from .states import Actor, Status

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
# The states the demo queue shows, in order: most waiting for review, a few further along.
PLAN = [
    Status.SUBMITTED,
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    Status.UNDER_REVIEW,
    Status.INTERVIEW,
    Status.WAITLISTED,
    Status.OFFERED,
    Status.ACCEPTED,
    Status.REJECTED,
    Status.SUBMITTED,
]
PATH = {
    Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
    Status.INTERVIEW: [Status.UNDER_REVIEW, Status.INTERVIEW],
    Status.WAITLISTED: [Status.UNDER_REVIEW, Status.WAITLISTED],
    Status.OFFERED: [Status.UNDER_REVIEW, Status.OFFERED],
    Status.ACCEPTED: [Status.UNDER_REVIEW, Status.OFFERED],
    Status.REJECTED: [Status.UNDER_REVIEW, Status.REJECTED],
}


def ensure_demo_applications() -> int:
    coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
    sessions = list(
        Session.objects.published()
        .open_for_applications()
        .filter(listing__institution_id__in=coordinator.coordinator_institution_ids)
        .select_related("listing")[:2]
    )
    if not sessions:
        return 0
    rng = random.Random(5)  # Same demo every run.
    created = 0
    for index, (name, country, school, year, step2, visa) in enumerate(DEMO_APPLICANTS):
        user, _ = get_user_model().objects.get_or_create(
            email=f"{name.split()[0].lower()}.{index}@demo.usce-portal.org", defaults={"full_name": name}
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
        session = sessions[index % len(sessions)]
        if Application.objects.filter(applicant=user, session=session).exists():
            continue
        application = application_save_draft(
            application=application_start(applicant=user, session=session),
            applicant=user,
            answers={},
            personal_statement=(
                f"I graduated from {school} in {year} and want to learn how a US "
                f"{session.listing.specialty.name.lower()} "
                "team works: presenting on rounds, writing notes and following patients through discharge."
            ),
        )
        created += _advance(application, PLAN[index], user, coordinator, rng)
    created += _ensure_demo_applicant_applications(sessions, coordinator, rng)
    return created


def _ensure_demo_applicant_applications(sessions: list[Session], coordinator, rng: random.Random) -> int:
    """The demo applicant's own applications, so that their dashboard has something to track.

    Each goes as far as the demo profile allows: while a programme asks for something the demo
    applicant lacks (a background check, a letter), it stays a draft that lists what is missing."""
    applicant = account_demo.ensure_demo_user(account_demo.APPLICANT)
    created = 0
    for session, target in zip(sessions, [Status.OFFERED, Status.SUBMITTED]):
        if Application.objects.filter(applicant=applicant, session=session).exists():
            continue
        application = application_save_draft(
            application=application_start(applicant=applicant, session=session),
            applicant=applicant,
            answers={},
            personal_statement=(
                "After my internship in Lagos I want to see how a US team runs its "
                f"{session.listing.specialty.name.lower()} service, and to earn a letter from a US physician."
            ),
        )
        created += _advance(application, target, applicant, coordinator, rng)
    return created


def _advance(application: Application, target: str, applicant, coordinator, rng: random.Random) -> int:
    """Walk the application to `target` through the state machine; stop at the first refusal
    (a listing requirement the demo profile lacks leaves a draft, a full session stops offers)."""
    try:
        application_move(
            application_id=application.pk, to_status=Status.SUBMITTED, actor=applicant, role=Actor.APPLICANT
        )
        for step in PATH.get(target, []):
            application_move(application_id=application.pk, to_status=step, actor=coordinator, role=Actor.COORDINATOR)
        if target == Status.ACCEPTED:
            application_move(
                application_id=application.pk, to_status=Status.ACCEPTED, actor=applicant, role=Actor.APPLICANT
            )
    except ApplicationError:
        return 1
    for criterion in Score.Criterion.values:
        Score.objects.get_or_create(
            application=application, scorer=coordinator, criterion=criterion, defaults={"value": rng.randint(2, 5)}
        )
    return 1
