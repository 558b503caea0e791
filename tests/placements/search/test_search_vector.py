"""PostgreSQL keeps each listing's full-text document current through a trigger (migration 0004)."""

import pytest
from django.db import connection

from placements.search import parse_params, search_listings
from tests.placements.factories import InstitutionFactory, ListingFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


def found(q):
    return [listing.title for listing in search_listings(parse_params({"q": q})).page.object_list]


def test_edits_to_a_listing_are_searchable_at_once(db):
    listing = ListingFactory(title="Neurology Observership", description="Stroke unit.")
    assert found("stroke") == ["Neurology Observership"]
    listing.description = "Epilepsy monitoring unit."
    listing.save()
    assert found("stroke") == []
    assert found("epilepsy") == ["Neurology Observership"]


def test_renaming_an_institution_reindexes_its_listings(db):
    institution = InstitutionFactory(name="Old Name Hospital")
    ListingFactory(institution=institution, title="Psychiatry Elective")
    institution.name = "Prairie View Medical Center"
    institution.save()
    assert found("prairie") == ["Psychiatry Elective"]


def test_renaming_a_specialty_reindexes_its_listings_and_its_subspecialties_listings(db):
    from placements.models import Specialty

    cardiology = Specialty.objects.get(slug="cardiovascular-disease")
    ListingFactory(title="Heart Failure Clinic Observership", specialty=cardiology)
    ListingFactory(title="Renal Clinic Elective", specialty=Specialty.objects.get(slug="nephrology"))
    internal_medicine = cardiology.parent
    internal_medicine.name = "Adult Medicine"
    internal_medicine.save()
    cardiology.name = "Cardiology"
    cardiology.save()
    assert found("cardiology") == ["Heart Failure Clinic Observership"]
    assert sorted(found("adult")) == ["Heart Failure Clinic Observership", "Renal Clinic Elective"]


def test_stemming_matches_word_forms(db):
    ListingFactory(title="Pediatric Cardiology Rotation", description="Children with heart disease.")
    assert found("pediatrics cardiologies") == ["Pediatric Cardiology Rotation"]


def test_a_subspecialty_listing_is_found_by_its_parent_specialty(db):
    from placements.models import Specialty

    ListingFactory(
        title="Nephrology Elective", description="Dialysis unit.", specialty=Specialty.objects.get(slug="nephrology")
    )
    assert "Nephrology Elective" in found("internal medicine")


def test_a_specialty_moved_under_another_parent_reindexes_its_listings(db):
    from placements.models import Specialty

    sleep = Specialty.objects.create(
        name="Sleep Medicine Studies", slug="sleep-medicine-studies", parent=Specialty.objects.get(slug="neurology")
    )
    ListingFactory(title="Night Clinic Observership", description="Polysomnography.", specialty=sleep)
    assert found("neurology polysomnography") == ["Night Clinic Observership"]

    sleep.parent = Specialty.objects.get(slug="psychiatry")
    sleep.save()

    assert found("psychiatry polysomnography") == ["Night Clinic Observership"]
    assert found("neurology polysomnography") == []


def test_a_specialty_no_longer_under_a_parent_drops_the_parents_name(db):
    from placements.models import Specialty

    nephrology = Specialty.objects.get(slug="nephrology")
    ListingFactory(title="Renal Clinic Elective", description="Dialysis unit.", specialty=nephrology)
    nephrology.parent = None
    nephrology.save()

    assert found("internal medicine dialysis") == []
    assert found("nephrology dialysis") == ["Renal Clinic Elective"]
