"""Who is due when: thresholds read in each recipient's own calendar, month ends included."""

import datetime as dt

import pytest

from applications import reminders as sources
from notifications import kinds
from placements.models import Listing
from tests.applicants.factories import add_document
from tests.notifications.factories import applicant_in, at, due_rows, save_listing, session_closing_at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2027, 2, 13), None),  # 15 days before: too early
        (dt.date(2027, 2, 14), dt.date(2027, 2, 14)),
        (dt.date(2027, 2, 24), dt.date(2027, 2, 14)),
        (dt.date(2027, 2, 25), dt.date(2027, 2, 25)),
        (dt.date(2027, 2, 27), dt.date(2027, 2, 27)),
        (dt.date(2027, 2, 28), dt.date(2027, 2, 27)),  # the deadline day itself: still the 1-day one
        (dt.date(2027, 3, 1), None),  # past the deadline
    ],
)
def test_the_latest_threshold_reached_is_the_one_due(today, expected):
    assert kinds.latest_threshold(deadline=dt.date(2027, 2, 28), today=today, days_before=(14, 3, 1)) == expected


def test_a_saved_listing_is_due_one_day_before_in_los_angeles_at_local_midnight():
    # Closes 1 March 06:00 UTC = 28 February 22:00 in Los Angeles: the local deadline day is the
    # last of February, so 'one day before' is 27 February, Pacific time.
    applicant = applicant_in("America/Los_Angeles")
    session = session_closing_at(at(2027, 3, 1, 6, 0))
    save_listing(applicant, session.listing)

    just_before_midnight = due_rows(sources.window_closing_due, at(2027, 2, 27, 7, 59))
    at_midnight = due_rows(sources.window_closing_due, at(2027, 2, 27, 8, 0))

    assert just_before_midnight[(applicant.pk, session.pk)] == dt.date(2027, 2, 25)  # still the 3-day one
    assert at_midnight[(applicant.pk, session.pk)] == dt.date(2027, 2, 27)


def test_the_same_deadline_falls_on_another_day_in_lagos_across_the_month_end():
    lagos = applicant_in("Africa/Lagos")
    los_angeles = applicant_in("America/Los_Angeles")
    session = session_closing_at(at(2027, 3, 1, 6, 0))  # 07:00 on 1 March in Lagos
    save_listing(lagos, session.listing)
    save_listing(los_angeles, session.listing)

    rows = due_rows(sources.window_closing_due, at(2027, 2, 27, 23, 0))  # 00:00 on 28 Feb in Lagos

    # Lagos: deadline day 1 March, so 'one day before' is 28 February. Los Angeles (15:00 on 27
    # February): deadline day 28 February, so the one-day reminder is already due, dated the 27th.
    assert rows[(lagos.pk, session.pk)] == dt.date(2027, 2, 28)
    assert rows[(los_angeles.pk, session.pk)] == dt.date(2027, 2, 27)


def test_a_leap_day_is_the_day_before_the_first_of_march():
    applicant = applicant_in("America/New_York")
    session = session_closing_at(at(2028, 3, 1, 20, 0))
    save_listing(applicant, session.listing)

    assert due_rows(sources.window_closing_due, at(2028, 2, 29, 12, 0))[(applicant.pk, session.pk)] == dt.date(
        2028, 2, 29
    )


def test_an_applicant_without_a_profile_gets_the_portal_time_zone(settings):
    from tests.accounts.factories import UserFactory

    settings.TIME_ZONE = "America/New_York"
    applicant = UserFactory()
    session = session_closing_at(at(2027, 3, 1, 6, 0))  # 1 March 01:00 in New York
    save_listing(applicant, session.listing)

    rows = due_rows(sources.window_closing_due, at(2027, 2, 28, 5, 0))  # 00:00 on 28 Feb in New York

    assert rows[(applicant.pk, session.pk)] == dt.date(2027, 2, 28)


def test_nobody_is_reminded_of_a_closed_window_an_unpublished_listing_or_a_listing_they_did_not_save():
    saver = applicant_in("America/Chicago")
    applicant_in("America/Chicago")  # saved nothing
    closed = session_closing_at(at(2027, 2, 1, 12, 0))
    archived = session_closing_at(at(2027, 2, 20, 12, 0))
    Listing.objects.filter(pk=archived.listing_id).update(status=Listing.Status.ARCHIVED)
    save_listing(saver, closed.listing)
    save_listing(saver, archived.listing)

    assert due_rows(sources.window_closing_due, at(2027, 2, 15, 12, 0)) == {}


def test_each_open_session_of_a_saved_listing_is_its_own_reminder():
    applicant = applicant_in("Asia/Kolkata")
    first = session_closing_at(at(2027, 3, 10, 12, 0))
    second = session_closing_at(at(2027, 3, 20, 12, 0), listing=first.listing)
    save_listing(applicant, first.listing)

    rows = due_rows(sources.window_closing_due, at(2027, 3, 9, 12, 0))

    assert rows == {(applicant.pk, first.pk): dt.date(2027, 3, 9), (applicant.pk, second.pk): dt.date(2027, 3, 6)}


def test_a_document_is_due_thirty_days_before_it_expires_in_honolulu_time():
    applicant = applicant_in("Pacific/Honolulu")
    document = add_document(applicant, "passport", expires_on=dt.date(2027, 3, 31)).document

    assert due_rows(sources.document_expiring_due, at(2027, 3, 1, 9, 59)) == {}  # 23:59 on 28 Feb in Honolulu
    assert due_rows(sources.document_expiring_due, at(2027, 3, 1, 10, 0)) == {
        (applicant.pk, document.pk): dt.date(2027, 3, 1)
    }
    assert due_rows(sources.document_expiring_due, at(2027, 3, 24, 12, 0)) == {
        (applicant.pk, document.pk): dt.date(2027, 3, 24)
    }


def test_a_renewed_document_or_one_without_an_expiry_is_not_due():
    applicant = applicant_in("Europe/London")
    from tests.applicants.factories import add_version

    version = add_document(applicant, "passport", expires_on=dt.date(2027, 3, 31))
    add_version(version.document, expires_on=dt.date(2037, 3, 31))
    add_document(applicant, "cv")

    assert due_rows(sources.document_expiring_due, at(2027, 3, 10, 12, 0)) == {}
