"""The outbox: the one sender, messages recorded with their cause, expiry, the operator's view."""

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from notifications import conf, outbox
from notifications.models import Reminder
from tests.notifications import backends
from tests.notifications.factories import applicant_in, save_listing, session_closing_at

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2027, 3, 7, 15, 0, tzinfo=dt.UTC)
FLAKY = "tests.notifications.backends.FlakyBackend"
# Importing the mail module, or calling its senders (a `def send_mail` override is not a call).
MAIL_API = re.compile(
    r"^\s*(from|import)\s+django\.core(\.mail\b| import .*\bmail\b)"
    r"|(?<!def )\b(send_mail|send_mass_mail|mail_admins|mail_managers)\(|\.send_messages\(|EmailMessage\(",
    re.MULTILINE,
)


def test_the_outbox_is_the_only_code_that_calls_djangos_mail_api():
    callers = sorted(
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] not in {".venv", "tests", "var", "node_modules", "bench"}
        and MAIL_API.search(path.read_text(encoding="utf-8"))
    )
    assert callers == ["notifications/outbox.py"]


@pytest.mark.django_db
def test_a_message_recorded_in_a_rolled_back_change_is_never_sent(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox.message_enqueue(
                kind="account_email",
                key="account:rolled-back",
                subject_type="account.email",
                subject_id=0,
                recipient_email=applicant.email,
                payload={"subject": "Hello", "text": "Body"},
            )
            raise RuntimeError("the change fails")

    assert not Reminder.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_one_key_recorded_twice_is_one_message_sent_once(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # a double click
            outbox.message_enqueue(
                kind="account_email",
                key="account:once",
                subject_type="account.email",
                subject_id=0,
                recipient_email=applicant.email,
                payload={"subject": "Confirm your address", "text": "https://example.org/one-time-link"},
            )

    assert [m.subject for m in mail.outbox] == ["Confirm your address"]
    assert mail.outbox[0].extra_headers[outbox.MESSAGE_HEADER] == str(Reminder.objects.get().pk)
    row = Reminder.objects.get()
    assert row.status == "sent" and row.sent_at is not None
    assert "text" not in row.payload, "the one-time link is not kept once sent"


@pytest.fixture
def due_applicants():
    session = session_closing_at(dt.datetime(2027, 3, 10, 22, 0, tzinfo=dt.UTC))
    applicants = [applicant_in(zone) for zone in ("America/New_York", "Africa/Lagos")]
    for applicant in applicants:
        save_listing(applicant, session.listing)
    return applicants


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=FLAKY)
def test_an_outage_past_the_deadline_expires_the_reminder_with_its_reason_and_never_sends_it_late(tick, due_applicants):
    backends.state["failures_left"] = 10_000
    tick(NOW)
    for hours in range(1, 90, 1):  # every tick of a long outage: hourly retries, none succeeds
        tick(NOW + dt.timedelta(hours=hours))
    backends.state["failures_left"] = 0
    tick(NOW + dt.timedelta(days=4))

    assert mail.outbox == []
    rows = list(Reminder.objects.values_list("status", "closed_reason", "last_error_class"))
    assert len(rows) == 4  # the 3-day and the 1-day reminder of each applicant
    assert set(rows) == {("expired", "Its deadline passed before it could be sent.", "ConnectionRefusedError")}


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=FLAKY)
def test_an_outage_of_a_day_ends_with_every_reminder_sent_once_and_the_error_kept(tick, due_applicants):
    backends.state["failures_left"] = 10_000
    tick(NOW)
    for hours in range(1, 25):
        tick(NOW + dt.timedelta(hours=hours))
    backends.state["failures_left"] = 0
    tick(NOW + dt.timedelta(hours=26))

    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.email for a in due_applicants)
    sent = Reminder.objects.filter(status="sent")
    assert sent.count() == 2
    assert all(row.attempts > 6 and "SMTP server refused" in row.last_error for row in sent)


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=FLAKY)
def test_identical_failures_are_logged_once_with_a_count(tick, due_applicants, caplog):
    backends.state["failures_left"] = 10_000
    with caplog.at_level(logging.WARNING, logger="notifications.outbox"):
        tick(NOW)
    backends.state["failures_left"] = 0

    first, summary = caplog.records
    assert first.getMessage() == "outbox send failed"
    assert (first.kind, first.attempt, first.error_class) == ("window_closing", 1, "ConnectionRefusedError")
    assert first.message_id in Reminder.objects.values_list("pk", flat=True)
    assert summary.getMessage() == "outbox send failed (repeated)" and summary.count == 2


@pytest.mark.django_db
def test_admins_retry_and_cancel_in_bulk(tick, due_applicants):
    tick(NOW, deliver=False)
    first, second = Reminder.objects.order_by("pk")
    Reminder.objects.filter(pk=first.pk).update(status="failed", last_error="X: y", last_error_class="X")

    assert outbox.outbox_cancel(message_ids=[second.pk]) == 1
    assert outbox.outbox_retry(message_ids=[first.pk, second.pk]) == 1  # a cancelled one stays cancelled
    assert dict(Reminder.objects.values_list("pk", "status")) == {first.pk: "pending", second.pk: "cancelled"}


def test_start_up_refuses_a_lease_shorter_than_the_task_time_limit():
    with (
        override_settings(NOTIFICATIONS_CLAIM_LEASE_SECONDS=200),
        pytest.raises(ImproperlyConfigured, match="CLAIM_LEASE"),
    ):
        conf.check_bounds()
    with override_settings(EMAIL_TIMEOUT=None), pytest.raises(ImproperlyConfigured, match="EMAIL_TIMEOUT"):
        conf.check_bounds()
    conf.check_bounds()  # the defaults nest


@pytest.mark.django_db
def test_the_admin_page_answers_is_mail_going_out(client, admin_user, applicant, tick, due_applicants):
    tick(NOW, deliver=False)
    failing = Reminder.objects.order_by("pk").first()
    Reminder.objects.filter(pk=failing.pk).update(
        last_error="SMTPServerDisconnected: Connection unexpectedly closed", last_error_class="SMTPServerDisconnected"
    )
    client.force_login(admin_user)

    html = client.get(reverse("admin:notifications_reminder_changelist")).content.decode()

    assert "Is mail going out?" in html and "Oldest waiting message" in html
    assert "SMTPServerDisconnected" in html and f"#{failing.pk}" in html
    client.force_login(applicant)
    assert client.get(reverse("admin:notifications_reminder_changelist")).status_code == 302


@pytest.mark.django_db
def test_metrics_are_not_public(client):
    assert client.get(reverse("metrics")).status_code == 404  # not configured
    with override_settings(PORTAL_METRICS_TOKEN="s3cret-token"):
        assert client.get(reverse("metrics")).status_code == 403
        assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer wrong").status_code == 403


@pytest.mark.django_db
def test_metrics_tell_what_is_sent_pending_and_failing(client, tick, due_applicants):
    tick(NOW, deliver=False)
    Reminder.objects.filter(pk=Reminder.objects.order_by("pk").first().pk).update(
        status="sent", sent_at=NOW, attempts=1
    )
    Reminder.objects.exclude(status="sent").update(attempts=2, last_error="E: x", last_error_class="SMTPDataError")

    with override_settings(PORTAL_METRICS_TOKEN="s3cret-token"):
        response = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer s3cret-token")
    with override_settings(PORTAL_METRICS_ALLOW=["127.0.0.1"]):
        assert client.get(reverse("metrics")).status_code == 200

    body = response.content.decode()
    assert response.status_code == 200
    assert 'usce_outbox_sent_total{kind="window_closing"} 1.0' in body
    assert 'usce_outbox_failed_attempts_total{kind="window_closing"} 2.0' in body
    assert "usce_outbox_pending 1.0" in body
    assert 'usce_outbox_failing_messages{error_class="SMTPDataError"} 1.0' in body
    assert "usce_outbox_oldest_pending_age_seconds" in body


@pytest.mark.django_db
def test_readyz_checks_the_database_and_broker_and_healthz_stays_cheap(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("healthz")).json() == {"status": "ok"}
    body = client.get(reverse("readyz")).json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["broker"] == "ok"


@pytest.mark.django_db
def test_deleting_an_account_erases_its_account_emails_from_the_outbox(applicant, other_applicant):
    from notifications import personal_data

    for n, user in enumerate([applicant, other_applicant]):
        outbox.message_enqueue(
            kind="account_email",
            key=f"account:erase-{n}",
            subject_type="account.email",
            subject_id=0,
            recipient_email=user.email.upper(),
            payload={"subject": "Reset your password"},
        )

    personal_data.erase(applicant)

    assert list(Reminder.objects.values_list("recipient_email", flat=True)) == [other_applicant.email.upper()]
