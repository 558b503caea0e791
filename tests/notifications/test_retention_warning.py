"""Inactive applicants are told 30 days before the retention purge deletes their documents, once,
and only while the purge is really scheduled."""

import datetime as dt

import pytest
from django.core import mail
from django_celery_beat.models import PeriodicTask

from applicants import reminders as sources_retention
from applicants.models import DocumentVersion
from applications.states import Status
from notifications import outbox
from tests.applicants.factories import add_document
from tests.applications.factories import ApplicationFactory
from tests.notifications.factories import applicant_in, at, due_rows

pytestmark = pytest.mark.django_db

NOW = at(2027, 3, 1, 9, 0)  # the first tick of an hour


@pytest.fixture
def purge_enabled(settings):
    settings.DOCUMENT_RETENTION_DAYS = 730
    PeriodicTask.objects.filter(task="applicants.tasks.purge_inactive_documents_task").update(enabled=True)


def idle_since(when, zone="Asia/Kolkata"):
    """An applicant with a document whose every activity was at `when`."""
    user = applicant_in(zone)
    add_document(user, "cv")
    DocumentVersion.objects.filter(document__owner=user).update(uploaded_at=when)
    type(user).objects.filter(pk=user.pk).update(last_login=when, date_joined=when)
    return user


def test_an_applicant_nearing_the_purge_is_told_the_date_once_by_mail_and_in_app(purge_enabled, tick):
    # Last seen 2025-03-21 20:00 UTC: purge from 2027-03-21 20:00 UTC, 01:30 on the 22nd in Kolkata.
    idle = idle_since(NOW - dt.timedelta(days=710) + dt.timedelta(hours=11))
    idle_since(NOW - dt.timedelta(days=600))  # 130 days to go: not yet

    assert due_rows(sources_retention.documents_purge_due, NOW) == {(idle.pk, idle.pk): dt.date(2027, 3, 22)}  # Kolkata
    tick(NOW)
    tick(NOW + dt.timedelta(hours=1))

    [message] = mail.outbox
    assert message.to == [idle.email]
    assert message.subject == "Your documents will be deleted from 22 Mar 2027 unless you sign in"
    assert "Monday 22 March 2027 (Asia/Kolkata)" in message.body and "sign in before then" in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # a notice about their data: not switchable
    notice = idle.notifications.get()
    assert notice.title == "Your documents will be deleted from 22 Mar 2027"


def test_nobody_is_warned_while_the_purge_is_not_enabled(settings):
    idle_since(NOW - dt.timedelta(days=720))

    assert due_rows(sources_retention.documents_purge_due, NOW) == {}


def test_recent_activity_or_a_live_application_means_no_warning(purge_enabled):
    signed_in = idle_since(NOW - dt.timedelta(days=720))
    type(signed_in).objects.filter(pk=signed_in.pk).update(last_login=NOW - dt.timedelta(days=3))
    applying = idle_since(NOW - dt.timedelta(days=720))
    ApplicationFactory(applicant=applying, status=Status.WAITLISTED)

    assert due_rows(sources_retention.documents_purge_due, NOW) == {}


def test_the_warning_is_not_sent_if_they_come_back_before_delivery(purge_enabled, tick):
    idle = idle_since(NOW - dt.timedelta(days=720))
    tick(NOW, deliver=False)
    type(idle).objects.filter(pk=idle.pk).update(last_login=NOW)

    from notifications.models import Reminder

    outbox.outbox_deliver_batch(message_ids=list(Reminder.objects.values_list("pk", flat=True)), now=NOW)

    assert mail.outbox == []


def test_the_hourly_look_skips_other_ticks(purge_enabled):
    idle_since(NOW - dt.timedelta(days=720))

    assert due_rows(sources_retention.documents_purge_due, NOW + dt.timedelta(minutes=20)) == {}
