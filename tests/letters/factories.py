import datetime as dt

import factory
from django.utils import timezone

from letters.models import LetterRequest
from tests.accounts.factories import UserFactory


class LetterRequestFactory(factory.django.DjangoModelFactory):
    """A request as stored; tests that need the writer's link go through the service (see conftest)."""

    class Meta:
        model = LetterRequest

    applicant = factory.SubFactory(UserFactory)
    writer_name = factory.Sequence(lambda n: f"Dr. Maria Delgado {n}")
    writer_email = factory.Sequence(lambda n: f"mdelgado{n}@lakeshore-health.example.org")
    writer_title = "Attending Physician, Internal Medicine"
    writer_institution = "Lakeshore University Medical Center"
    relationship = "Supervised me for four weeks on the inpatient medicine service."
    waived = True
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
