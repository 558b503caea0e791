import pytest

from placements.models import Listing, ListingEvent
from placements.services import (
    ALLOWED_TRANSITIONS,
    PlacementsError,
    _listing_transition,
    listing_archive,
    listing_publish,
)
from tests.placements.factories import ListingFactory

ALL = [s.value for s in Listing.Status]


@pytest.mark.parametrize("old", ALL)
@pytest.mark.parametrize("new", ALL)
def test_only_the_allowed_transitions_happen(admin_user, old, new):
    listing = ListingFactory(status=old)
    if new in ALLOWED_TRANSITIONS[old]:
        _listing_transition(listing=listing, new_status=new, actor=admin_user)
        listing.refresh_from_db()
        assert listing.status == new
        assert ListingEvent.objects.filter(listing=listing, old_status=old, new_status=new).exists()
    else:
        with pytest.raises(PlacementsError):
            _listing_transition(listing=listing, new_status=new, actor=admin_user)
        listing.refresh_from_db()
        assert listing.status == old
        assert not ListingEvent.objects.exists()


def test_a_listing_without_visas_cannot_be_published(admin_user):
    listing = ListingFactory(status=Listing.Status.PENDING_REVIEW, visas=[])
    with pytest.raises(PlacementsError, match="visa"):
        listing_publish(listing=listing, actor=admin_user)


def test_only_admins_publish_listings_under_review(coordinator, institution):
    listing = ListingFactory(institution=institution, status=Listing.Status.PENDING_REVIEW)
    with pytest.raises(PlacementsError):
        listing_publish(listing=listing, actor=coordinator)


def test_a_coordinator_cannot_archive_another_institutions_listing(other_coordinator):
    listing = ListingFactory()
    with pytest.raises(PlacementsError):
        listing_archive(listing=listing, actor=other_coordinator)
