"""The objects the access matrix requests: one of everything, owned by Alice (applicant) and by
Carol's institution (coordinator); Bob and Dave are the outsiders, Erin the admin."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from tests.security.access_matrix import PERSONAS


@pytest.fixture
def media_root(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


def _stored_pdf(name: str = "scan.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.letters.conftest import make_pdf

    return SimpleUploadedFile(name, make_pdf(), content_type="application/pdf")


@pytest.fixture
def world(applicant, other_applicant, coordinator, other_coordinator, admin_user, institution, media_root):
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from allauth.usersessions.models import UserSession
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    from alerts.models import Alert
    from alerts.services import saved_search_create
    from api.services import api_token_create
    from applicants.models import SavedListing
    from applicants.services import document_upload
    from applicants.uploads import PDF, check_upload
    from applications.models import Certificate, ChecklistItem, Review
    from applications.states import Status
    from audit.services import audit_record
    from letters import tokens as letter_tokens
    from letters.models import LetterAccess, LetterAssignment, LetterLink
    from letters.services import letter_request_create, letter_upload
    from notifications.models import NotificationPreference, Reminder
    from notifications.services import calendar_feed_get_or_create
    from notifications.tokens import unsubscribe_token
    from placements.models import Listing
    from rounds.models import RoundOutcome
    from tests.applicants.factories import ApplicantProfileFactory
    from tests.applications.factories import ApplicationFactory, DraftFactory, QuestionFactory, SlotFactory
    from tests.notifications.factories import NotificationFactory
    from tests.placements.factories import ListingFactory, SessionFactory
    from tests.rounds.factories import RoundFactory
    from trust.models import InstitutionLetterhead, ListingReport
    from trust.services import visa_letter_issue

    ApplicantProfileFactory(user=applicant)
    ApplicantProfileFactory(user=other_applicant)
    w = SimpleNamespace(applicant=applicant, institution=institution)
    w.listing = ListingFactory(institution=institution, title="Internal Medicine Sub-Internship")
    w.draft_listing = ListingFactory(institution=institution, status=Listing.Status.DRAFT, title="Draft Cardiology")
    w.archived_listing = ListingFactory(institution=institution, status=Listing.Status.ARCHIVED, title="Old Neurology")
    w.session = SessionFactory(listing=w.listing)
    w.open_session = SessionFactory(listing=w.listing, start_date=timezone.localdate() + dt.timedelta(days=120))
    w.draft_session = SessionFactory(listing=w.draft_listing)

    def session_for(days: int):
        return SessionFactory(listing=w.listing, start_date=timezone.localdate() + dt.timedelta(days=days))

    w.application = ApplicationFactory(applicant=applicant, session=w.session, status=Status.SUBMITTED)
    w.draft = DraftFactory(applicant=applicant, session=session_for(150))
    w.offered = ApplicationFactory(applicant=applicant, session=session_for(160), status=Status.OFFERED)
    w.accepted = ApplicationFactory(applicant=applicant, session=session_for(170), status=Status.ACCEPTED)
    w.completed = ApplicationFactory(applicant=applicant, session=session_for(180), status=Status.COMPLETED)
    reviewed = ApplicationFactory(applicant=applicant, session=session_for(190), status=Status.COMPLETED)
    w.interviewed = ApplicationFactory(applicant=applicant, session=session_for(200), status=Status.UNDER_REVIEW)
    SlotFactory(session=w.interviewed.session, application=w.interviewed)
    w.slot = SlotFactory(session=w.session)
    w.question = QuestionFactory(listing=w.listing)
    w.applicant_item = ChecklistItem.objects.create(
        application=w.completed, kind="onboarding", label="Bring your badge"
    )
    w.coordinator_item = ChecklistItem.objects.create(
        application=w.completed, kind="onboarding", label="Badge issued", coordinator_only=True
    )
    w.certificate = Certificate.objects.create(
        application=w.completed,
        holder_name=applicant.full_name,
        listing_title=w.listing.title,
        institution_name=institution.name,
        start_date=w.completed.session.start_date,
        end_date=w.completed.session.end_date,
    )
    w.review = Review.objects.create(
        application=reviewed,
        listing=w.listing,
        hands_on=3,
        letter_received=True,
        real_total_cost=100,
        comment="Good teaching",
    )

    w.document = document_upload(
        owner=applicant, kind="passport", upload=_stored_pdf(), expires_on=timezone.localdate() + dt.timedelta(days=900)
    ).document
    w.version = w.document.current_version
    w.application.documents.add(w.document)

    w.letter_request = letter_request_create(
        applicant=applicant,
        writer_name="Dr. Maria Delgado",
        writer_email="mdelgado@lakeshore.example.org",
        writer_title="Attending",
        writer_institution="Lakeshore",
        relationship="Supervisor",
        waived=True,
    )
    upload = _stored_pdf("letter.pdf")
    letter = letter_upload(letter_request=w.letter_request, upload=upload, checked=check_upload(upload, allowed=(PDF,)))
    LetterAssignment.objects.create(letter_request=w.letter_request, application=w.application)
    w.open_letter_request = letter_request_create(
        applicant=applicant,
        writer_name="Dr. Ken Ito",
        writer_email="kito@lakeshore.example.org",
        writer_title="Attending",
        writer_institution="Lakeshore",
        relationship="Supervisor",
        waived=False,
    )
    upload = _stored_pdf("open-letter.pdf")
    letter_upload(letter_request=w.open_letter_request, upload=upload, checked=check_upload(upload, allowed=(PDF,)))
    w.letter_request.refresh_from_db()
    asked = letter_request_create(
        applicant=applicant,
        writer_name="Dr. Ann Lee",
        writer_email="alee@lakeshore.example.org",
        writer_title="Attending",
        writer_institution="Lakeshore",
        relationship="Supervisor",
        waived=True,
    )
    w.writer_token = letter_tokens.make_token(LetterLink.objects.get(request=asked).key)

    w.notification = NotificationFactory(recipient=applicant)
    w.alice_session = UserSession.objects.create(
        user=applicant, ip="192.0.2.1", session_key="alice-phone-session", user_agent="Phone"
    )
    w.alice_token, _raw = api_token_create(user=applicant, name="Phone app")
    w.round = RoundFactory(sessions=[w.session], opened_by=admin_user, institution=institution)
    w.unsubscribe_token = unsubscribe_token(user_id=applicant.pk, kind="all")
    w.calendar_token = calendar_feed_get_or_create(user=applicant).token
    email, _created = EmailAddress.objects.get_or_create(user=applicant, email=applicant.email)
    w.confirm_key = EmailConfirmationHMAC(email).key
    w.reset_uid, w.reset_key = user_pk_to_url_str(applicant), default_token_generator.make_token(applicant)
    w.application_content_type = ContentType.objects.get_for_model(w.application).pk

    # One row of every model the admin shows, for its change, history and delete pages.
    Group.objects.create(name="Support")
    interval = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    CrontabSchedule.objects.create(minute="0", hour="3")
    SolarSchedule.objects.create(event="sunrise", latitude=41.88, longitude=-87.63)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.get_or_create(name="Matrix probe", defaults={"task": "portal.ping", "interval": interval})
    SavedListing.objects.create(user=applicant, listing=w.listing)
    LetterAccess.objects.create(
        letter=letter, application=w.application, reader=coordinator, reader_email=coordinator.email
    )
    audit_record(action="matrix.probe", actor=admin_user, obj=w.listing)
    Reminder.objects.create(
        recipient=applicant,
        kind="deadline",
        subject_type="placements.session",
        subject_id=w.session.pk,
        due=timezone.localdate(),
    )
    NotificationPreference.objects.create(user=applicant, kind="deadline", enabled=True)
    w.letterhead = InstitutionLetterhead.objects.create(
        institution=institution, letterhead="Lakeshore", signatory_name="Dr. S", signatory_title="DIO"
    )
    w.visa_letter = visa_letter_issue(
        application_id=w.accepted.pk, actor=coordinator, passport_number="A1", costs="$1", paid_by="Alice"
    )
    w.report = ListingReport.objects.create(listing=w.listing, reporter=applicant, field="costs", note="Fee is wrong")
    RoundOutcome.objects.create(round=w.round, applicant=other_applicant)
    w.saved_search = saved_search_create(owner=applicant, name="Texas rotations", querystring="state=TX&kind=rotation")
    Alert.objects.create(owner=applicant, listing=w.listing, event=Alert.Event.NEW_LISTING, saved_search=w.saved_search)
    from django.contrib import admin

    w.admin_objects = {}
    for model in admin.site._registry:
        first = model._base_manager.order_by("pk").first()
        assert first is not None, f"the world has no {model._meta.label} for the admin rows"
        w.admin_objects[model._meta.label_lower] = first
    return w


@pytest.fixture
def clients(request, world):
    signed_in = {}
    for persona in PERSONAS:
        client = Client()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        signed_in[persona] = client
    return signed_in
