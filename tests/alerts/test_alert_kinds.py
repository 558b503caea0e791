"""Each alert kind reaches the right applicants once, and nobody else."""

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse

from alerts.models import Alert, SavedSearch
from alerts.services import saved_search_update
from applicants.models import SavedListing
from applications.models import Application
from notifications.models import Notification, NotificationPreference, Reminder
from tests.alerts.factories import a_monday_at, applicant_in, publish, search
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import SessionFactory

pytestmark = pytest.mark.django_db

T0 = a_monday_at(6, 0)
MINUTE = dt.timedelta(minutes=1)


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def notifications_of(user, kind="saved_search_match"):
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


def test_a_texas_search_hears_of_a_texas_listing_and_an_ohio_search_does_not(tick):
    texan, ohioan = applicant_in(), applicant_in()
    search(texan, "state=TX", name="Texas")
    search(ohioan, "state=OH", name="Ohio")
    tick(T0)
    listing = publish(state="TX", at=T0 + MINUTE, title="Cardiology Observership Houston")

    tick(T0 + 5 * MINUTE)

    [message] = mails_to(texan)
    assert "Cardiology Observership Houston" in message.subject
    assert "List-Unsubscribe" in message.extra_headers
    [note] = notifications_of(texan)
    assert note.title == "New listing for “Texas”: Cardiology Observership Houston"
    assert note.url == reverse("placements:listing", args=[listing.pk])
    assert mails_to(ohioan) == [] and notifications_of(ohioan) == []

    tick(T0 + 10 * MINUTE)  # the next tick, the overlap included: nothing new
    assert len(mails_to(texan)) == 1 and len(notifications_of(texan)) == 1


def test_two_searches_matching_one_listing_give_one_alert(tick):
    applicant = applicant_in()
    search(applicant, "state=TX", name="Texas")
    search(applicant, "q=cardiology", name="Cardiology")
    tick(T0)
    publish(state="TX", at=T0 + MINUTE, title="Cardiology Observership")

    tick(T0 + 5 * MINUTE)

    assert len(mails_to(applicant)) == 1
    assert Alert.objects.filter(owner=applicant).count() == 1


def test_the_filters_of_the_search_are_those_of_the_results_page(tick):
    applicant = applicant_in()
    search(applicant, "state=TX&q=cardiology&kind=observership&fee_max=3000&duration=up-to-4&visa=j1")
    tick(T0)
    match = publish(state="TX", at=T0 + MINUTE, title="Cardiology Observership", kind="observership")
    publish(state="TX", at=T0 + MINUTE, title="Nephrology Observership", kind="observership")  # text
    publish(state="TX", at=T0 + MINUTE, title="Cardiology Elective", kind="elective")  # kind
    publish(state="TX", at=T0 + MINUTE, title="Cardiology Observership", kind="observership", programme_fee=5000)
    publish(state="TX", at=T0 + MINUTE, title="Cardiology Observership", kind="observership", duration_weeks=8)
    publish(state="TX", at=T0 + MINUTE, title="Cardiology Observership", kind="observership", visas=["b1b2"])

    tick(T0 + 5 * MINUTE)

    assert list(Alert.objects.filter(owner=applicant).values_list("listing_id", flat=True)) == [match.pk]


def test_only_where_eligible_is_respected(tick):
    student = applicant_in(training_stage="student")
    search(student, "state=TX&eligible=1", name="Eligible")
    tick(T0)
    publish(state="TX", at=T0 + MINUTE, title="Graduates only", accepts_students=False)
    open_to_students = publish(state="TX", at=T0 + MINUTE, title="Students welcome")

    tick(T0 + 5 * MINUTE)

    assert [a.listing_id for a in Alert.objects.filter(owner=student)] == [open_to_students.pk]
    [message] = mails_to(student)
    assert "Students welcome" in message.subject


def test_a_new_session_reaches_searchers_but_not_who_already_applied_to_the_listing(tick):
    applied, other = applicant_in(), applicant_in()
    search(applied, "state=TX", name="Texas")
    search(other, "state=TX", name="Texas")
    listing = publish(state="TX", at=T0 - dt.timedelta(days=30))
    ApplicationFactory(applicant=applied, session=listing.sessions.get(), status="submitted")
    tick(T0)

    session = SessionFactory(listing=listing, start_date=listing.sessions.get().start_date + dt.timedelta(days=60))
    tick(T0 + 5 * MINUTE)

    assert mails_to(applied) == []
    [alert] = Alert.objects.filter(owner=other)
    assert (alert.event, alert.session_id, alert.event_key) == ("new_session", session.pk, str(session.pk))
    [note] = notifications_of(other)
    assert note.title.startswith("New session for “Texas”")
    tick(T0 + 10 * MINUTE)
    assert len(mails_to(other)) == 1


def test_a_paused_search_is_silent_and_speaks_again_when_resumed(tick):
    applicant = applicant_in()
    texas = search(applicant, "state=TX", name="Texas")
    saved_search_update(saved_search=texas, paused=True)
    tick(T0)
    publish(state="TX", at=T0 + MINUTE)
    tick(T0 + 5 * MINUTE)
    assert mails_to(applicant) == [] and not Alert.objects.exists()

    saved_search_update(saved_search=texas, paused=False)
    SavedSearch.objects.filter(pk=texas.pk).update(watching_since=T0 + 6 * MINUTE)  # resumed then
    later = publish(state="TX", at=T0 + 7 * MINUTE)
    tick(T0 + 10 * MINUTE)
    assert [a.listing_id for a in Alert.objects.all()] == [later.pk]


def test_a_kind_switched_off_or_unsubscribed_is_silent(tick, client):
    switched, unsubscribed = applicant_in(), applicant_in()
    search(switched, "state=TX", name="Texas")
    search(unsubscribed, "state=TX", name="Texas")
    NotificationPreference.objects.create(user=switched, kind="saved_search_match", enabled=False)
    tick(T0)
    publish(state="TX", at=T0 + MINUTE)
    tick(T0 + 5 * MINUTE)
    assert mails_to(switched) == [] and notifications_of(switched) == []
    [first] = mails_to(unsubscribed)

    # One click in the message (RFC 8058: a POST to the List-Unsubscribe address) switches it off.
    link = first.extra_headers["List-Unsubscribe"].strip("<>")
    assert client.post(urlparse(link).path).status_code == 200
    assert NotificationPreference.objects.get(user=unsubscribed, kind="saved_search_match").enabled is False
    publish(state="TX", at=T0 + 6 * MINUTE)
    tick(T0 + 10 * MINUTE)
    assert len(mails_to(unsubscribed)) == 1
    assert Reminder.objects.filter(recipient=unsubscribed, status="skipped").count() == 1


def test_a_daily_digest_groups_the_days_alerts_in_one_message(tick):
    applicant = applicant_in("UTC")
    search(applicant, "state=TX", name="Texas", frequency="daily")
    search(applicant, "state=OH", name="Ohio", frequency="daily")
    tick(T0 - dt.timedelta(hours=2))
    first = publish(state="TX", at=T0 - dt.timedelta(hours=1), title="Houston Rotation")
    second = publish(state="OH", at=T0 - dt.timedelta(minutes=30), title="Columbus Rotation")
    tick(T0 - dt.timedelta(minutes=25))
    tick(T0)  # 06:00: the digest is due from 07:00
    assert mails_to(applicant) == []

    tick(T0 + dt.timedelta(hours=1, minutes=5))

    [message] = mails_to(applicant)
    assert message.subject == "2 new matches for your saved searches"
    assert "Houston Rotation" in message.body and "Columbus Rotation" in message.body
    [note] = notifications_of(applicant)
    assert note.title == "2 new matches for your saved searches"
    assert set(Alert.objects.values_list("listing_id", "digest_due")) == {
        (first.pk, T0.date()),
        (second.pk, T0.date()),
    }

    # Found after today's digest: tomorrow's, not a second message today.
    third = publish(state="TX", at=T0 + dt.timedelta(hours=2), title="Dallas Rotation")
    tick(T0 + dt.timedelta(hours=2, minutes=5))
    tick(T0 + dt.timedelta(hours=3))
    assert len(mails_to(applicant)) == 1
    tick(T0 + dt.timedelta(days=1, hours=1, minutes=5))
    assert len(mails_to(applicant)) == 2
    assert mails_to(applicant)[1].subject == "1 new match for your saved searches"
    assert Alert.objects.get(listing=third).digest_due == T0.date() + dt.timedelta(days=1)


def test_a_weekly_digest_waits_for_monday(tick):
    applicant = applicant_in("UTC")
    search(applicant, "state=TX", name="Texas", frequency="weekly")
    tuesday = T0 + dt.timedelta(days=1)
    tick(tuesday)
    publish(state="TX", at=tuesday + MINUTE)
    tick(tuesday + 5 * MINUTE)
    tick(tuesday + dt.timedelta(hours=3))
    assert mails_to(applicant) == []
    tick(T0 + dt.timedelta(days=7, hours=2))
    assert len(mails_to(applicant)) == 1


def test_a_saved_listing_window_opening_is_told_once_to_who_saved_it_and_has_not_applied(tick):
    saver, applied, bystander = applicant_in(), applicant_in(), applicant_in()
    listing = publish(state="TX", at=T0 - dt.timedelta(days=30), with_session=False, title="Boston Surgery")
    long_ago = T0 - dt.timedelta(days=200)
    SessionFactory(  # applied to, long ago
        listing=listing,
        start_date=long_ago.date(),
        applications_open_at=long_ago - dt.timedelta(days=60),
        applications_close_at=long_ago - dt.timedelta(days=30),
    )
    old = listing.sessions.get()
    Application.objects.create(applicant=applied, session=old, status="rejected", personal_statement="x")
    opening = SessionFactory(listing=listing, applications_open_at=T0 + dt.timedelta(minutes=3))
    for user in (saver, applied):
        SavedListing.objects.create(user=user, listing=listing)
    tick(T0)
    assert mails_to(saver) == []

    tick(T0 + 5 * MINUTE)

    [message] = mails_to(saver)
    assert message.subject == "Applications are open: Boston Surgery"
    [alert] = Alert.objects.filter(event="window_open")
    assert (alert.owner, alert.session) == (saver, opening)
    assert notifications_of(saver, "window_open")[0].title == "Applications are open: Boston Surgery"
    assert mails_to(applied) == [] and mails_to(bystander) == []
    tick(T0 + 10 * MINUTE)
    assert len(mails_to(saver)) == 1


def test_seats_coming_free_on_a_full_session_reach_savers_and_the_waitlist(tick):
    holder, saver, waiting, applied = applicant_in(), applicant_in(), applicant_in(), applicant_in()
    listing = publish(state="TX", at=T0 - dt.timedelta(days=30), with_session=False, title="Full Rotation")
    session = SessionFactory(listing=listing, seats=1)
    seat = ApplicationFactory(applicant=holder, session=session, status="accepted")
    ApplicationFactory(applicant=applied, session=session, status="submitted")
    ApplicationFactory(applicant=waiting, session=session, status="waitlisted")
    for user in (saver, applied):
        SavedListing.objects.create(user=user, listing=listing)
    tick(T0)  # full: remembered
    assert not Alert.objects.exists()

    Application.objects.filter(pk=seat.pk).update(status="withdrawn")
    tick(T0 + 5 * MINUTE)

    assert {a.owner for a in Alert.objects.filter(event="seats_free")} == {saver, waiting}
    assert mails_to(saver)[0].subject == "A seat came free: Full Rotation"
    assert len(mails_to(waiting)) == 1 and mails_to(applied) == [] and mails_to(holder) == []
    tick(T0 + 10 * MINUTE)
    assert len(mails_to(saver)) == 1


def test_a_session_that_was_never_full_frees_nothing(tick):
    saver = applicant_in()
    listing = publish(state="TX", at=T0 - dt.timedelta(days=30), with_session=False)
    session = SessionFactory(listing=listing, seats=2)
    seat = ApplicationFactory(session=session, status="accepted")
    SavedListing.objects.create(user=saver, listing=listing)
    tick(T0)
    Application.objects.filter(pk=seat.pk).update(status="withdrawn")
    tick(T0 + 5 * MINUTE)
    assert not Alert.objects.exists() and mails_to(saver) == []


def test_each_kind_has_its_switch_on_the_preferences_page(client):
    applicant = applicant_in()
    client.force_login(applicant)
    page = client.get(reverse("notifications:preferences")).content.decode()
    for label in (
        "New listings and sessions matching your saved searches",
        "Application windows opening for listings you saved",
        "Seats coming free on full sessions you saved or are waitlisted on",
    ):
        assert label in page


def test_a_listing_published_before_the_search_was_saved_is_not_news(tick):
    applicant = applicant_in()
    texas = search(applicant, "state=TX", name="Texas")
    SavedSearch.objects.filter(pk=texas.pk).update(watching_since=T0 + 2 * MINUTE)  # saved then
    tick(T0)
    publish(state="TX", at=T0 + MINUTE)  # on the results page when the search was saved
    tick(T0 + 5 * MINUTE)
    assert not Alert.objects.exists() and mails_to(applicant) == []


def test_a_deleted_search_leaves_its_waiting_digest_silent(tick):
    applicant = applicant_in("UTC")
    texas = search(applicant, "state=TX", name="Texas", frequency="daily")
    tick(T0 - dt.timedelta(hours=2))
    publish(state="TX", at=T0 - dt.timedelta(hours=1))
    tick(T0 - dt.timedelta(minutes=55))
    texas.delete()
    tick(T0 + dt.timedelta(hours=1, minutes=5))
    assert mails_to(applicant) == [] and notifications_of(applicant) == []
