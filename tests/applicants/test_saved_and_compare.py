"""Saved listings and comparing up to three side by side."""

import pytest
from django.urls import reverse

from applicants.models import SavedListing
from placements.models import Listing
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_saving_twice_keeps_one_and_the_saved_page_lists_it(applicant_client, applicant):
    listing = SessionFactory().listing
    url = reverse("applicants:saved_add", args=[listing.pk])

    applicant_client.post(url)
    applicant_client.post(url)

    assert SavedListing.objects.filter(user=applicant).count() == 1
    html = applicant_client.get(reverse("applicants:saved")).content.decode()
    assert listing.title in html and 'data-eligibility="' in html


def test_htmx_save_returns_the_pressed_button(applicant_client):
    listing = ListingFactory()

    response = applicant_client.post(reverse("applicants:saved_add", args=[listing.pk]), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'aria-pressed="true"' in html and reverse("applicants:saved_remove", args=[listing.pk]) in html


def test_removing_a_saved_listing(applicant_client, applicant):
    listing = ListingFactory()
    SavedListing.objects.create(user=applicant, listing=listing)

    applicant_client.post(reverse("applicants:saved_remove", args=[listing.pk]))

    assert not SavedListing.objects.exists()


def test_a_draft_listing_cannot_be_saved(applicant_client):
    draft = ListingFactory(status=Listing.Status.DRAFT)

    assert applicant_client.post(reverse("applicants:saved_add", args=[draft.pk])).status_code == 404


def test_saving_needs_a_post_and_an_applicant(client, applicant, coordinator):
    listing = ListingFactory()
    client.force_login(applicant)
    assert client.get(reverse("applicants:saved_add", args=[listing.pk])).status_code == 405
    client.force_login(coordinator)
    assert client.post(reverse("applicants:saved_add", args=[listing.pk])).status_code == 403


def test_a_saved_page_shows_only_my_listings(client, applicant, other_applicant):
    mine, theirs = ListingFactory(title="Mine"), ListingFactory(title="Theirs")
    SavedListing.objects.create(user=applicant, listing=mine)
    SavedListing.objects.create(user=other_applicant, listing=theirs)
    client.force_login(applicant)

    html = client.get(reverse("applicants:saved")).content.decode()

    assert "Mine" in html and "Theirs" not in html


def test_compare_shows_fees_dates_hands_on_and_requirements_met(client):
    profile = ApplicantProfileFactory(planned_visa="f1")
    client.force_login(profile.user)
    a = SessionFactory(listing=ListingFactory(title="Cardiology A", visas=["j1"])).listing
    b = SessionFactory(listing=ListingFactory(title="Cardiology B", visas=[], hands_on_level="observational")).listing

    html = client.get(reverse("applicants:compare"), {"listing": [a.pk, b.pk]}).content.decode()

    assert "Cardiology A" in html and "Cardiology B" in html
    assert "Accepts J-1 visa: you plan F-1." in html
    assert "Observational" in html and "$2,600" in html
    assert html.count('data-eligibility="eligible"') == 1 and html.count('data-eligibility="not_eligible"') == 1


def test_compare_takes_at_most_three_and_says_so(applicant_client):
    listings = [ListingFactory(title=f"Listing {n}") for n in range(4)]

    html = applicant_client.get(reverse("applicants:compare"), {"listing": [x.pk for x in listings]}).content.decode()

    assert "You can compare up to 3 listings at a time" in html
    assert "Listing 2" in html and "Listing 3" not in html


def test_compare_ignores_drafts_and_nonsense(applicant_client):
    draft = ListingFactory(title="Secret draft", status=Listing.Status.DRAFT)

    response = applicant_client.get(reverse("applicants:compare"), {"listing": [draft.pk, "x; drop table"]})

    assert response.status_code == 200 and "Secret draft" not in response.content.decode()


def test_the_saved_page_reads_a_fixed_number_of_queries(applicant_client, applicant, django_assert_max_num_queries):
    for size in (2, 20):
        for _ in range(size):
            SavedListing.objects.create(user=applicant, listing=SessionFactory().listing)
        with django_assert_max_num_queries(14):
            assert applicant_client.get(reverse("applicants:saved")).status_code == 200
