"""Match rounds for `make run`: one published with its result (the demo applicant matched), and a
small open one over the demo queue's sessions.

Idempotent: the round is found by name, so a second run creates nothing. Needs the applications
demo (its sessions and submitted applications); without them it does nothing. Rank lists go
through the services, so they obey the same rules as the pages: the demo applicants rank the
sessions they applied to, and the coordinator has ranked the first session only, leaving the
second for whoever tries the demo.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts import demo as account_demo
from applicants.models import ApplicantProfile
from applications import demo as applications_demo
from applications.errors import ApplicationError
from applications.models import Application
from applications.services import application_move, application_save_draft, application_start
from applications.states import Actor, Status
from placements.models import Session

from .models import Round
from .querysets import rankable_applications
from .services import applicant_ranks_save, round_open, round_publish, session_ranks_save

DEMO_ROUND = "Summer 2027 sub-internship match"
PUBLISHED_ROUND = "Spring cardiology observership match"


def ensure_published_demo_round(now: dt.datetime | None = None) -> Round | None:
    """A round opened three weeks ago over the demo observership session, ranked by its applicants
    and the coordinator (demo applicant first), and published three days ago: the matched hold
    offers open for a week more, the others see that they were not matched."""
    if existing := Round.objects.filter(name=PUBLISHED_ROUND).first():
        return existing
    session = applications_demo.demo_sessions()["round"]
    applications = list(rankable_applications(Application.objects.filter(session=session)).select_related("applicant"))
    if not applications:
        return None
    coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
    now = now or timezone.now()
    opened = now - dt.timedelta(days=21)
    deadline = (now - dt.timedelta(days=4)).replace(hour=17, minute=0, second=0, microsecond=0)
    round = round_open(
        actor=coordinator,
        name=PUBLISHED_ROUND,
        session_ids=[session.pk],
        rank_deadline=deadline,
        publish_at=deadline + dt.timedelta(hours=16),
        offer_deadline=deadline + dt.timedelta(days=11),
        now=opened,
    )
    ranked_at = opened + dt.timedelta(days=7)
    for application in applications:
        applicant_ranks_save(
            round_id=round.pk, applicant=application.applicant, application_ids=[application.pk], now=ranked_at
        )
    demo_email = account_demo.APPLICANT.email
    # The demo applicant first, then the others as they applied: the demo login sees a match.
    applications.sort(key=lambda a: (a.applicant.email != demo_email, a.created_at))
    session_ranks_save(
        round_id=round.pk,
        session_id=session.pk,
        actor=coordinator,
        application_ids=[a.pk for a in applications],
        now=ranked_at,
    )
    return round_publish(round_id=round.pk, now=round.publish_at)


def ensure_demo_round(now: dt.datetime | None = None) -> Round | None:
    if existing := Round.objects.filter(name=DEMO_ROUND).first():
        return existing
    coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
    session_ids = sorted(
        set(
            rankable_applications(
                Application.objects.filter(session__listing__institution_id__in=coordinator.coordinator_institution_ids)
            ).values_list("session_id", flat=True)
        )
    )[:2]
    if not session_ids:
        return None
    now = now or timezone.now()
    deadline = (now + dt.timedelta(days=10)).replace(hour=17, minute=0, second=0, microsecond=0)
    round = round_open(
        actor=coordinator,
        name=DEMO_ROUND,
        session_ids=session_ids,
        rank_deadline=deadline,
        publish_at=deadline + dt.timedelta(hours=16),
        offer_deadline=deadline + dt.timedelta(days=8),
        now=now,
    )
    _apply_demo_applicant(session_ids, coordinator)
    by_applicant: dict[int, list[Application]] = {}
    for application in rankable_applications(Application.objects.filter(session_id__in=session_ids)).select_related(
        "applicant"
    ):
        by_applicant.setdefault(application.applicant_id, []).append(application)
    for own in by_applicant.values():
        applicant_ranks_save(
            round_id=round.pk,
            applicant=own[0].applicant,
            application_ids=[a.pk for a in sorted(own, key=lambda a: a.session_id)],
            now=now,
        )
    first = [a for own in by_applicant.values() for a in own if a.session_id == session_ids[0]]
    scores = dict(
        ApplicantProfile.objects.filter(user_id__in=[a.applicant_id for a in first]).values_list(
            "user_id", "step2ck_score"
        )
    )
    first.sort(key=lambda a: (-(scores.get(a.applicant_id) or 0), a.pk))  # a coordinator's plausible order
    session_ranks_save(
        round_id=round.pk, session_id=session_ids[0], actor=coordinator, application_ids=[a.pk for a in first], now=now
    )
    return round


def _apply_demo_applicant(session_ids: list[int], coordinator) -> None:
    """The demo applicant login applies to the round's sessions, so it has something to rank;
    a requirement the demo profile lacks leaves that application a draft (not in the round)."""
    applicant = account_demo.ensure_demo_user(account_demo.APPLICANT)
    for session_id in session_ids:
        if Application.objects.filter(applicant=applicant, session_id=session_id).exists():
            continue
        try:
            application = application_start(applicant=applicant, session=Session.objects.get(pk=session_id))
            application_save_draft(
                application=application,
                applicant=applicant,
                answers={},
                personal_statement=(
                    "I want to see how a US team runs its service before I apply to residency next year."
                ),
            )
            application_move(
                application_id=application.pk, to_status=Status.SUBMITTED, actor=applicant, role=Actor.APPLICANT
            )
        except ApplicationError:
            continue
