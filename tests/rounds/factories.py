import datetime as dt

import factory
from django.utils import timezone

from rounds.models import Round
from tests.accounts.factories import AdminFactory


class RoundFactory(factory.django.DjangoModelFactory):
    """An open round: ranks due in a week, published a day later, offers answered within a week."""

    class Meta:
        model = Round
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Summer 2027 sub-internship match {n}")
    rank_deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    publish_at = factory.LazyAttribute(lambda o: o.rank_deadline + dt.timedelta(days=1))
    offer_deadline = factory.LazyAttribute(lambda o: o.publish_at + dt.timedelta(days=7))
    opened_by = factory.SubFactory(AdminFactory)

    @factory.post_generation
    def sessions(self, create, extracted, **kwargs):
        if create and extracted:
            self.sessions.set(extracted)
