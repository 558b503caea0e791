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


def test_the_django_admin_shows_status_read_only_so_it_cannot_skip_the_publishing_rules(client, admin_user):
    pending = ListingFactory(status=Listing.Status.PENDING_REVIEW, institution=InstitutionFactory(verified=False))
    client.force_login(admin_user)

    form = client.get(reverse("admin:placements_listing_change", args=[pending.pk])).content.decode()

    assert 'name="status"' not in form


MODERATION = reverse("placements:moderation")


def test_admins_see_listings_by_status_and_publish_one_through_the_service(client, admin_user):
    pending = ListingFactory(
        status=Listing.Status.PENDING_REVIEW, title="Awaiting Review", institution=InstitutionFactory(verified=False)
    )
    ListingFactory(title="Already Live")
    client.force_login(admin_user)

    page = client.get(MODERATION).content.decode()
    assert "Awaiting Review" in page and "Already Live" not in page
    assert "Already Live" in client.get(MODERATION, {"status": "published"}).content.decode()

    client.post(reverse("placements:moderation_publish", args=[pending.pk]), {"status": "pending_review"})
    pending.refresh_from_db()
    assert pending.status == Listing.Status.PUBLISHED
    assert ListingEvent.objects.get(listing=pending).actor == admin_user


def test_admins_unpublish_back_to_review_and_a_refusal_is_explained(client, admin_user):
    live = ListingFactory(title="Live One")
    client.force_login(admin_user)
    client.post(reverse("placements:moderation_unpublish", args=[live.pk]))
    live.refresh_from_db()
    assert live.status == Listing.Status.PENDING_REVIEW
    event = ListingEvent.objects.get(listing=live)
    assert (event.old_status, event.new_status) == (Listing.Status.PUBLISHED, Listing.Status.PENDING_REVIEW)

    archived = ListingFactory(status=Listing.Status.ARCHIVED)
    response = client.post(reverse("placements:moderation_publish", args=[archived.pk]), follow=True)
    assert "cannot become published" in response.content.decode()
    archived.refresh_from_db()
    assert archived.status == Listing.Status.ARCHIVED


def test_coordinators_and_applicants_cannot_moderate(client, coordinator, applicant):
    listing = ListingFactory(status=Listing.Status.PENDING_REVIEW)
    for user in (coordinator, applicant):
        client.force_login(user)
        assert client.get(MODERATION).status_code == 403
        assert client.post(reverse("placements:moderation_publish", args=[listing.pk])).status_code == 403
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW
