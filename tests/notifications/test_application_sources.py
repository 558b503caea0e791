"""Who is due when for application reminders: drafts, offers, interviews, pre-arrival, the digest."""

import datetime as dt

import pytest
from django.core import mail

from applications import reminders as sources
from applications import reminders as sources_applications
from applications.models import ChecklistItem
from applications.states import Status
from notifications import outbox
from notifications.models import NotificationPreference, Reminder
from tests.applications.factories import ApplicationFactory, DraftFactory, SlotFactory
from tests.notifications.factories import applicant_in, at, due_rows, save_listing, session_closing_at
from tests.placements.factories import CoordinatorFactory, InstitutionFactory, ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_a_draft_is_reminded_before_its_window_closes_and_a_sent_application_is_not():
    drafting = applicant_in("Europe/Warsaw")
    submitted = applicant_in("Europe/Warsaw")
    session = session_closing_at(at(2027, 4, 30, 21, 0))  # 23:00 on 30 April in Warsaw
    DraftFactory(applicant=drafting, session=session)
    save_listing(submitted, session.listing)
    ApplicationFactory(applicant=submitted, session=session)

    rows = due_rows(sources.window_closing_due, at(2027, 4, 27, 12, 0))

    assert rows == {(drafting.pk, session.pk): dt.date(2027, 4, 27)}


def test_saving_and_drafting_the_same_session_gives_one_reminder(tick):
    applicant = applicant_in("Europe/Warsaw")
    session = session_closing_at(at(2027, 4, 30, 21, 0))
    save_listing(applicant, session.listing)
    DraftFactory(applicant=applicant, session=session)

    tick(at(2027, 4, 27, 12, 0))

    assert len(mail.outbox) == 1


def test_an_offer_is_due_48_hours_before_its_deadline_and_cannot_be_switched_off(tick):
    applicant = applicant_in("America/Los_Angeles")
    offer = ApplicationFactory(applicant=applicant, status=Status.OFFERED, offer_expires_at=at(2027, 6, 1, 6, 0))
    NotificationPreference.objects.create(user=applicant, kind="all", enabled=False)

    assert due_rows(sources_applications.offer_deadline_due, at(2027, 5, 30, 5, 59)) == {}
    assert due_rows(sources_applications.offer_deadline_due, at(2027, 5, 30, 6, 0)) == {
        (applicant.pk, offer.pk): dt.date(2027, 5, 31)  # 23:00 on 31 May, Pacific
    }
    tick(at(2027, 5, 30, 6, 0))
    [message] = mail.outbox
    assert "Monday 31 May 2027, 11:00 PM" in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # transactional: no unsubscribe


def test_an_answered_offer_is_not_reminded(tick):
    applicant = applicant_in("America/Los_Angeles")
    offer = ApplicationFactory(applicant=applicant, status=Status.OFFERED, offer_expires_at=at(2027, 6, 1, 6, 0))
    result = tick(at(2027, 5, 30, 6, 0), deliver=False)
    offer.status = Status.ACCEPTED
    offer.save(update_fields=["status"])

    outbox.outbox_deliver_batch(message_ids=result.queued_ids[0], now=at(2027, 5, 30, 6, 0))

    assert mail.outbox == [] and Reminder.objects.get().status == "skipped"


def test_an_interview_is_due_the_day_before_in_the_applicants_zone():
    applicant = applicant_in("Asia/Tokyo")
    application = ApplicationFactory(applicant=applicant, status=Status.INTERVIEW)
    slot = SlotFactory(
        session=application.session, application=application, starts_at=at(2027, 3, 31, 16, 0)
    )  # 1 Apr 01:00 Tokyo

    assert due_rows(sources_applications.interview_tomorrow_due, at(2027, 3, 30, 14, 59)) == {}  # 30 Mar 23:59 Tokyo
    assert due_rows(sources_applications.interview_tomorrow_due, at(2027, 3, 30, 15, 0)) == {
        (applicant.pk, slot.pk): dt.date(2027, 3, 31)
    }


def test_pre_arrival_is_due_30_and_7_days_before_the_start(tick):
    applicant = applicant_in("America/Chicago")
    session = SessionFactory(
        start_date=dt.date(2027, 7, 1),
        end_date=dt.date(2027, 7, 28),
        applications_open_at=at(2027, 1, 1),
        applications_close_at=at(2027, 5, 1),
    )
    application = ApplicationFactory(applicant=applicant, session=session, status=Status.ACCEPTED)
    ChecklistItem.objects.create(application=application, kind="onboarding", label="Complete the HIPAA module")
    ChecklistItem.objects.create(
        application=application, kind="fee", label="Programme fee paid", done_at=at(2027, 5, 1)
    )

    assert due_rows(sources_applications.pre_arrival_due, at(2027, 6, 1, 4, 59)) == {}  # 31 May 23:59 Chicago
    tick(at(2027, 6, 1, 5, 0))
    tick(at(2027, 6, 24, 12, 0))
    tick(at(2027, 6, 25, 12, 0))

    assert len(mail.outbox) == 2
    assert "Complete the HIPAA module" in mail.outbox[0].body and "Programme fee paid" not in mail.outbox[0].body


def test_the_digest_tells_each_coordinator_yesterdays_arrivals_from_7am_in_the_institutions_zone(tick):
    institution = InstitutionFactory(name="Desert Valley Hospital", time_zone="America/Phoenix")  # UTC-7
    coordinators = [CoordinatorFactory(institution=institution) for _ in range(2)]
    quiet = CoordinatorFactory(institution=InstitutionFactory(name="Quiet Clinic"))
    session = SessionFactory(listing=ListingFactory(institution=institution))
    ApplicationFactory(session=session, submitted_at=at(2027, 2, 28, 20, 0))  # 28 Feb 13:00 Phoenix
    ApplicationFactory(session=session, submitted_at=at(2027, 3, 1, 6, 30))  # 28 Feb 23:30 Phoenix
    ApplicationFactory(session=session, submitted_at=at(2027, 3, 1, 7, 30))  # 1 Mar 00:30: today's, not in it

    assert due_rows(sources_applications.coordinator_digest_due, at(2027, 3, 1, 13, 59)) == {}  # 06:59 Phoenix
    tick(at(2027, 3, 1, 14, 0))
    tick(at(2027, 3, 1, 18, 0))

    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in coordinators)
    assert mail.outbox[0].subject == "2 new applications for Desert Valley Hospital on Sun 28 Feb"
    assert not [m for m in mail.outbox if m.to == [quiet.email]]


def test_a_document_sent_with_an_application_that_expires_before_the_start_is_reminded_once(tick):
    from tests.applicants.factories import add_document

    applicant = applicant_in("Africa/Lagos")
    session = SessionFactory(
        start_date=dt.date(2027, 9, 1),
        end_date=dt.date(2027, 9, 28),
        applications_open_at=at(2027, 1, 1),
        applications_close_at=at(2027, 6, 1),
    )
    other = SessionFactory(
        start_date=dt.date(2027, 10, 1),
        end_date=dt.date(2027, 10, 28),
        applications_open_at=at(2027, 1, 1),
        applications_close_at=at(2027, 6, 1),
    )
    passport = add_document(applicant, "passport", expires_on=dt.date(2027, 8, 15)).document
    later = add_document(applicant, "cv", expires_on=dt.date(2028, 1, 1)).document
    for target in (session, other):
        application = ApplicationFactory(applicant=applicant, session=target)
        application.documents.add(passport, later)
    draft_only = add_document(applicant, "background_check", expires_on=dt.date(2027, 8, 1)).document
    DraftFactory(applicant=applicant, session=SessionFactory()).documents.add(draft_only)

    assert due_rows(sources.document_before_start_due, at(2027, 5, 1, 12, 0)) == {
        (applicant.pk, passport.pk): dt.date(2027, 8, 15)
    }
    tick(at(2027, 5, 1, 12, 0))
    tick(at(2027, 5, 2, 12, 0))

    [message] = mail.outbox
    assert "expires on Sunday 15 August 2027" in message.body and "starts on Wednesday 1 September 2027" in message.body
