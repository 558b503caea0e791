"""What a reminder e-mail says: in the recipient's time zone, HTML and text, with unsubscribe headers."""

import datetime as dt

import pytest
from django.core import mail

from notifications.models import Notification
from tests.applicants.factories import add_document
from tests.notifications.factories import applicant_in, save_listing, session_closing_at

pytestmark = pytest.mark.django_db


def test_a_window_closing_email_reads_in_the_applicants_time_zone(tick):
    applicant = applicant_in("Asia/Kolkata")
    session = session_closing_at(dt.datetime(2027, 3, 31, 18, 45, tzinfo=dt.UTC))  # 1 April 00:15 in India
    save_listing(applicant, session.listing)

    tick(dt.datetime(2027, 3, 30, 19, 0, tzinfo=dt.UTC))  # 31 March 00:30 in India: one day before

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject == f"Applications for {session.listing.title} close Thu 1 Apr"
    assert "Thursday 1 April 2027, 12:15 AM" in message.body and "Asia/Kolkata" in message.body
    assert "Thursday 1 April 2027, 12:15 AM" in html
    assert message.alternatives[0][1] == "text/html"


def test_a_reminder_carries_one_click_unsubscribe_headers_and_links_to_its_notification(tick):
    applicant = applicant_in("Europe/Madrid")
    add_document(applicant, "background_check", expires_on=dt.date(2027, 5, 31))

    tick(dt.datetime(2027, 5, 2, 12, 0, tzinfo=dt.UTC))

    [message] = mail.outbox
    notification = Notification.objects.get(recipient=applicant)
    unsubscribe_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in unsubscribe_url and unsubscribe_url in message.body
    assert f"/notifications/{notification.pk}/" in message.body
    assert "expires on Monday 31 May 2027" in message.body


def test_the_in_app_message_links_to_the_listing(tick, client):
    from django.urls import reverse

    applicant = applicant_in("America/Chicago")
    session = session_closing_at(dt.datetime(2027, 3, 10, 22, 0, tzinfo=dt.UTC))
    save_listing(applicant, session.listing)
    tick(dt.datetime(2027, 3, 8, 12, 0, tzinfo=dt.UTC))
    notification = Notification.objects.get(recipient=applicant)
    client.force_login(applicant)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response["Location"] == reverse("placements:listing", args=[session.listing_id])
