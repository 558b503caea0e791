from applications.states import Status
from placements.demo import ensure_demo_institutions
from placements.models import Listing
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory
from trust.demo import SPEEDS, ensure_demo_trust
from trust.models import ListingReport, VisaLetter


def test_the_demo_shows_every_trust_feature_once(db):
    institution = ensure_demo_institutions()[0]
    for i in range(len(SPEEDS) + 4):
        ListingFactory(institution=institution, title=f"Demo listing {i}")
    ApplicationFactory(session=SessionFactory(listing=Listing.objects.first()), status=Status.ACCEPTED)

    ensure_demo_trust()
    ensure_demo_trust()  # idempotent

    shown = Listing.objects.filter(response_median_days__isnull=False).order_by("response_median_days")
    assert shown.count() == 5  # the sixth has too few decided applications
    assert shown.first().response_median_days < 5 < shown.last().response_median_days
    assert Listing.objects.get(pk=institution.listings.order_by("pk")[5].pk).response_median_days is None
    assert VisaLetter.objects.filter(revoked_at__isnull=True).count() == 1
    assert set(ListingReport.objects.values_list("status", flat=True)) == {"open", "corrected"}
    assert Listing.objects.filter(last_verified_on__isnull=False).count() == 3
