from django.urls import reverse

from placements.models import Listing, ListingEvent
from tests.placements.factories import InstitutionFactory, ListingFactory

CHANGELIST = reverse("admin:placements_listing_changelist")


def test_admins_bulk_publish_pending_listings_through_the_service(client, admin_user):
    pending = ListingFactory(status=Listing.Status.PENDING_REVIEW, institution=InstitutionFactory(verified=False))
    no_visas = ListingFactory(status=Listing.Status.PENDING_REVIEW, visas=[], title="No Visa Listing")
    client.force_login(admin_user)
    response = client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [pending.pk, no_visas.pk]}, follow=True
    )
    pending.refresh_from_db()
    no_visas.refresh_from_db()
    assert pending.status == Listing.Status.PUBLISHED
    assert ListingEvent.objects.get(listing=pending).actor == admin_user
    assert no_visas.status == Listing.Status.PENDING_REVIEW
    assert "No Visa Listing: Say which visa statuses" in response.content.decode()


def test_admins_bulk_archive(client, admin_user):
    listings = [ListingFactory(), ListingFactory()]
    client.force_login(admin_user)
    client.post(CHANGELIST, {"action": "archive_selected", "_selected_action": [x.pk for x in listings]})
    assert set(Listing.objects.values_list("status", flat=True)) == {Listing.Status.ARCHIVED}


def test_the_admin_searches_and_filters_listings(client, admin_user):
    ListingFactory(title="Pediatrics Observership")
    ListingFactory(title="Surgery Elective", status=Listing.Status.DRAFT)
    client.force_login(admin_user)
    body = client.get(CHANGELIST, {"q": "pediatrics"}).content.decode()
    assert "Pediatrics Observership" in body and "Surgery Elective" not in body
    body = client.get(CHANGELIST, {"status__exact": "draft"}).content.decode()
    assert "Surgery Elective" in body and "Pediatrics Observership" not in body


def test_coordinators_cannot_reach_the_admin(client, coordinator):
    client.force_login(coordinator)
    assert client.get(CHANGELIST).status_code == 302  # to the admin login
