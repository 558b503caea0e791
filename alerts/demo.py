"""The demo applicant's saved searches and the alert one of them raised, for `make run`. Idempotent.

Made as a user's clicks would: two searches saved (`saved_search_create`), then a new listing
published at the demo coordinator's institution that the first one watches, then one run of the
matcher (`alerts.matching.match_saved_searches`) writing the alert. The seed's tick then delivers
it to the notification centre like any other alert (seed_demo).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts import demo as account_demo
from placements.models import Institution, Listing, Specialty, Visa
from placements.services import listing_create, listing_submit, session_create

from .matching import match_saved_searches
from .models import Alert, Frequency, SavedSearch
from .services import saved_search_create

DEMO_SOURCE = "USCE Portal demo alert"
NEW_LISTING = "Heart Failure Clinic Observership"
# (name, the search page's query string, frequency): the first is told at once, the second weekly.
SEARCHES = [
    ("Cardiology in Illinois", "specialty=cardiovascular-disease&state=IL", Frequency.IMMEDIATE),
    ("Observerships open to me, up to $2,000", "eligible=1&fee_max=2000&kind=observership", Frequency.WEEKLY),
]


def ensure_demo_alerts() -> int:
    """The demo applicant's two saved searches and one alert; returns how many alerts it created."""
    applicant = account_demo.ensure_demo_user(account_demo.APPLICANT)
    names = set(SavedSearch.objects.filter(owner=applicant).values_list("name", flat=True))
    for name, querystring, frequency in SEARCHES:
        if name not in names:
            saved_search_create(owner=applicant, name=name, querystring=querystring, frequency=frequency)
    if Listing.objects.filter(source=DEMO_SOURCE).exists():
        return 0
    _publish_new_listing()
    before = Alert.objects.filter(owner=applicant).count()
    match_saved_searches(now=timezone.now())
    return Alert.objects.filter(owner=applicant).count() - before


def _publish_new_listing() -> Listing:
    """A cardiology observership in Chicago, published after the searches were saved."""
    coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
    institution = Institution.objects.get(pk=min(coordinator.coordinator_institution_ids))
    listing = listing_create(
        institution=institution,
        created_by=coordinator,
        fields={
            "kind": Listing.Kind.OBSERVERSHIP,
            "title": NEW_LISTING,
            "specialty": Specialty.objects.get(slug="cardiovascular-disease"),
            "description": (
                f"Four weeks in {institution.name}'s heart failure clinic: outpatient visits with the attending, "
                "echo reading sessions and the weekly multidisciplinary heart team meeting."
            ),
            "hands_on_level": Listing.HandsOn.OBSERVATIONAL,
            "duration_weeks": 4,
            "programme_fee": Decimal("1500"),
            "application_fee": Decimal("75"),
            "refund_terms": "Full refund up to 30 days before the start; the application fee is not refunded.",
            "lor_offered": True,
            "certificate_offered": True,
            "accepts_students": True,
            "accepts_graduates": True,
            "source": DEMO_SOURCE,
            "last_verified_on": timezone.localdate(),
        },
        accepted_visas=Visa.objects.filter(code__in=["b1b2", "esta", "us"]),
        document_kinds=["cv", "passport"],
    )
    today = timezone.localdate()
    zone = ZoneInfo(institution.time_zone)
    start = today + dt.timedelta(days=120)
    session_create(
        listing=listing,
        actor=coordinator,
        fields={
            "start_date": start,
            "end_date": start + dt.timedelta(weeks=4, days=-1),
            "seats": 4,
            "applications_open_at": dt.datetime.combine(today - dt.timedelta(days=1), dt.time(9), zone),
            "applications_close_at": dt.datetime.combine(today + dt.timedelta(days=60), dt.time(17), zone),
            "offer_response_days": 10,
        },
    )
    listing_submit(listing=listing, actor=coordinator)
    listing.refresh_from_db()
    return listing
