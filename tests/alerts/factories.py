import datetime as dt

from django.utils import timezone

from alerts.services import saved_search_create
from placements.models import Institution, Listing
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory


def applicant_in(zone: str = "UTC", **profile):
    return ApplicantProfileFactory(time_zone=zone, **profile).user


def search(owner, querystring: str, *, name: str | None = None, frequency: str = "immediate"):
    return saved_search_create(owner=owner, name=name or querystring, querystring=querystring, frequency=frequency)


def institution_in(state: str) -> Institution:
    return InstitutionFactory(state=state, city={"TX": "Houston", "OH": "Columbus"}.get(state, "Springfield"))


def publish(*, state: str, at: dt.datetime, with_session: bool = True, **fields) -> Listing:
    """A listing published at `at` (with one session open for applications, unless told)."""
    listing = ListingFactory(institution=institution_in(state), **fields)
    if with_session:
        SessionFactory(listing=listing)
    Listing.objects.filter(pk=listing.pk).update(published_at=at)
    listing.refresh_from_db()
    return listing


def a_monday_at(hour: int, minute: int = 0) -> dt.datetime:
    """The next Monday at hour:minute UTC, a few days from now (sessions from the factories start
    90 days ahead, so they are still to come)."""
    today = timezone.now().date()
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    return dt.datetime.combine(monday, dt.time(hour, minute), tzinfo=dt.UTC)
