"""What the listing page shows from applications: seats left and the way in to apply."""

import pytest
from django.db import connection
from django.urls import reverse

from applications.states import Status
from placements.models import Session
from tests.applications.factories import ApplicationFactory


def test_seats_left_counts_open_offers_and_accepted_places_only(session):
    for status in [Status.OFFERED, Status.ACCEPTED, Status.SUBMITTED, Status.DECLINED, Status.WAITLISTED]:
        ApplicationFactory(session=session, status=status)
    assert Session.objects.with_seats_left().get(pk=session.pk).seats_left == session.seats - 2


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="PostgreSQL refuses fewer seats than places held (docs/seats.md); the clamp guards SQLite.",
)
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


def test_the_listing_page_shows_the_aggregate_of_visible_reviews(client, session):
    from applications.models import Review

    session.seats = 3  # a place for each reviewer
    session.save(update_fields=["seats"])
    for hands_on, letter, cost, hidden, comment in [
        (4, True, 3100, False, "Wrote notes daily"),
        (2, True, 2900, False, ""),
        (1, False, 9000, True, "Spam"),
    ]:
        application = ApplicationFactory(session=session, status=Status.COMPLETED)
        Review.objects.create(
            application=application,
            listing=session.listing,
            hands_on=hands_on,
            letter_received=letter,
            real_total_cost=cost,
            hidden=hidden,
            comment=comment,
        )
    body = client.get(reverse("placements:listing", args=[session.listing.pk])).content.decode()
    assert "2 reviews · hands-on 3.0 / 4 · letter received by 2 of 2 · real total cost about $3000" in body
    assert "Wrote notes daily" in body and "Spam" not in body
