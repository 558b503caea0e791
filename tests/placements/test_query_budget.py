"""The catalogue pages run a constant number of queries whatever the catalogue's size."""

import pytest
from django.db import connection
from django.urls import reverse

from placements.models import DocumentRequirement, ImmunisationRequirement, Specialty
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

STATES = ["IL", "TX", "NY", "CA", "FL", "OH", "PA", "AZ", "WA", "GA"]
# The counts: on PostgreSQL one query, plus one per facet with an active filter (grouping sets);
# elsewhere one aggregate, one query a facet and the specialties' names.
SEARCH_BUDGET = 6 if connection.vendor == "postgresql" else 11
LISTING_BUDGET = (
    8  # 6 for the listing, 1 for its reviews' summary (applications.selectors), 1 for its last correction (trust)
)


def build_catalogue(n: int):
    specialties = list(Specialty.objects.order_by("pk")[:20])
    institutions = [InstitutionFactory(state=state) for state in STATES]
    listings = []
    for i in range(n):
        listing = ListingFactory(institution=institutions[i % len(institutions)], specialty=specialties[i % 20])
        SessionFactory(listing=listing)
        listings.append(listing)
    DocumentRequirement.objects.create(listing=listings[0], kind="cv")
    ImmunisationRequirement.objects.create(listing=listings[0], immunisation="mmr")
    SessionFactory(listing=listings[0])
    return listings


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "internal medicine", "state": "IL", "open_now": "1", "visa": "j1", "sort": "deadline"},
        {"kind": "rotation", "lor": "1", "no_ecfmg": "1", "duration": "up-to-4", "fee_max": "5000", "page": "2"},
    ],
)
def test_search_page_query_count_does_not_grow(client, django_assert_max_num_queries, size, query):
    build_catalogue(size)
    with django_assert_max_num_queries(SEARCH_BUDGET):
        response = client.get(reverse("placements:search"), query)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_search_page_for_a_signed_in_coordinator_stays_in_budget(
    client, coordinator, django_assert_max_num_queries, size
):
    build_catalogue(size)
    client.force_login(coordinator)
    with django_assert_max_num_queries(SEARCH_BUDGET + 4):  # session, user, memberships, MFA authenticator
        assert client.get(reverse("placements:search"), {"state": "IL"}).status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_listing_page_query_count_does_not_grow(client, django_assert_max_num_queries, size):
    listings = build_catalogue(size)
    with django_assert_max_num_queries(LISTING_BUDGET):
        response = client.get(reverse("placements:listing", args=[listings[0].pk]))
    assert response.status_code == 200
    assert len(response.context["others"]) == (6 if size == 200 else 0)


@pytest.mark.parametrize("size", [5, 200])
def test_our_listings_and_the_edit_page_stay_in_budget(
    client, coordinator, institution, django_assert_max_num_queries, size
):
    listings = [ListingFactory(institution=institution) for _ in range(size)]
    for listing in listings[:3]:
        SessionFactory(listing=listing)
    client.force_login(coordinator)
    # Each budget includes the MFA middleware's authenticator check for coordinators.
    with django_assert_max_num_queries(5):
        assert client.get(reverse("placements:manage_listings")).status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(reverse("placements:listing_edit", args=[listings[0].pk])).status_code == 200
