"""The search's "Open for applications now" reads the listing's stored next deadline and opening
(placements.listing_dates): a change to a session's window shows in the results and the counts at
once, and the clock opening or shutting a window shows in the results at once and in the counts
from the next minute, also before the minute's refresh has reached a listing whose deadline passed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from placements import listing_dates, services
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_rendered_each_time")]
URL = reverse("placements:search")


def open_now(client) -> tuple[set[str], int, int]:
    """The titles listed with "open now" ticked, their count, and the flag's count unticked."""
    ticked = client.get(URL, {"open_now": "1"}).context["result"]
    unticked = client.get(URL).context["result"]
    return {listing.title for listing in ticked.page.object_list}, ticked.total, unticked.flags["open_now"].count


def window(opens_in: dt.timedelta, closes_in: dt.timedelta) -> dict:
    now = timezone.now()
    return {
        "start_date": timezone.localdate() + dt.timedelta(days=60),
        "applications_open_at": now + opens_in,
        "applications_close_at": now + closes_in,
    }


def shown(titles: set[str]) -> tuple[set[str], int, int]:
    return titles, len(titles), len(titles)


@pytest.fixture
def already_open(institution):
    listing = ListingFactory(institution=institution, title="Already Open")
    SessionFactory(listing=listing, **window(-dt.timedelta(days=10), dt.timedelta(days=30)))
    return listing


def later(monkeypatch, minutes: int = 3) -> dt.datetime:
    """Move the clock (no change to the catalogue, no refresh of the stored dates)."""
    at = timezone.now() + dt.timedelta(minutes=minutes)
    monkeypatch.setattr(timezone, "now", lambda: at)
    return at


def test_a_window_that_opens_shows_from_the_minute_it_opens(client, institution, already_open, monkeypatch):
    SessionFactory(
        listing=ListingFactory(institution=institution, title="Opening Soon"),
        **window(dt.timedelta(seconds=90), dt.timedelta(days=30)),
    )
    assert open_now(client) == shown({"Already Open"})

    later(monkeypatch)

    assert open_now(client) == shown({"Already Open", "Opening Soon"})


def test_a_window_that_shuts_leaves_at_once_though_the_refresh_has_not_run(
    client, institution, already_open, monkeypatch
):
    # Its stored deadline is about to pass: until the refresh, the listing is answered from its sessions.
    SessionFactory(
        listing=ListingFactory(institution=institution, title="Closing Soon"),
        **window(-dt.timedelta(days=10), dt.timedelta(seconds=90)),
    )
    # The same, with a later window not yet open: its stored opening (the first window's) has passed.
    between = ListingFactory(institution=institution, title="Between Windows")
    SessionFactory(listing=between, **window(-dt.timedelta(days=10), dt.timedelta(seconds=90)))
    SessionFactory(listing=between, **window(dt.timedelta(days=10), dt.timedelta(days=40)))
    # And one whose next window is already open when the first shuts.
    overlapping = ListingFactory(institution=institution, title="Overlapping Windows")
    SessionFactory(listing=overlapping, **window(-dt.timedelta(days=10), dt.timedelta(seconds=90)))
    SessionFactory(listing=overlapping, **window(-dt.timedelta(days=1), dt.timedelta(days=40)))
    assert open_now(client) == shown({"Already Open", "Closing Soon", "Between Windows", "Overlapping Windows"})

    at = later(monkeypatch)

    assert open_now(client) == shown({"Already Open", "Overlapping Windows"})
    assert listing_dates.refresh_due(at) == 3
    assert open_now(client) == shown({"Already Open", "Overlapping Windows"})


def test_an_archived_session_leaves_at_once(client, coordinator, already_open):
    assert open_now(client) == shown({"Already Open"})

    services.session_archive(session=already_open.sessions.get(), actor=coordinator)

    assert open_now(client) == shown(set())


def test_a_session_added_with_an_open_window_shows_at_once(client, coordinator, institution, already_open):
    listing = ListingFactory(institution=institution, title="New Session")
    SessionFactory(listing=listing, **window(dt.timedelta(days=5), dt.timedelta(days=30)))  # not open yet
    assert open_now(client) == shown({"Already Open"})

    services.session_create(
        listing=listing,
        actor=coordinator,
        fields={
            **window(-dt.timedelta(days=1), dt.timedelta(days=20)),
            "end_date": timezone.localdate() + dt.timedelta(days=87),
            "seats": 2,
            "offer_response_days": 7,
        },
    )

    assert open_now(client) == shown({"Already Open", "New Session"})


def test_a_changed_opening_shows_at_once(client, coordinator, institution, already_open):
    listing = ListingFactory(institution=institution, title="Moved Opening")
    session = SessionFactory(listing=listing, **window(dt.timedelta(days=5), dt.timedelta(days=30)))
    assert open_now(client) == shown({"Already Open"})

    # Only the opening changes (an UPDATE of that column alone on PostgreSQL: the trigger must see it).
    services.session_update(
        session=session, actor=coordinator, fields={"applications_open_at": timezone.now() - dt.timedelta(hours=1)}
    )
    assert open_now(client) == shown({"Already Open", "Moved Opening"})

    services.session_update(
        session=already_open.sessions.get(),
        actor=coordinator,
        fields={"applications_open_at": timezone.now() + dt.timedelta(days=1)},
    )
    assert open_now(client) == shown({"Moved Opening"})
