"""What the listing page shows from applications: seats left and the way in to apply."""
from django.urls import reverse

from applications.states import Status
from placements.models import Session
from tests.applications.factories import ApplicationFactory


def test_seats_left_counts_open_offers_and_accepted_places_only(session):
    for status in [Status.OFFERED, Status.ACCEPTED, Status.SUBMITTED, Status.DECLINED, Status.WAITLISTED]:
        ApplicationFactory(session=session, status=status)
    assert Session.objects.with_seats_left().get(pk=session.pk).seats_left == session.seats - 2


def test_seats_left_never_goes_below_zero(session):
    for _ in range(session.seats):
        ApplicationFactory(session=session, status=Status.ACCEPTED)
    session.seats = 1
    session.save()
    assert Session.objects.with_seats_left().get(pk=session.pk).seats_left == 0


def test_an_open_session_links_to_its_application(client, applicant, session):
    client.force_login(applicant)
    page = client.get(reverse("placements:listing", args=[session.listing.pk])).content.decode()
    assert reverse("applications:apply", args=[session.pk]) in page
