"""The search's "deadline soonest" and "start date soonest" sorts read each listing's stored next
deadline and next start: a change to its sessions moves it at once, and a passed date gives way to
the next session's after the periodic refresh."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from placements import listing_dates, services
from placements.models import Listing, Session
from tests.placements.factories import ListingFactory, SessionFactory

# These read the page's order from its context; the sort's lag behind the clock through the
# rendered-output cache (a minute or two) is that cache's business.
pytestmark = pytest.mark.usefixtures("page_rendered_each_time")

URL = reverse("placements:search")


def order(client, sort):
    return [listing.title for listing in client.get(URL, {"sort": sort}).context["result"].page.object_list]


def _session_fields(days_to_start: int, days_to_close: int) -> dict:
    now = timezone.now()
    start = timezone.localdate() + dt.timedelta(days=days_to_start)
    return {
        "start_date": start,
        "end_date": start + dt.timedelta(days=27),
        "seats": 4,
        "applications_open_at": now - dt.timedelta(days=10),
        "applications_close_at": now + dt.timedelta(days=days_to_close),
        "offer_response_days": 7,
    }


@pytest.fixture
def two_listings(institution):
    later = ListingFactory(institution=institution, title="Cardiology Elective")
    sooner = ListingFactory(institution=institution, title="Neurology Rotation")
    SessionFactory(listing=later, **_session_fields(100, 60))
    SessionFactory(listing=sooner, **_session_fields(80, 40))
    return later, sooner


def test_the_date_sorts_follow_the_sessions(client, two_listings):
    assert order(client, "deadline") == ["Neurology Rotation", "Cardiology Elective"]
    assert order(client, "start") == ["Neurology Rotation", "Cardiology Elective"]


def test_a_new_session_moves_its_listing_up_at_once(client, coordinator, two_listings):
    later, _sooner = two_listings
    services.session_create(listing=later, actor=coordinator, fields=_session_fields(50, 20))
    assert order(client, "deadline") == ["Cardiology Elective", "Neurology Rotation"]
    assert order(client, "start") == ["Cardiology Elective", "Neurology Rotation"]


def test_a_changed_session_moves_its_listing_at_once(client, coordinator, two_listings):
    _later, sooner = two_listings
    session = sooner.sessions.get()
    services.session_update(session=session, actor=coordinator, fields=_session_fields(150, 120))
    assert order(client, "deadline") == ["Cardiology Elective", "Neurology Rotation"]
    assert order(client, "start") == ["Cardiology Elective", "Neurology Rotation"]


def test_an_archived_session_no_longer_counts(client, coordinator, two_listings):
    _later, sooner = two_listings
    services.session_archive(session=sooner.sessions.get(), actor=coordinator)
    # No live session left: it sorts after every listing that has one.
    assert order(client, "deadline") == ["Cardiology Elective", "Neurology Rotation"]
    assert order(client, "start") == ["Cardiology Elective", "Neurology Rotation"]
    sooner.refresh_from_db()
    assert sooner.stored_next_deadline is None and sooner.stored_next_start is None


def test_after_a_deadline_passes_the_refresh_uses_the_next_session(client, two_listings):
    later, sooner = two_listings
    # Neurology's first window closes in two days; its next cohort's in ninety.
    SessionFactory(listing=sooner, **_session_fields(130, 90))
    Session.objects.filter(listing=sooner, applications_close_at__lt=timezone.now() + dt.timedelta(days=50)).update(
        applications_close_at=timezone.now() + dt.timedelta(days=2)
    )
    listing_dates.recompute(Listing.objects.all())
    assert order(client, "deadline") == ["Neurology Rotation", "Cardiology Elective"]

    three_days_on = timezone.now() + dt.timedelta(days=3)
    assert listing_dates.refresh_due(three_days_on) == 1  # only the listing whose deadline passed
    assert order(client, "deadline") == ["Cardiology Elective", "Neurology Rotation"]
    sooner.refresh_from_db()
    assert sooner.stored_next_deadline == sooner.sessions.order_by("-applications_close_at")[0].applications_close_at


def test_after_a_start_date_passes_the_refresh_uses_the_next_session(client, two_listings):
    later, sooner = two_listings
    SessionFactory(listing=sooner, **_session_fields(200, 150))  # its next cohort
    assert order(client, "start") == ["Neurology Rotation", "Cardiology Elective"]
    # 90 days on, Neurology's first cohort (day 80) has started, Cardiology's (day 100) not yet.
    assert listing_dates.refresh_due(timezone.now() + dt.timedelta(days=90)) == 2  # both deadlines passed too
    sooner.refresh_from_db()
    assert sooner.stored_next_start == timezone.localdate() + dt.timedelta(days=200)
    assert order(client, "start") == ["Cardiology Elective", "Neurology Rotation"]


def test_after_a_long_stop_of_the_clock_every_due_listing_is_refreshed(client, institution, monkeypatch):
    # Due listings are recomputed in slices (a statement carries a bounded number of ids): with a
    # slice of 2, five due listings take three, and none is left with its passed dates.
    monkeypatch.setattr(listing_dates, "REFRESH_SLICE", 2)
    listings = [ListingFactory(institution=institution, title=f"Elective {n}") for n in range(5)]
    for listing in listings:
        SessionFactory(listing=listing, **_session_fields(80, 2))
        SessionFactory(listing=listing, **_session_fields(200, 150))
    listing_dates.recompute(Listing.objects.all())

    assert listing_dates.refresh_due(timezone.now() + dt.timedelta(days=3)) == 5
    nexts = {listing.stored_next_deadline.date() for listing in Listing.objects.filter(pk__in=[x.pk for x in listings])}
    assert nexts == {(timezone.now() + dt.timedelta(days=150)).date()}


def test_publishing_a_draft_recomputes_its_dates(client, coordinator, institution):
    draft = ListingFactory(institution=institution, title="Psychiatry Observership", status=Listing.Status.DRAFT)
    SessionFactory(listing=draft, **_session_fields(80, 40))
    Listing.objects.filter(pk=draft.pk).update(stored_next_deadline=timezone.now() - dt.timedelta(days=1))
    services.listing_submit(listing=draft, actor=coordinator)
    draft.refresh_from_db()
    assert draft.stored_next_deadline == draft.sessions.get().applications_close_at


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_a_bulk_update_of_sessions_is_seen_by_the_trigger(client, two_listings):
    _later, sooner = two_listings
    later_start = timezone.localdate() + dt.timedelta(days=300)
    Session.objects.filter(listing=sooner).update(start_date=later_start, end_date=later_start)
    assert order(client, "start") == ["Cardiology Elective", "Neurology Rotation"]


def test_the_scheduled_refresh_task_fixes_a_passed_value(client, two_listings):
    import placements.tasks  # noqa: F401  (the worker's autodiscovery imports it)
    from portal.celery import app

    periodic = PeriodicTask.objects.get(task="placements.refresh_listing_dates")
    assert periodic.enabled and periodic.interval.every == 1 and periodic.interval.period == "minutes"
    _later, sooner = two_listings
    Listing.objects.filter(pk=sooner.pk).update(stored_next_deadline=timezone.now() - dt.timedelta(minutes=1))
    assert app.tasks[periodic.task].apply().get() == 1
    sooner.refresh_from_db()
    assert sooner.stored_next_deadline == sooner.sessions.get().applications_close_at
