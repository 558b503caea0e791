"""A listing written while its institution or specialty is being renamed, on PostgreSQL with real
threads: its search document must carry the new name, whichever transaction commits first.

The rename re-indexes the listings its UPDATE can see (migrations 0004, 0014). A listing another
transaction inserted, or moved to that institution or specialty, was not among them while
uncommitted, and its own trigger had read the old name: a search for the new name missed it until
its next edit. Now such a listing waits for the rename (or the rename for it), and the second one
reads what the first one committed (migration 0021).
"""

import pytest
from django.db import connection
from django.urls import reverse

from placements.models import Institution, Listing, Specialty
from tests.applications.concurrency import (  # noqa: F401 - the fixtures apply to this module
    RACES,
    a_then_b,
    reseed_after_the_module,
    seeded_specialty,
)
from tests.placements.factories import InstitutionFactory, ListingFactory

pytestmark = [*RACES, pytest.mark.usefixtures("page_rendered_each_time")]
URL = reverse("placements:search")
NEW_NAME = "Prairie Heights Regional Hospital"


def _rename_institution(institution):
    return lambda: Institution.objects.filter(pk=institution.pk).update(name=NEW_NAME)


def _titles(client, text):
    page = client.get(URL, {"q": text}).context["result"].page
    return sorted(row.title for row in page.object_list)


def _document_matches(listing_id: int, text: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector @@ websearch_to_tsquery('english', %s) FROM placements_listing WHERE id = %s",
            [text, listing_id],
        )
        return cursor.fetchone()[0]


def test_a_listing_added_while_its_institution_is_renamed_is_found_by_the_new_name(client, institution):
    ListingFactory(institution=institution, title="Cardiology Elective")
    added: list[Listing] = []

    waited = a_then_b(
        _rename_institution(institution),
        lambda: added.append(ListingFactory(institution=institution, title="Neurology Rotation")),
    )

    assert _titles(client, "prairie heights") == ["Cardiology Elective", "Neurology Rotation"]
    assert _titles(client, "lakeshore") == []
    assert waited, "the new listing never waited for the rename"


def test_a_rename_while_a_listing_is_being_added_reaches_that_listing(client, institution):
    ListingFactory(institution=institution, title="Cardiology Elective")
    added: list[Listing] = []

    waited = a_then_b(
        lambda: added.append(ListingFactory(institution=institution, title="Neurology Rotation")),
        _rename_institution(institution),
    )

    assert _titles(client, "prairie heights") == ["Cardiology Elective", "Neurology Rotation"]
    assert _titles(client, "lakeshore") == []
    assert waited, "the rename never waited for the new listing"


def test_a_listing_moved_to_an_institution_being_renamed_is_found_by_the_new_name(client, institution):
    elsewhere = InstitutionFactory(name="Gulf Coast Medical Center", city="Houston", state="TX")
    moved = ListingFactory(institution=elsewhere, title="Neurology Rotation")

    waited = a_then_b(
        _rename_institution(institution),
        lambda: Listing.objects.filter(pk=moved.pk).update(institution=institution),
    )

    assert _titles(client, "prairie heights") == ["Neurology Rotation"]
    assert not _document_matches(moved.pk, "gulf coast")
    assert waited, "the moved listing never waited for the rename"


def test_a_listing_added_while_its_parent_specialty_is_renamed_is_found_by_the_new_name(client, institution):
    parent = Specialty.objects.create(name="Pulmonology Group", slug="pulmonology-group")
    child = Specialty.objects.create(name="Sleep Studies", slug="sleep-studies", parent=parent)
    added: list[Listing] = []

    waited = a_then_b(
        lambda: Specialty.objects.filter(pk=parent.pk).update(name="Respiratory Medicine Group"),
        lambda: added.append(ListingFactory(institution=institution, specialty=child, title="Night Clinic")),
    )

    assert _titles(client, "respiratory") == ["Night Clinic"]
    assert not _document_matches(added[0].pk, "pulmonology")
    assert waited, "the new listing never waited for the rename of its specialty's parent"


def test_an_edit_during_a_rename_keeps_both_in_the_document(institution):
    """An edit that keeps the listing where it is takes no lock on its institution: it waits on the
    listing's own row, which the rename's re-indexing holds, then recomputes with the new name."""
    listing = ListingFactory(institution=institution, title="Cardiology Elective")

    waited = a_then_b(
        _rename_institution(institution),
        lambda: Listing.objects.filter(pk=listing.pk).update(description="Now with weekend call."),
    )

    assert _document_matches(listing.pk, "prairie heights")
    assert _document_matches(listing.pk, "weekend call")
    assert waited, "the edit never waited for the rename's lock on the listing"
