"""Exactly once: ticks twice, batches delivered twice or at once, retries and crashed claims."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import override_settings

from notifications import outbox, services
from notifications.models import Notification, NotificationPreference, Reminder
from tests.notifications import backends
from tests.notifications.factories import applicant_in, save_listing, session_closing_at

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 3, 7, 15, 0, tzinfo=dt.UTC)  # 3 days before the window below closes
FLAKY = "tests.notifications.backends.FlakyBackend"


@pytest.fixture
def due_applicants():
    session = session_closing_at(dt.datetime(2027, 3, 10, 22, 0, tzinfo=dt.UTC))
    applicants = [applicant_in(zone) for zone in ("America/New_York", "Africa/Lagos", "America/Mexico_City")]
    for applicant in applicants:
        save_listing(applicant, session.listing)
    return applicants


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_two_ticks_send_each_reminder_once(tick, due_applicants):
    first = tick(NOW)
    second = tick(NOW + dt.timedelta(minutes=5))

    assert first.inserted == 3 and second.inserted == 0 and second.queued == 0
    assert [len(mails_to(applicant)) for applicant in due_applicants] == [1, 1, 1]
    assert Notification.objects.count() == 3
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


def test_each_threshold_is_its_own_reminder(tick, due_applicants):
    tick(NOW - dt.timedelta(days=10))  # the 14-day reminder
    tick(NOW)  # the 3-day one
    tick(NOW + dt.timedelta(hours=1))

    assert [len(mails_to(applicant)) for applicant in due_applicants] == [2, 2, 2]


def test_a_batch_delivered_twice_sends_nothing_the_second_time(tick, due_applicants):
    result = tick(NOW, deliver=False)
    batch = result.queued_ids[0]

    first = outbox.outbox_deliver_batch(message_ids=batch, now=NOW)
    redelivered = outbox.outbox_deliver_batch(message_ids=batch, now=NOW)

    assert first == {"sent": 3} and redelivered == {}
    assert len(mail.outbox) == 3


def test_two_workers_delivering_the_same_batch_at_once_send_each_reminder_once(reference_data, due_applicants):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers on SQLite serialise on the file lock")
    result = services.reminders_scan(now=NOW)
    batch = result.queued_ids[0]
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(outbox.outbox_deliver_batch(message_ids=batch, now=NOW))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(outcome.get("sent", 0) for outcome in outcomes) == 3
    assert len(mail.outbox) == 3
    assert Notification.objects.count() == 3


@override_settings(EMAIL_BACKEND=FLAKY)
def test_a_failed_send_is_recorded_backed_off_and_retried_once(tick, due_applicants):
    backends.state["failures_left"] = 1
    tick(NOW)
    failed = Reminder.objects.get(status="pending")

    assert failed.attempts == 1
    assert "SMTP server refused" in failed.last_error
    assert failed.next_attempt_at == NOW + dt.timedelta(minutes=5)

    tick(NOW + dt.timedelta(minutes=1))  # too early: backing off
    assert Reminder.objects.filter(status="pending").count() == 1

    tick(NOW + dt.timedelta(minutes=6))
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    assert [len(mails_to(applicant)) for applicant in due_applicants] == [1, 1, 1]
    assert Notification.objects.count() == 3  # the in-app message was not repeated by the retry


@override_settings(EMAIL_BACKEND=FLAKY, NOTIFICATIONS_MAX_ATTEMPTS=2)
def test_a_reminder_that_keeps_failing_is_given_up_and_kept_for_support(tick, due_applicants):
    backends.state["failures_left"] = 100
    tick(NOW)
    tick(NOW + dt.timedelta(minutes=6))
    backends.state["failures_left"] = 0
    tick(NOW + dt.timedelta(hours=6))

    assert list(Reminder.objects.values_list("status", "attempts").distinct()) == [("failed", 2)]
    assert mail.outbox == []


def test_a_claim_left_by_a_crashed_worker_is_taken_over_after_the_lease(tick, due_applicants):
    result = tick(NOW, deliver=False)
    crashed = Reminder.objects.get(pk=result.queued_ids[0][0])
    # A worker claimed this row and died before sending (the claim committed, nothing else did).
    Reminder.objects.filter(pk=crashed.pk).update(status="sending", claimed_at=NOW, attempts=1)
    outbox.outbox_deliver_batch(message_ids=result.queued_ids[0], now=NOW)

    tick(NOW + dt.timedelta(minutes=5))
    assert len(mails_to(crashed.recipient)) == 0  # within the lease: maybe still sending

    tick(NOW + dt.timedelta(minutes=11))
    assert [len(mails_to(applicant)) for applicant in due_applicants] == [1, 1, 1]
    assert Reminder.objects.get(pk=crashed.pk).status == "sent"


def test_a_lost_batch_message_is_queued_again_by_a_later_tick(tick, due_applicants):
    tick(NOW, deliver=False)  # the batch message never reaches a worker

    assert tick(NOW + dt.timedelta(minutes=5)).queued == 0  # it may still be on its way
    assert tick(NOW + dt.timedelta(minutes=16)).queued == 3
    assert len(mail.outbox) == 3


def test_a_switched_off_kind_sends_nothing_and_is_not_retried(tick, due_applicants):
    lagos = due_applicants[1]
    NotificationPreference.objects.create(user=lagos, kind="window_closing", enabled=False)
    NotificationPreference.objects.create(user=due_applicants[2], kind="all", enabled=False)

    tick(NOW)
    tick(NOW + dt.timedelta(hours=1))

    assert [len(mails_to(applicant)) for applicant in due_applicants] == [1, 0, 0]
    assert Reminder.objects.filter(status="skipped").count() == 2
    assert not Notification.objects.filter(recipient__in=due_applicants[1:]).exists()


def test_unsaving_a_listing_before_the_batch_runs_skips_the_reminder(tick, due_applicants):
    result = tick(NOW, deliver=False)
    due_applicants[0].saved_listings.all().delete()

    outbox.outbox_deliver_batch(message_ids=result.queued_ids[0], now=NOW)

    assert len(mail.outbox) == 2 and mails_to(due_applicants[0]) == []


def test_the_beat_task_scans_and_the_batch_tasks_deliver_through_celery(django_capture_on_commit_callbacks):
    from django.utils import timezone

    from notifications.tasks import reminders_tick_task

    applicant = applicant_in("America/Chicago")
    session = session_closing_at(timezone.now() + dt.timedelta(days=2, hours=12))
    save_listing(applicant, session.listing)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = reminders_tick_task.apply().get()

    assert outcome["inserted"] == 1 and outcome["batches"] == 1
    assert len(mails_to(applicant)) == 1


@pytest.mark.parametrize("applicants", [5, 40])
def test_a_tick_costs_the_same_few_queries_for_few_or_many_applicants(
    applicants, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    session = session_closing_at(dt.datetime(2027, 3, 10, 22, 0, tzinfo=dt.UTC))
    for _i in range(applicants):
        save_listing(applicant_in("Europe/Berlin"), session.listing)

    from notifications import kinds

    # A few per kind (its source, the ledger's known keys, the insert) and a few to queue: none per applicant.
    with django_assert_max_num_queries(3 * len(kinds.KINDS) + 5), django_capture_on_commit_callbacks(execute=False):
        result = services.reminders_scan(now=NOW)

    assert result.inserted == applicants
