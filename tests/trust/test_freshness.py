"""Freshness: coordinators confirm a listing in one click (from the listing or the 90-day e-mail);
a listing unconfirmed for 180 days is shown as possibly out of date, ranked lower and listed for admins."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.models import Listing
from tests.placements.factories import ListingFactory
from trust.freshness import freshness_reminders_send
from trust.models import ListingFreshness
from trust.tasks import freshness_reminders_task

pytestmark = pytest.mark.django_db


def _age(listing, days: int | None, published_days: int = 400):
    Listing.objects.filter(pk=listing.pk).update(
        last_verified_on=None if days is None else timezone.localdate() - dt.timedelta(days=days),
        published_at=timezone.now() - dt.timedelta(days=published_days),
    )


def test_a_coordinator_confirms_from_the_listing_page(client, listing, coordinator):
    _age(listing, 200)
    client.force_login(coordinator)
    page = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()
    assert "Possibly out of date" in page and "Confirm these details are current" in page

    client.post(reverse("trust:listing_confirm", args=[listing.pk]))

    listing.refresh_from_db()
    assert listing.last_verified_on == timezone.localdate()
    assert ListingFreshness.objects.get(listing=listing).confirmed_by == coordinator
    page = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()
    assert "Possibly out of date" not in page
    assert f"last confirmed these details on {timezone.localdate():%-d %b %Y}" in page


def test_another_institution_cannot_confirm(client, listing, other_coordinator, applicant):
    client.force_login(other_coordinator)
    assert client.post(reverse("trust:listing_confirm", args=[listing.pk])).status_code == 404
    client.force_login(applicant)
    assert client.post(reverse("trust:listing_confirm", args=[listing.pk])).status_code == 403
    listing.refresh_from_db()
    assert listing.last_verified_on is None


def test_the_reminder_goes_every_90_days_with_the_one_click_link(
    listing, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    _age(listing, 95)
    fresh = ListingFactory(institution=listing.institution)
    _age(fresh, 10)

    # The outbox sends once the recording transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert freshness_reminders_task.apply().get() == 1
    assert freshness_reminders_send() == 0  # claimed: not again within 90 days

    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert reverse("trust:listing_confirm", args=[listing.pk]) in mailoutbox[0].body
    later = timezone.now() + dt.timedelta(days=91)
    with django_capture_on_commit_callbacks(execute=True):
        assert freshness_reminders_send(now=later) == 2  # now both are due
    assert len(mailoutbox) == 3


def test_stale_listings_are_listed_for_admins_and_ranked_lower(client, institution, admin_user):
    stale = ListingFactory(institution=institution, title="Stale Cardiology Rotation")
    fresh = ListingFactory(institution=institution, title="Fresh Cardiology Rotation")
    never = ListingFactory(institution=institution, title="New Cardiology Rotation")
    _age(stale, 181)
    _age(fresh, 5)
    _age(never, None, published_days=30)  # never confirmed but published lately: not stale

    client.force_login(admin_user)
    queue = client.get(reverse("trust:reports")).content.decode()
    assert "Stale Cardiology Rotation" in queue
    assert "Fresh Cardiology Rotation" not in queue and "New Cardiology Rotation" not in queue

    client.logout()
    results = client.get(reverse("placements:search"), {"q": "cardiology"}).content.decode()
    assert results.index("Stale Cardiology Rotation") > results.index("Fresh Cardiology Rotation")
    assert results.index("Stale Cardiology Rotation") > results.index("New Cardiology Rotation")
