"""application_offer_many: the match round's set-wise offers follow the same rules as one move."""

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import Application, ApplicationEvent
from applications.services import ApplicationError, application_offer_many
from applications.states import Actor, Status
from tests.applications.factories import ApplicationFactory

DEADLINE = timezone.now() + dt.timedelta(days=5)


def test_it_offers_every_application_with_an_event_each(session):
    submitted = ApplicationFactory(session=session)
    waitlisted = ApplicationFactory(session=session, status=Status.WAITLISTED)
    application_offer_many(application_ids=[submitted.pk, waitlisted.pk], expires_at=DEADLINE, message=" Matched. ")
    for application in Application.objects.filter(pk__in=[submitted.pk, waitlisted.pk]):
        assert (application.status, application.offer_expires_at, application.waitlist_position) == (
            Status.OFFERED,
            DEADLINE,
            None,
        )
    events = ApplicationEvent.objects.order_by("from_status")
    assert [(e.from_status, e.to_status, e.actor_role, e.message) for e in events] == [
        (Status.SUBMITTED, Status.OFFERED, Actor.SYSTEM, "Matched."),
        (Status.WAITLISTED, Status.OFFERED, Actor.SYSTEM, "Matched."),
    ]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REJECTED, Status.WITHDRAWN, Status.ACCEPTED])
def test_one_application_the_system_may_not_offer_refuses_them_all(session, status):
    fine = ApplicationFactory(session=session)
    blocked = ApplicationFactory(session=session, status=status)
    with pytest.raises(ApplicationError, match="cannot be moved to “Offered”"):
        application_offer_many(application_ids=[fine.pk, blocked.pk], expires_at=DEADLINE, message="Matched.")
    assert Application.objects.get(pk=fine.pk).status == Status.SUBMITTED
    assert not ApplicationEvent.objects.exists()


def test_it_never_offers_more_places_than_the_session_has(session):
    # `session` has 2 seats; one is already held.
    ApplicationFactory(session=session, status=Status.ACCEPTED)
    first, second = ApplicationFactory(session=session), ApplicationFactory(session=session)
    with pytest.raises(ApplicationError, match="All 2 places in this session are taken or offered"):
        application_offer_many(application_ids=[first.pk, second.pk], expires_at=DEADLINE, message="Matched.")
    assert Application.objects.filter(status=Status.OFFERED).count() == 0
