"""The listing filter's graduation-year rule, read from the listing's stored next start on PostgreSQL,
gives the same listings as asking the sessions, at any hour and whether or not the stored value is fresh."""

import datetime as dt
import zoneinfo

import pytest
from django.db.models import Q
from django.utils import timezone

from applicants.eligibility import _upcoming_session_within_limit, filter_eligible_listings
from placements import listing_dates
from placements.models import Listing
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def asking_the_sessions(profile, now):
    """The rule as written before: a session not archived, starting today (local) or later, within the limit."""
    years = Q(max_years_since_graduation__isnull=True) | Q(
        _upcoming_session_within_limit(profile.graduation_year, timezone.localdate(now))
    )
    return set(Listing.objects.filter(years).values_list("pk", flat=True))


def eligible(profile, now, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: now)
    return set(filter_eligible_listings(Listing.objects.all(), profile).values_list("pk", flat=True))


@pytest.fixture
def catalogue():
    """Listings with a limit whose sessions start today, tomorrow, around the new year, or are archived."""
    today = timezone.localdate()
    listings = []
    for limit in (None, 0, 1, 2, 3):
        for offsets, archived in (
            ((0,), False),
            ((1,), False),
            ((0, 400), False),
            ((0, 1), True),
            ((), False),
            ((-3, 2), False),
            ((30, 800), False),
        ):
            listing = ListingFactory(max_years_since_graduation=limit, visas=[])
            for days in offsets:
                # Windows that closed before the start (the rule looks at starts only).
                start = today + dt.timedelta(days=days)
                close = dt.datetime.combine(start - dt.timedelta(days=30), dt.time(12), tzinfo=dt.UTC)
                SessionFactory(
                    listing=listing,
                    start_date=start,
                    is_archived=archived,
                    applications_open_at=close - dt.timedelta(days=20),
                    applications_close_at=close,
                )
            listings.append(listing)
    return listings


def test_fresh_stored_dates_give_the_same_listings(catalogue, monkeypatch):
    now = timezone.now()
    for year in range(timezone.localdate().year - 4, timezone.localdate().year + 2):
        profile = ApplicantProfileFactory(graduation_year=year)
        assert eligible(profile, now, monkeypatch) == asking_the_sessions(profile, now)


@pytest.mark.parametrize("hour_utc", [1, 4, 12, 23])
def test_at_any_hour_of_new_york_evening_and_night(catalogue, monkeypatch, hour_utc):
    """Between 19:00 and midnight in New York the UTC date is already tomorrow: sessions starting
    today (local) are not in the stored next start, and still count."""
    today = timezone.localdate()
    now = dt.datetime.combine(today, dt.time(hour_utc), tzinfo=dt.UTC)
    if hour_utc < 5:
        now += dt.timedelta(days=1)  # 20:00 to 23:59 in New York: local today, UTC tomorrow
    # As the trigger stores them when the sessions are written at that hour (from the UTC date).
    listing_dates.recompute(Listing.objects.all(), at=now)
    for year in range(today.year - 3, today.year + 1):
        profile = ApplicantProfileFactory(graduation_year=year)
        assert eligible(profile, now, monkeypatch) == asking_the_sessions(profile, now), (hour_utc, year)


def test_stored_dates_that_have_passed_and_are_not_yet_refreshed(catalogue, monkeypatch):
    """After midnight the every-minute refresh may not have run: a stored start in the past, or
    computed a day earlier, still gives the sessions' answer."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Listing.objects.filter(pk__in=[listing.pk for listing in catalogue[::3]]).update(stored_next_start=yesterday)
    now = timezone.now()
    for year in range(timezone.localdate().year - 3, timezone.localdate().year + 1):
        profile = ApplicantProfileFactory(graduation_year=year)
        assert eligible(profile, now, monkeypatch) == asking_the_sessions(profile, now)


def test_a_rule_that_passes_and_one_that_fails_on_each_side(catalogue, monkeypatch):
    now = timezone.now()
    profile = ApplicantProfileFactory(graduation_year=timezone.localdate().year - 2)
    found = eligible(profile, now, monkeypatch)
    assert 0 < len(found) < len(catalogue)
