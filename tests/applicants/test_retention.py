"""Retention: documents of applicants inactive past the period are purged, files and rows, and nobody else's.

Each applicant below uploads real files through the service, then is aged: their sign-in, their
account and their uploads moved three years back. Only the kind of recent activity differs.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applicants import retention
from applicants.models import ApplicantProfile, Document, DocumentVersion
from applicants.services import document_upload
from applications.models import Application
from applications.states import Status
from audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.applicants import files
from tests.applicants.conftest import stored_files
from tests.applicants.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory
from tests.letters.factories import LetterRequestFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=3 * 365)
RECENTLY = timezone.now() - dt.timedelta(days=20)


def aged(email: str, *, content: bytes = files.PDF):
    """An applicant with a profile and two documents (one with two versions), all three years old."""
    user = ApplicantProfileFactory(user=UserFactory(email=email)).user
    first = document_upload(owner=user, kind="cv", upload=files.upload(content, "cv.pdf"))
    document_upload(owner=user, kind="passport", upload=files.upload(files.PNG, "passport.png", "image/png"))
    from applicants.services import document_replace

    document_replace(document=first.document, upload=files.upload(files.JPEG, "cv.jpg", "image/jpeg"))
    DocumentVersion.objects.filter(document__owner=user).update(uploaded_at=LONG_AGO)
    type(user).objects.filter(pk=user.pk).update(last_login=LONG_AGO, date_joined=LONG_AGO)
    user.refresh_from_db()
    return user


def purge(*args) -> str:
    out = io.StringIO()
    # Files are deleted once the purge has committed: run those callbacks, as production does.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("purge_inactive_documents", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def storage(media_root):
    return media_root


def test_an_inactive_applicants_documents_and_files_are_purged_and_recorded(storage):
    inactive = aged("ines@example.org")
    assert len(stored_files(storage)) == 3

    output = purge()

    assert "Purged 2 documents (3 files) of 1 applicants" in output
    assert stored_files(storage) == [] and not Document.objects.exists() and not DocumentVersion.objects.exists()
    event = AuditEvent.objects.get(action="documents.purged")
    assert event.object_id == str(inactive.pk) and event.actor is None
    assert event.extra["documents"] == 2 and event.extra["files"] == 3 and event.extra["retention_days"] == 730
    # The account and profile stay: they can sign in and upload again.
    inactive.refresh_from_db()
    assert inactive.is_active and ApplicantProfile.objects.filter(user=inactive).exists()


@pytest.mark.parametrize(
    "activity",
    [
        "signed_in_recently",
        "uploaded_recently",
        "joined_recently",
        "application_changed_recently",
        "live_application",
        "asked_a_letter_recently",
        "coordinator",
        "staff",
    ],
)
def test_any_recent_activity_or_live_application_keeps_the_documents(storage, activity, institution):
    user = aged("kept@example.org")
    users = type(user).objects.filter(pk=user.pk)
    if activity == "signed_in_recently":
        users.update(last_login=RECENTLY)
    elif activity == "uploaded_recently":
        DocumentVersion.objects.filter(document__kind="passport").update(uploaded_at=RECENTLY)
    elif activity == "joined_recently":
        users.update(last_login=None, date_joined=RECENTLY)
    elif activity == "application_changed_recently":
        ApplicationFactory(applicant=user, status=Status.WITHDRAWN)  # updated_at: now
    elif activity == "live_application":
        # Untouched for three years, but still waitlisted: a programme may still need the documents.
        application = ApplicationFactory(applicant=user, status=Status.WAITLISTED)
        application.documents.set(Document.objects.filter(owner=user))
        Application.objects.filter(pk=application.pk).update(updated_at=LONG_AGO, submitted_at=LONG_AGO)
    elif activity == "asked_a_letter_recently":
        LetterRequestFactory(applicant=user)
    elif activity == "coordinator":
        from placements.models import InstitutionMembership

        InstitutionMembership.objects.create(user=user, institution=institution)
    elif activity == "staff":
        users.update(is_staff=True)

    assert "of 0 applicants" in purge()

    assert len(stored_files(storage)) == 3 and Document.objects.filter(owner=user).count() == 2
    assert not AuditEvent.objects.filter(action="documents.purged").exists()


def test_finished_applications_do_not_keep_documents_but_keep_their_own_record(storage):
    user = aged("fin@example.org")
    application = ApplicationFactory(applicant=user, status=Status.COMPLETED)
    application.documents.set(Document.objects.filter(owner=user))
    Application.objects.filter(pk=application.pk).update(updated_at=LONG_AGO)

    purge()

    application.refresh_from_db()
    assert stored_files(storage) == [] and application.status == Status.COMPLETED
    assert not application.documents.exists()


def test_the_dry_run_lists_applicants_and_counts_and_changes_nothing(storage):
    aged("ines@example.org")
    aged("ivan@example.org")
    ApplicantProfileFactory(user=UserFactory(email="active@example.org"))

    output = purge("--dry-run")

    assert "ines@example.org: 2 documents, 3 files" in output and "ivan@example.org" in output
    assert "active@example.org" not in output
    assert "Dry run: would purge 4 documents (6 files" in output and "of 2 applicants" in output
    assert len(stored_files(storage)) == 6 and DocumentVersion.objects.count() == 6
    assert not AuditEvent.objects.filter(action="documents.purged").exists()


def test_a_second_run_finds_nothing_more_to_do(storage):
    aged("ines@example.org")
    purge()

    assert "Purged 0 documents (0 files) of 0 applicants" in purge()
    assert AuditEvent.objects.filter(action="documents.purged").count() == 1


def test_the_period_comes_from_the_setting_or_the_option(storage, settings):
    user = aged("ines@example.org")
    DocumentVersion.objects.filter(document__owner=user).update(uploaded_at=RECENTLY)
    type(user).objects.filter(pk=user.pk).update(last_login=RECENTLY)

    settings.DOCUMENT_RETENTION_DAYS = 30
    assert "of 0 applicants" in purge("--dry-run")
    settings.DOCUMENT_RETENTION_DAYS = 10
    assert "of 1 applicants" in purge("--dry-run")
    assert "of 0 applicants" in purge("--dry-run", "--days", "30")


def test_batches_reach_every_applicant(storage, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    for n in range(5):
        aged(f"old{n}@example.org")

    assert "of 5 applicants" in purge()
    assert stored_files(storage) == [] and AuditEvent.objects.filter(action="documents.purged").count() == 5


def _queries(command_args, count: int) -> int:
    for n in range(count):
        aged(f"q{count}-{n}@example.org")
    with CaptureQueriesContext(connection) as queries:
        purge(*command_args)
    return len(queries)


def test_listing_takes_the_same_queries_for_two_or_six_applicants(storage):
    assert _queries(["--dry-run"], 2) == _queries(["--dry-run"], 6)


def test_purging_adds_one_query_per_applicant_only_for_its_audit_entry(storage):
    two = _queries([], 2)
    six = _queries([], 6)

    assert six - two == 4


def test_the_weekly_schedule_exists_disabled_and_names_a_real_task():
    from django_celery_beat.models import PeriodicTask

    from portal.celery import app

    task = PeriodicTask.objects.get(name="Retention: purge documents of inactive applicants")
    assert not task.enabled and task.crontab.day_of_week == "0"
    app.loader.import_default_modules()
    assert task.task in app.tasks
