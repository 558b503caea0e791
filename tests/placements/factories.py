import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from placements.models import Institution, InstitutionMembership, Listing, Session, Specialty, Visa
from tests.accounts.factories import UserFactory


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Riverside Medical Center {n}")
    kind = Institution.Kind.TEACHING
    city = "Houston"
    state = "TX"
    time_zone = "America/Chicago"
    verified = True


class CoordinatorFactory(UserFactory):
    """A user who coordinates `institution` (a new one unless given)."""

    @factory.post_generation
    def institution(self, create, extracted, **kwargs):
        if create:
            InstitutionMembership.objects.create(user=self, institution=extracted or InstitutionFactory())


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    kind = Listing.Kind.ROTATION
    title = factory.Sequence(lambda n: f"Internal Medicine Clinical Rotation {n}")
    # get_or_create: a transactional test (browser, concurrency) flushes the seeded vocabularies
    # for the tests after it.
    specialty = factory.LazyFunction(
        lambda: Specialty.objects.get_or_create(slug="internal-medicine", defaults={"name": "Internal Medicine"})[0]
    )
    description = "Four weeks on the inpatient medicine service with daily teaching rounds."
    hands_on_level = Listing.HandsOn.HANDS_ON
    duration_weeks = 4
    programme_fee = Decimal("2500.00")
    application_fee = Decimal("100.00")
    status = Listing.Status.PUBLISHED

    @factory.post_generation
    def visas(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["b1b2", "j1"]
            self.accepted_visas.set([Visa.objects.get_or_create(code=code)[0] for code in codes])


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    listing = factory.SubFactory(ListingFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=27))
    seats = 4
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    applications_close_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(o.start_date - dt.timedelta(days=30), dt.time(23, 59), tzinfo=dt.UTC)
    )
