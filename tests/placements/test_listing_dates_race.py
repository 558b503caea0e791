"""Two coordinators changing sessions of the same listing at once, on PostgreSQL with real threads:
the listing's stored next start and "open now" (placements.listing_dates) must count both sessions.

Transaction A changes a session and holds before its commit; B changes another session of the same
listing, and its recompute waits for A's lock on the listing row; A commits, then B. B's recompute
must read A's session too: a recompute that read the sessions as of before that wait (one UPDATE
with its subqueries on the statement's snapshot) kept only B's session, and the listing showed B's
later start and B's not-yet-open window until its sessions next changed. The minute's refresh
(`refresh_due`) waiting for a coordinator's lock must read that coordinator's session too.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from placements import listing_dates, services
from placements.models import Session
from tests.applications.concurrency import (  # noqa: F401 - the fixtures apply to this module
    RACES,
    a_then_b,
    reseed_after_the_module,
    seeded_specialty,
)
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = [*RACES, pytest.mark.usefixtures("page_rendered_each_time")]
URL = reverse("placements:search")


def _fields(days_to_start: int, opens_in_days: int) -> dict:
    now = timezone.now()
    start = timezone.localdate() + dt.timedelta(days=days_to_start)
    return {
        "start_date": start,
        "end_date": start + dt.timedelta(days=27),
        "seats": 4,
        "applications_open_at": now + dt.timedelta(days=opens_in_days),
        "applications_close_at": now + dt.timedelta(days=days_to_start - 30),
        "offer_response_days": 7,
    }


# A's session: starts in 80 days, open now. B's: starts in 100 days, opens in 20 days.
A_FIELDS, B_FIELDS = _fields(80, -10), _fields(100, 20)
# Where both sessions stood before, in the scenarios that change existing sessions.
FAR_OFF = _fields(200, 100)


def _create(coordinator, listing, fields):
    return lambda: services.session_create(listing=listing, actor=coordinator, fields=fields)


def _new_sessions(coordinator, listing):
    return _create(coordinator, listing, A_FIELDS), _create(coordinator, listing, B_FIELDS)


def _unarchived_sessions(coordinator, listing):
    a, b = (SessionFactory(listing=listing, is_archived=True, **fields) for fields in (A_FIELDS, B_FIELDS))
    # The coordinator's "restore" is a raw update: the trigger sees those too.
    return (
        lambda: Session.objects.filter(pk=a.pk).update(is_archived=False),
        lambda: Session.objects.filter(pk=b.pk).update(is_archived=False),
    )


def _moved_sessions(coordinator, listing):
    a, b = (SessionFactory(listing=listing, **FAR_OFF) for _ in range(2))

    def update(session, fields):
        return lambda: services.session_update(session=session, actor=coordinator, fields=fields)

    return update(a, A_FIELDS), update(b, B_FIELDS)


@pytest.mark.parametrize("changes", [_new_sessions, _unarchived_sessions, _moved_sessions])
def test_two_session_changes_at_once_both_count_in_the_listings_dates(client, institution, coordinator, changes):
    listing = ListingFactory(institution=institution, title="Cardiology Elective")
    # A rival that starts between the two sessions, open now.
    SessionFactory(listing=ListingFactory(institution=institution, title="Neurology Rotation"), **_fields(90, -10))

    # Otherwise the two did not overlap and the test proves nothing.
    assert a_then_b(*changes(coordinator, listing)), "B's recompute never waited for A's lock on the listing"

    listing.refresh_from_db()
    sessions = Session.objects.filter(listing=listing).values(
        "start_date", "applications_open_at", "applications_close_at", "is_archived"
    )
    from_all_sessions = listing_dates.of_sessions(sessions, timezone.now())
    assert from_all_sessions["stored_next_start"] == A_FIELDS["start_date"]
    assert {name: getattr(listing, name) for name in from_all_sessions} == from_all_sessions
    # What a visitor sees: it starts before its rival, and it is open for applications now.
    page = client.get(URL, {"sort": "start"}).context["result"].page
    assert [row.title for row in page.object_list] == ["Cardiology Elective", "Neurology Rotation"]
    open_now = client.get(URL, {"open_now": "1"}).context["result"].page
    assert {row.title for row in open_now.object_list} == {"Cardiology Elective", "Neurology Rotation"}


def _window(days_to_start: int, opens_in: dt.timedelta, closes_in: dt.timedelta) -> dict:
    now = timezone.now()
    return {
        **_fields(days_to_start, 0),
        "applications_open_at": now + opens_in,
        "applications_close_at": now + closes_in,
    }


def test_a_session_added_while_the_refresh_waits_counts_in_the_listings_dates(
    client, institution, coordinator, monkeypatch
):
    """The minute's refresh runs while a coordinator's transaction adding a session is still open.

    The listing's stored deadline (its first window's, closing in a minute and a half) was ahead when
    A's trigger recomputed it and has passed at the refresh's time: the listing is due to the refresh,
    which waits for A's lock on the row. It must read A's session once A commits: a refresh that read
    the sessions as of before that wait skipped it, and the listing showed its far-off later window's
    dates (not open, a later start) until that deadline passed."""
    listing = ListingFactory(institution=institution, title="Cardiology Elective")
    SessionFactory(listing=listing, **_window(60, -dt.timedelta(days=10), dt.timedelta(seconds=90)))
    SessionFactory(listing=listing, **_window(200, dt.timedelta(days=100), dt.timedelta(days=170)))
    # A rival that starts between the added session and the listing's others, open now.
    SessionFactory(
        listing=ListingFactory(institution=institution, title="Neurology Rotation"),
        **_window(50, -dt.timedelta(days=10), dt.timedelta(days=20)),
    )
    added = _window(40, -dt.timedelta(days=1), dt.timedelta(days=10))
    at = timezone.now() + dt.timedelta(minutes=3)
    refreshed: list[int] = []

    waited = a_then_b(
        _create(coordinator, listing, added),
        lambda: refreshed.append(listing_dates.refresh_due(at)),
    )

    assert waited, "the refresh never waited for the coordinator's lock on the listing"

    assert refreshed == [1]
    monkeypatch.setattr(timezone, "now", lambda: at)
    listing.refresh_from_db()
    sessions = Session.objects.filter(listing=listing).values(
        "start_date", "applications_open_at", "applications_close_at", "is_archived"
    )
    from_all_sessions = listing_dates.of_sessions(sessions, at)
    assert from_all_sessions["stored_next_deadline"] == added["applications_close_at"]
    assert {name: getattr(listing, name) for name in from_all_sessions} == from_all_sessions
    # What a visitor sees: it starts before its rival, and it is open for applications now.
    page = client.get(URL, {"sort": "start"}).context["result"].page
    assert [row.title for row in page.object_list] == ["Cardiology Elective", "Neurology Rotation"]
    open_now = client.get(URL, {"open_now": "1"}).context["result"].page
    assert {row.title for row in open_now.object_list} == {"Cardiology Elective", "Neurology Rotation"}
