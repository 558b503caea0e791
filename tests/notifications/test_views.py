"""The notification centre, preferences, unsubscribe links and the calendar feed, as users see them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import selectors, services
from notifications.models import CalendarFeed, Notification, NotificationPreference
from notifications.tokens import unsubscribe_token
from tests.applicants.factories import add_document
from tests.notifications.factories import NotificationFactory, save_listing, session_closing_at

pytestmark = pytest.mark.django_db


def test_the_header_bell_shows_the_unread_count(client, applicant, other_applicant):
    NotificationFactory.create_batch(3, recipient=applicant)
    NotificationFactory(recipient=applicant, read_at=timezone.now())
    NotificationFactory(recipient=other_applicant)
    client.force_login(applicant)

    page = client.get(reverse("home")).content.decode()
    badge = client.get(reverse("notifications:unread_count"), HTTP_HX_REQUEST="true").content.decode()

    assert f'hx-get="{reverse("notifications:unread_count")}"' in page
    assert '<span class="badge bell-count">3<span class="visually-hidden"> unread</span>' in badge


def test_the_bell_costs_a_page_no_query(client, applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    NotificationFactory.create_batch(3, recipient=applicant)
    client.force_login(applicant)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))

    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]


def test_the_list_shows_only_my_notifications(client, applicant, other_applicant):
    NotificationFactory(recipient=applicant, title="Applications for Cardiology Observership close soon")
    NotificationFactory(recipient=other_applicant, title="Your Passport expires on 1 Mar 2027")
    client.force_login(applicant)

    html = client.get(reverse("notifications:list")).content.decode()

    assert "Cardiology Observership" in html and "Passport" not in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_costs_the_same_queries_however_many_notifications(
    client, applicant, count, django_assert_max_num_queries
):
    NotificationFactory.create_batch(count, recipient=applicant)
    client.force_login(applicant)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:list"))

    assert response.status_code == 200


def test_marking_read_with_htmx_returns_the_item_without_the_new_badge(client, applicant):
    notification = NotificationFactory(recipient=applicant)
    client.force_login(applicant)

    response = client.post(reverse("notifications:read", args=[notification.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "New</span>" not in response.content.decode()
    notification.refresh_from_db()
    assert notification.is_read


def test_another_users_notification_cannot_be_read_or_opened(client, applicant, other_applicant):
    theirs = NotificationFactory(recipient=other_applicant)
    client.force_login(applicant)

    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_opening_a_notification_marks_it_read_and_goes_to_its_subject(client, applicant):
    notification = NotificationFactory(recipient=applicant, url="/placements/team/")
    offsite = NotificationFactory(recipient=applicant, url="https://evil.example.com/")
    client.force_login(applicant)

    response = client.get(reverse("notifications:open", args=[notification.pk]))
    offsite_response = client.get(reverse("notifications:open", args=[offsite.pk]))

    assert response.status_code == 302 and response["Location"] == "/placements/team/"
    assert offsite_response["Location"] == reverse("notifications:list")
    assert Notification.objects.unread().count() == 0


def test_mark_all_read_leaves_other_users_alone(client, applicant, other_applicant):
    NotificationFactory.create_batch(2, recipient=applicant)
    theirs = NotificationFactory(recipient=other_applicant)
    client.force_login(applicant)

    client.post(reverse("notifications:read_all"))

    assert not Notification.objects.for_user(applicant).unread().exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("notifications:list"))

    assert response.status_code == 302 and "login" in response["Location"]


def test_preferences_switch_a_kind_off_and_keep_the_rest(client, applicant):
    client.force_login(applicant)

    response = client.post(reverse("notifications:preferences"), {"on": ["all", "window_closing"]}, follow=True)

    assert "saved" in response.content.decode()
    preferences = selectors.preferences_for(user=applicant)
    assert preferences["all"] and preferences["window_closing"]
    assert not preferences["document_expiring"] and not preferences["pre_arrival"]
    assert "offer_deadline" not in preferences  # transactional: no switch
    assert "Answer the offer" not in response.content.decode()


def test_a_transactional_kind_or_an_unknown_one_cannot_be_switched_off(client, applicant):
    with pytest.raises(services.PreferenceError):
        services.preference_set(user=applicant, kind="offer_deadline", enabled=False)
    with pytest.raises(services.PreferenceError):
        services.preference_set(user=applicant, kind="no_such_kind", enabled=False)
    client.force_login(applicant)

    client.post(reverse("notifications:preferences"), {"on": []})

    assert not NotificationPreference.objects.filter(kind="offer_deadline").exists()


def test_one_click_unsubscribe_works_without_logging_in(client, applicant):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=applicant.pk, kind="window_closing")])

    asked = client.get(url)
    assert asked.status_code == 200 and "Unsubscribe from" in asked.content.decode()
    assert not NotificationPreference.objects.exists()  # a link scanner's GET changes nothing

    # RFC 8058: the mail client posts this body, without cookies or a CSRF token.
    client.handler.enforce_csrf_checks = True
    done = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200
    assert selectors.preferences_for(user=applicant)["window_closing"] is False
    assert selectors.preferences_for(user=applicant)["all"] is True


def test_unsubscribing_from_everything_from_the_same_link(client, applicant):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=applicant.pk, kind="window_closing")])

    client.post(url, {"scope": "all"})

    assert selectors.preferences_for(user=applicant)["all"] is False


def test_a_forged_unsubscribe_token_is_refused(client, applicant):
    forged = unsubscribe_token(user_id=applicant.pk, kind="window_closing")[:-3] + "abc"

    response = client.post(reverse("notifications:unsubscribe", args=[forged]))

    assert response.status_code == 404
    assert not NotificationPreference.objects.exists()


def test_the_private_calendar_lists_my_deadlines_without_logging_in(client, applicant):
    session = session_closing_at(timezone.now() + dt.timedelta(days=20))
    save_listing(applicant, session.listing)
    add_document(applicant, "passport", expires_on=timezone.localdate() + dt.timedelta(days=40))
    feed = services.calendar_feed_get_or_create(user=applicant)

    response = client.get(reverse("notifications:calendar", args=[feed.token]))

    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert f"Applications close: {session.listing.title}" in body
    assert "Passport expires" in body


def test_the_calendar_lists_letters_still_awaited_on_the_date_they_are_needed(client, applicant):
    from tests.letters.factories import LetterRequestFactory

    due = timezone.now() + dt.timedelta(days=9)
    LetterRequestFactory(applicant=applicant, writer_name="Dr. Ana Ruiz", due_at=due)
    LetterRequestFactory(applicant=applicant, writer_name="Dr. Ben Cole", due_at=due, status="declined")
    LetterRequestFactory(applicant=applicant, writer_name="Dr. Cy Dunn", due_at=None)
    LetterRequestFactory(writer_name="Dr. Someone Else's", due_at=due)
    feed = services.calendar_feed_get_or_create(user=applicant)

    body = client.get(reverse("notifications:calendar", args=[feed.token])).content.decode()

    assert "Letter due from Dr. Ana Ruiz" in body
    assert f"DTSTART:{due.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in body
    assert "Ben Cole" not in body and "Cy Dunn" not in body and "Someone Else" not in body


def test_revoking_the_calendar_address_stops_the_old_one(client, applicant):
    old = services.calendar_feed_get_or_create(user=applicant).token
    client.force_login(applicant)

    client.post(reverse("notifications:calendar_revoke"))
    client.logout()

    new = CalendarFeed.objects.get(user=applicant).token
    assert new != old
    assert client.get(reverse("notifications:calendar", args=[old])).status_code == 404
    assert client.get(reverse("notifications:calendar", args=[new])).status_code == 200


def test_a_coordinator_calendar_has_their_own_sessions_only(client, coordinator, other_coordinator):
    from tests.placements.factories import ListingFactory, SessionFactory

    mine = SessionFactory(
        listing=ListingFactory(
            institution=coordinator.memberships.get().institution, title="Lakeshore Cardiology Elective"
        )
    )
    SessionFactory(
        listing=ListingFactory(
            institution=other_coordinator.memberships.get().institution, title="Elsewhere Surgery Observership"
        )
    )
    feed = services.calendar_feed_get_or_create(user=coordinator)

    body = client.get(reverse("notifications:calendar", args=[feed.token])).content.decode()

    assert mine.listing.title in body and "Elsewhere Surgery" not in body


def test_the_preferences_page_shows_the_calendar_address(client, applicant):
    client.force_login(applicant)

    html = client.get(reverse("notifications:preferences")).content.decode()

    assert CalendarFeed.objects.get(user=applicant).token in html
    assert '<label for="pref-window_closing">' in html


def test_the_calendar_has_my_interview_and_offer_deadline(client, applicant):
    from applications.states import Status
    from tests.applications.factories import ApplicationFactory, SlotFactory

    interviewing = ApplicationFactory(applicant=applicant, status=Status.INTERVIEW)
    SlotFactory(session=interviewing.session, application=interviewing, where="https://meet.example.org/lakeshore")
    offered = ApplicationFactory(applicant=applicant, status=Status.OFFERED)
    feed = services.calendar_feed_get_or_create(user=applicant)

    body = client.get(reverse("notifications:calendar", args=[feed.token])).content.decode()

    assert f"Interview: {interviewing.session.listing.title}" in body
    assert f"Answer the offer: {offered.session.listing.title}" in body


def test_an_unsubscribe_link_cannot_switch_off_a_transactional_kind(client, applicant):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=applicant.pk, kind="offer_deadline")])

    assert client.post(url).status_code == 404
    assert not NotificationPreference.objects.exists()


def test_only_coordinators_are_offered_the_coordinators_digest_switch(client, applicant, coordinator):
    client.force_login(applicant)
    assert 'value="coordinator_digest"' not in client.get(reverse("notifications:preferences")).content.decode()
    client.force_login(coordinator)
    assert 'value="coordinator_digest"' in client.get(reverse("notifications:preferences")).content.decode()
