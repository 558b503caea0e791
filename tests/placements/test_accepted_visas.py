"""The listing's copy of its accepted visas (what "only where I am eligible" reads) follows every change."""

import pytest

from applicants.eligibility import filter_eligible_listings
from placements.models import Listing, Visa
from placements.services import listing_update
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def eligible_titles(profile):
    return set(filter_eligible_listings(Listing.objects.all(), profile).values_list("title", flat=True))


def visa(code):
    return Visa.objects.get_or_create(code=code)[0]


def test_a_j1_applicant_sees_a_listing_once_its_coordinator_adds_j1(coordinator, institution):
    listing = ListingFactory(institution=institution, title="Cardiology elective", visas=["b1b2"])
    SessionFactory(listing=listing)
    applicant = ApplicantProfileFactory(planned_visa="j1")
    assert eligible_titles(applicant) == set()

    listing_update(listing=listing, actor=coordinator, fields={}, accepted_visas=[visa("b1b2"), visa("j1")])

    assert eligible_titles(applicant) == {"Cardiology elective"}
    assert Listing.objects.get(pk=listing.pk).accepted_visa_codes == ",b1b2,j1,"


def test_removing_and_clearing_visas_from_either_side_updates_what_applicants_see():
    listing = ListingFactory(title="Observership", visas=["j1", "f1"])
    f1_applicant = ApplicantProfileFactory(planned_visa="f1")
    no_visa_yet = ApplicantProfileFactory(planned_visa="")
    assert eligible_titles(f1_applicant) == {"Observership"} and eligible_titles(no_visa_yet) == set()

    visa("f1").listings.remove(listing)
    assert eligible_titles(f1_applicant) == set()

    listing.accepted_visas.clear()  # no visa named: open to everyone, even before they say theirs
    assert eligible_titles(f1_applicant) == eligible_titles(no_visa_yet) == {"Observership"}

    visa("h1b").listings.add(listing)
    assert eligible_titles(f1_applicant) == set()
    visa("h1b").listings.clear()
    assert eligible_titles(f1_applicant) == {"Observership"}


def test_saving_a_listing_read_before_its_visas_changed_keeps_the_new_visas():
    listing = ListingFactory(title="Externship", visas=["b1b2"])
    stale = Listing.objects.get(pk=listing.pk)
    listing.accepted_visas.set([visa("j1")])

    stale.title = "Externship in medicine"
    stale.save()

    assert eligible_titles(ApplicantProfileFactory(planned_visa="j1")) == {"Externship in medicine"}
    assert eligible_titles(ApplicantProfileFactory(planned_visa="b1b2")) == set()
