import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.models import DocumentRequirement, Listing
from tests.placements.factories import ListingFactory, SessionFactory


@pytest.fixture
def listing(institution):
    listing = ListingFactory(
        institution=institution,
        title="Internal Medicine Inpatient Rotation",
        deposit=Decimal("500"),
        other_costs=Decimal("250"),
        other_costs_note="malpractice insurance",
        visa_denial_refund=True,
        refund_terms="Full refund up to 30 days before the start.",
        requires_ecfmg_certification=True,
        min_step2_score=230,
        source="Programme brochure 2026",
        last_verified_on=dt.date(2026, 10, 1),
    )
    DocumentRequirement.objects.create(listing=listing, kind="background_check", valid_within_days=365)
    return listing


def test_the_listing_page_shows_what_an_applicant_needs_to_decide(client, listing):
    session = SessionFactory(listing=listing, seats=5)
    body = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()
    for text in [
        "Internal Medicine Inpatient Rotation",
        "Lakeshore University Medical Center",
        "$2,500",
        "$100",
        "$500",
        "$250",
        "malpractice insurance",
        "$3,350",  # total of every cost
        "Refund if your visa is denied",
        "Full refund up to 30 days",
        "B-1/B-2 visitor visa",
        "J-1 exchange visitor",
        "ECFMG certification: <strong>required",
        "at least 230",
        "Background check (issued within 365 days of the start)",
        "5 of 5",
        "Programme brochure 2026",
        "1 Oct 2026",
    ]:
        assert text in body, text
    assert session.start_date.strftime("%-d %b %Y") in body


def test_deadlines_are_shown_in_the_viewers_zone_and_the_zone_is_named(client, listing, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    close = dt.datetime(2031, 3, 1, 17, 0, tzinfo=dt.UTC)  # 09:00 in Los Angeles
    SessionFactory(
        listing=listing,
        start_date=dt.date(2031, 4, 1),
        applications_open_at=timezone.now(),
        applications_close_at=close,
    )
    body = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()
    assert "America/Los_Angeles" in body
    assert "1 Mar 2031, 09:00 PST" in body


def test_archived_sessions_and_past_ones_are_not_offered(client, listing):
    SessionFactory(listing=listing, start_date=dt.date(2031, 5, 4), is_archived=True)
    body = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()
    assert "4 May 2031" not in body
    assert "No upcoming dates are published yet." in body


def test_the_institutions_other_listings_are_linked(client, listing):
    other = ListingFactory(institution=listing.institution, title="Cardiology Observership")
    ListingFactory(institution=listing.institution, title="Hidden Draft", status=Listing.Status.DRAFT)
    body = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()
    assert reverse("placements:listing", args=[other.pk]) in body
    assert "Hidden Draft" not in body


@pytest.mark.parametrize("status", [Listing.Status.DRAFT, Listing.Status.PENDING_REVIEW, Listing.Status.ARCHIVED])
def test_an_unpublished_listing_is_a_404_for_the_public_and_other_coordinators(
    client, listing, other_coordinator, status
):
    Listing.objects.filter(pk=listing.pk).update(status=status)
    url = reverse("placements:listing", args=[listing.pk])
    assert client.get(url).status_code == 404
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404


def test_its_own_coordinator_previews_a_draft(client, listing, coordinator):
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.DRAFT)
    client.force_login(coordinator)
    response = client.get(reverse("placements:listing", args=[listing.pk]))
    assert response.status_code == 200
    assert "applicants cannot see it" in response.content.decode()


def test_navigation_offers_find_placements_to_everyone(client, applicant):
    assert reverse("placements:search") in client.get(reverse("home")).content.decode()
    client.force_login(applicant)
    body = client.get(reverse("home")).content.decode()
    assert "Find placements" in body
    assert "Our listings" not in body


def test_navigation_offers_our_listings_to_coordinators(client, coordinator):
    client.force_login(coordinator)
    assert reverse("placements:manage_listings") in client.get(reverse("home")).content.decode()


def test_the_back_link_returns_to_the_search_the_visitor_came_from(client, listing):
    url = reverse("placements:listing", args=[listing.pk])
    body = client.get(url, headers={"Referer": "http://testserver/placements/?q=medicine&state=IL"}).content.decode()
    assert 'href="/placements/?q=medicine&amp;state=IL"' in body
    assert "Back to your results" in body
    body = client.get(url, headers={"Referer": "https://elsewhere.example/placements/?q=x"}).content.decode()
    assert 'href="/placements/" class="back-link"' in body
