import datetime as dt

import factory
from django.utils import timezone

from applications.models import Application, ApplicationEvent, InterviewSlot, ListingQuestion
from applications.states import Status
from tests.accounts.factories import UserFactory
from tests.placements.factories import SessionFactory


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    applicant = factory.SubFactory(UserFactory)
    session = factory.SubFactory(SessionFactory)
    status = Status.SUBMITTED
    personal_statement = "I want to learn how a US inpatient team works before applying to residency."
    submitted_at = factory.LazyFunction(timezone.now)
    # Unique within a session (a database constraint): later ones go further down the list.
    waitlist_position = factory.LazyAttributeSequence(lambda o, n: n + 1 if o.status == Status.WAITLISTED else None)
    offer_expires_at = factory.LazyAttribute(
        lambda o: timezone.now() + dt.timedelta(days=7) if o.status == Status.OFFERED else None
    )


class DraftFactory(ApplicationFactory):
    status = Status.DRAFT
    submitted_at = None


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationEvent

    application = factory.SubFactory(ApplicationFactory)
    actor_role = "coordinator"
    from_status = Status.SUBMITTED
    to_status = Status.UNDER_REVIEW


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListingQuestion

    prompt = factory.Sequence(lambda n: f"Why this rotation? ({n})")
    kind = ListingQuestion.Kind.TEXT


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewSlot

    session = factory.SubFactory(SessionFactory)
    starts_at = factory.Sequence(
        lambda n: timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=3, hours=n)
    )
    duration_minutes = 30
    where = "https://meet.example.org/usce-interview"


def applicant_user(**kwargs):
    return UserFactory(**kwargs)


def ensure_seeded_specialty():
    """Transactional tests (threads, the live server) may start after another one flushed the
    data that placements' migration seeds (specialties, visas): put it back, the same way."""
    from placements.models import Visa
    from tests.reference_data import reseed

    if not Visa.objects.exists():
        reseed()


def reseed_after_module_flush(django_db_blocker):
    """Generator body for a module-scoped fixture: a transactional test's flush wipes the seeded
    rows; put them back when the module ends so later tests that did not ask for a serialized
    rollback still find them."""
    yield
    with django_db_blocker.unblock():
        ensure_seeded_specialty()
