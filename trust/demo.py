"""Demo data for the trust features: a year of decided applications behind a few listings (so their
responsiveness shows and the "answers fastest" sort has something to order), a letterhead and a
visa letter at the demo coordinator's institution, a corrected and an open report, and listings
confirmed recently, long ago, or never.

Idempotent: history is written once per listing (its past session is the marker), the rest with
get_or_create. The history is written as rows, back-dated, because the state machine refuses moves
into sessions already closed; what the figures read (submission times and events) is the same.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from accounts import demo as account_demo
from applications.models import Application, ApplicationEvent
from applications.states import Actor, Status
from placements.models import Listing, Session

from .models import InstitutionLetterhead, ListingReport
from .responsiveness import responsiveness_refresh
from .services import TrustError, listing_report_create, listing_report_resolve, visa_letter_issue

# Past applicants are not @demo.usce-portal.org: the other demo loaders give each of those more data.
PAST_DOMAIN = "applicants.example.org"
# (typical days to a decision, how many decided applications) for the first listings of the catalogue.
SPEEDS = [(3, 8), (6, 7), (11, 9), (19, 6), (33, 8), (45, 3)]


def ensure_demo_trust() -> None:
    coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
    admin = account_demo.ensure_demo_user(account_demo.ADMIN)
    applicant = account_demo.ensure_demo_user(account_demo.APPLICANT)
    listings = list(Listing.objects.published().select_related("institution").order_by("pk")[: len(SPEEDS) + 4])
    if not listings:
        return
    rng = random.Random(23)
    for listing, (days, count) in zip(listings, SPEEDS):
        _history(listing, days=days, count=count, rng=rng)
    _freshness(listings)
    _reports(listings, reporter=applicant, admin=admin)
    _visa_letter(coordinator)
    responsiveness_refresh()
    if connection.vendor == "postgresql":
        # Updating listings inserted in the same transaction queues deferred foreign-key checks, and
        # PostgreSQL refuses the catalogue loader's ALTER TABLE while any are pending (a second load
        # in one transaction, as tests do): run them now, then defer again as Django expects.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _history(listing: Listing, *, days: int, count: int, rng: random.Random) -> None:
    today = timezone.localdate()
    start = today - dt.timedelta(days=120)
    session, created = Session.objects.get_or_create(
        listing=listing,
        start_date=start,
        defaults={
            "end_date": start + dt.timedelta(weeks=listing.duration_weeks) - dt.timedelta(days=1),
            "seats": 4,
            "applications_open_at": timezone.now() - dt.timedelta(days=300),
            "applications_close_at": timezone.now() - dt.timedelta(days=150),
            "is_archived": True,
        },
    )
    if not created:
        return
    users = get_user_model()
    # The first decision of each decided application, and where the history ends after it.
    outcomes = [
        (Status.OFFERED, Status.COMPLETED),
        (Status.REJECTED, Status.REJECTED),
        (Status.WAITLISTED, Status.REJECTED),
        (Status.OFFERED, Status.DECLINED),
        (Status.REJECTED, Status.REJECTED),
    ]
    for i in range(count + 2):
        user, _ = users.objects.get_or_create(
            email=f"past.{listing.pk}.{i}@{PAST_DOMAIN}", defaults={"full_name": f"Past Applicant {i + 1}"}
        )
        submitted = timezone.now() - dt.timedelta(days=rng.randint(160, 280), hours=rng.randint(0, 23))
        events = [(Actor.APPLICANT, Status.DRAFT, Status.SUBMITTED, submitted)]
        if i < count:
            first, final = outcomes[i % len(outcomes)]
            at = submitted + dt.timedelta(days=max(0.5, rng.gauss(days, days / 3)))
            events.append((Actor.COORDINATOR, Status.SUBMITTED, first, at))
            later = at + dt.timedelta(days=2)
            if final == Status.COMPLETED:
                events += [
                    (Actor.APPLICANT, first, Status.ACCEPTED, later),
                    (Actor.COORDINATOR, Status.ACCEPTED, final, later),
                ]
            elif final != first:
                events.append((Actor.APPLICANT if final == Status.DECLINED else Actor.COORDINATOR, first, final, later))
        else:
            final = Status.WITHDRAWN
            events.append((Actor.APPLICANT, Status.SUBMITTED, final, submitted + dt.timedelta(days=40)))
        application = Application.objects.create(
            applicant=user, session=session, status=final, submitted_at=submitted, created_at=submitted
        )
        ApplicationEvent.objects.bulk_create(
            ApplicationEvent(application=application, actor_role=role, from_status=a, to_status=b, created_at=at)
            for role, a, b, at in events
        )


def _freshness(listings: list[Listing]) -> None:
    today = timezone.localdate()
    # Two confirmed lately, one long ago (shown as possibly out of date), the rest as they are.
    for listing, age in zip(listings, [3, 40, 220]):
        Listing.objects.filter(pk=listing.pk).update(last_verified_on=today - dt.timedelta(days=age))


def _reports(listings: list[Listing], *, reporter, admin) -> None:
    listing = listings[-1]
    if ListingReport.objects.filter(listing=listing).exists():
        return
    corrected = listing_report_create(
        listing=listing,
        reporter=reporter,
        field="costs",
        note="The application fee is $150 on their website, not $100.",
    )
    listing_report_resolve(
        report_id=corrected.pk, actor=admin, status="corrected", resolution="The programme updated the fee."
    )
    listing_report_create(
        listing=listings[-2], reporter=reporter, field="visas", note="Their office told me J-1 is no longer accepted."
    )


def _accepted_application(institution_ids) -> Application | None:
    """An applicant who accepted a place in an upcoming session, written as history rows."""
    session = (
        Session.objects.filter(listing__institution_id__in=institution_ids, start_date__gt=timezone.localdate())
        .exclude(start_date__lte=timezone.localdate())
        .order_by("start_date", "pk")
        .first()
    )
    if session is None:
        return None
    user, _ = get_user_model().objects.get_or_create(
        email=f"nadia.rahman@{PAST_DOMAIN}", defaults={"full_name": "Nadia Rahman"}
    )
    submitted = timezone.now() - dt.timedelta(days=30)
    application, created = Application.objects.get_or_create(
        applicant=user, session=session, defaults={"status": Status.ACCEPTED, "submitted_at": submitted}
    )
    if created:
        steps = [
            (Actor.APPLICANT, Status.DRAFT, Status.SUBMITTED, 0),
            (Actor.COORDINATOR, Status.SUBMITTED, Status.OFFERED, 6),
        ]
        steps.append((Actor.APPLICANT, Status.OFFERED, Status.ACCEPTED, 8))
        ApplicationEvent.objects.bulk_create(
            ApplicationEvent(
                application=application,
                actor_role=role,
                from_status=a,
                to_status=b,
                created_at=submitted + dt.timedelta(days=days),
            )
            for role, a, b, days in steps
        )
    return application


def _visa_letter(coordinator) -> None:
    institution_ids = coordinator.coordinator_institution_ids
    for institution_id in institution_ids:
        InstitutionLetterhead.objects.get_or_create(
            institution_id=institution_id,
            defaults={
                "letterhead": "Office of Graduate Medical Education\n1 Hospital Plaza\nTelephone +1 555 0100",
                "signatory_name": coordinator.get_full_name(),
                "signatory_title": "Director, Visiting Physicians Programme",
                "updated_by": coordinator,
            },
        )
    accepted = (
        Application.objects.filter(session__listing__institution_id__in=institution_ids, status=Status.ACCEPTED)
        .order_by("pk")
        .first()
    )
    if accepted is None:
        accepted = _accepted_application(institution_ids)
    if accepted is None:
        return
    try:
        visa_letter_issue(
            application_id=accepted.pk,
            actor=coordinator,
            passport_number="P" + str(4_100_000 + accepted.pk),
            costs="Programme fee and application fee as listed",
            paid_by="The visitor, from personal funds",
        )
    except TrustError:
        pass  # a letter already in force, or a profile the demo cannot complete: nothing to add
