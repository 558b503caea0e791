import datetime as dt

from django.urls import reverse
from django.utils import timezone

from placements.models import Listing, ListingEvent, Session, Specialty
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory


def listing_post_data(institution, **overrides):
    data = {
        "institution": institution.pk,
        "kind": "rotation",
        "title": "Family Medicine Clinical Rotation",
        "specialty": Specialty.objects.get(slug="family-medicine").pk,
        "description": "Four weeks in a busy outpatient clinic.",
        "hands_on_level": "hands_on",
        "duration_weeks": "4",
        "programme_fee": "2000",
        "application_fee": "100",
        "deposit": "0",
        "other_costs": "0",
        "accepts_students": "on",
        "accepts_graduates": "on",
        "min_letters": "0",
        "max_letters": "3",
        "accepted_visas": ["b1b2", "j1"],
        "document_kinds": ["cv", "passport"],
        "immunisations": ["mmr"],
    }
    data.update(overrides)
    return data


def test_a_coordinator_creates_a_draft_with_requirements(client, coordinator, institution):
    client.force_login(coordinator)
    response = client.post(reverse("placements:listing_new"), listing_post_data(institution))
    listing = Listing.objects.get(title="Family Medicine Clinical Rotation")
    assert response.status_code == 302
    assert listing.status == Listing.Status.DRAFT
    assert listing.institution == institution
    assert set(listing.accepted_visas.values_list("code", flat=True)) == {"b1b2", "j1"}
    assert set(listing.document_requirements.values_list("kind", flat=True)) == {"cv", "passport"}


def test_a_listing_without_accepted_visas_is_refused_and_the_form_keeps_what_was_typed(
    client, coordinator, institution
):
    client.force_login(coordinator)
    response = client.post(reverse("placements:listing_new"), listing_post_data(institution, accepted_visas=[]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tick at least one visa status" in body
    assert "Four weeks in a busy outpatient clinic." in body
    assert not Listing.objects.exists()


def test_a_double_click_on_save_creates_one_listing(client, coordinator, institution):
    client.force_login(coordinator)
    data = listing_post_data(institution, submission_token="a" * 32)
    first = client.post(reverse("placements:listing_new"), data)
    second = client.post(reverse("placements:listing_new"), data)
    assert Listing.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_coordinator_cannot_create_for_another_institution(client, coordinator):
    client.force_login(coordinator)
    elsewhere = InstitutionFactory()
    response = client.post(reverse("placements:listing_new"), listing_post_data(elsewhere))
    assert response.status_code == 400
    assert not Listing.objects.exists()


def test_another_institutions_listing_is_a_404_for_every_coordinator_action(client, other_coordinator, institution):
    listing = ListingFactory(institution=institution)
    session = SessionFactory(listing=listing)
    client.force_login(other_coordinator)
    for name, arg in [("listing_edit", listing.pk), ("session_new", listing.pk), ("session_edit", session.pk)]:
        assert client.get(reverse(f"placements:{name}", args=[arg])).status_code == 404
    for name, arg in [
        ("listing_duplicate", listing.pk),
        ("listing_archive", listing.pk),
        ("listing_submit", listing.pk),
        ("listing_reopen", listing.pk),
        ("session_archive", session.pk),
    ]:
        assert client.post(reverse(f"placements:{name}", args=[arg])).status_code == 404
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED
    assert Listing.objects.count() == 1


def test_applicants_may_not_manage_listings(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("placements:manage_listings")).status_code == 403
    assert client.get(reverse("placements:listing_new")).status_code == 403


def test_our_listings_shows_only_our_institutions(client, coordinator, institution):
    ours = ListingFactory(institution=institution, title="Ours")
    ListingFactory(title="Theirs")
    client.force_login(coordinator)
    body = client.get(reverse("placements:manage_listings")).content.decode()
    assert ours.title in body
    assert "Theirs" not in body


def test_editing_a_published_listing_keeps_its_status_and_sessions(client, coordinator, institution):
    listing = ListingFactory(institution=institution)
    session = SessionFactory(listing=listing)
    client.force_login(coordinator)
    data = listing_post_data(institution, title="Renamed Rotation")
    del data["institution"]
    response = client.post(reverse("placements:listing_edit", args=[listing.pk]), data)
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.title == "Renamed Rotation"
    assert listing.status == Listing.Status.PUBLISHED
    assert list(listing.sessions.values_list("pk", flat=True)) == [session.pk]


def test_editing_a_published_listing_of_an_unverified_institution_sends_it_back_to_review(
    client, coordinator, institution
):
    institution.verified = False
    institution.save()
    listing = ListingFactory(
        institution=institution,
        title="Family Medicine Clinical Rotation",
        status=Listing.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    client.force_login(coordinator)
    url = reverse("placements:listing_edit", args=[listing.pk])
    data = listing_post_data(institution)
    del data["institution"]
    client.post(url, data)  # saves what the factory left out (fees, visas...): a change like any other
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW
    page = client.get(url).content.decode()
    assert "out of search until an administrator reviews the changes" in page
    assert client.get(reverse("placements:search")).context["result"].total == 0
    assert ListingEvent.objects.filter(
        listing=listing, old_status="published", new_status="pending_review", actor=coordinator
    ).exists()


def test_saving_an_unchanged_listing_of_an_unverified_institution_keeps_it_published(client, coordinator, institution):
    listing = ListingFactory(institution=institution)
    client.force_login(coordinator)
    data = listing_post_data(institution)
    del data["institution"]
    client.post(reverse("placements:listing_edit", args=[listing.pk]), data)  # now it says exactly this
    institution.verified = False
    institution.save()
    client.post(reverse("placements:listing_edit", args=[listing.pk]), data)  # the same again: nothing to review
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED


def test_publishing_at_a_verified_institution_goes_live(client, coordinator, institution):
    listing = ListingFactory(institution=institution, status=Listing.Status.DRAFT)
    client.force_login(coordinator)
    client.post(reverse("placements:listing_submit", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED
    assert listing.published_at is not None
    assert ListingEvent.objects.get(listing=listing).actor == coordinator


def test_publishing_at_an_unverified_institution_waits_for_review(client, coordinator, institution):
    institution.verified = False
    institution.save()
    listing = ListingFactory(institution=institution, status=Listing.Status.DRAFT)
    client.force_login(coordinator)
    client.post(reverse("placements:listing_submit", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW
    assert client.get(reverse("placements:search")).context["result"].total == 0


def test_duplicate_makes_a_draft_copy_without_sessions(client, coordinator, institution):
    listing = ListingFactory(institution=institution, title="Neurology Observership")
    SessionFactory(listing=listing)
    client.force_login(coordinator)
    response = client.post(reverse("placements:listing_duplicate", args=[listing.pk]))
    copy = Listing.objects.exclude(pk=listing.pk).get()
    assert response["Location"] == reverse("placements:listing_edit", args=[copy.pk])
    assert copy.title == "Copy of Neurology Observership"
    assert copy.status == Listing.Status.DRAFT
    assert set(copy.accepted_visas.all()) == set(listing.accepted_visas.all())
    assert not copy.sessions.exists()


def test_archive_takes_a_listing_out_of_search(client, coordinator, institution):
    listing = ListingFactory(institution=institution)
    client.force_login(coordinator)
    client.post(reverse("placements:listing_archive", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ARCHIVED
    assert client.get(reverse("placements:search")).context["result"].total == 0


def session_data(start, **overrides):
    data = {
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=27)).isoformat(),
        "seats": "3",
        "applications_open_at": "2030-01-01T09:00",
        "applications_close_at": "2030-02-01T17:00",
        "offer_response_days": "7",
    }
    data.update(overrides)
    return data


def test_a_coordinator_adds_a_session_in_the_institutions_time_zone(client, coordinator, institution):
    listing = ListingFactory(institution=institution)  # Chicago
    client.force_login(coordinator)
    response = client.post(reverse("placements:session_new", args=[listing.pk]), session_data(dt.date(2030, 3, 4)))
    assert response.status_code == 302
    session = Session.objects.get(listing=listing)
    assert session.applications_close_at == dt.datetime(2030, 2, 1, 23, 0, tzinfo=dt.UTC)  # 17:00 CST


def test_a_window_closing_after_the_start_is_refused_with_a_reason(client, coordinator, institution):
    listing = ListingFactory(institution=institution)
    client.force_login(coordinator)
    response = client.post(reverse("placements:session_new", args=[listing.pk]), session_data(dt.date(2030, 1, 20)))
    assert response.status_code == 400
    assert "Applications must close before the session starts." in response.content.decode()
    assert not Session.objects.exists()


def test_duplicating_a_session_prefills_the_next_cohort(client, coordinator, institution):
    listing = ListingFactory(institution=institution)
    session = SessionFactory(listing=listing, start_date=dt.date(2030, 3, 4), end_date=dt.date(2030, 3, 31))
    client.force_login(coordinator)
    response = client.get(reverse("placements:session_new", args=[listing.pk]), {"copy": session.pk})
    assert response.context["form"].initial["start_date"] == dt.date(2030, 4, 1)


def test_archiving_a_session_keeps_the_row(client, coordinator, institution):
    session = SessionFactory(listing=ListingFactory(institution=institution))
    client.force_login(coordinator)
    client.post(reverse("placements:session_archive", args=[session.pk]))
    session.refresh_from_db()
    assert session.is_archived
    assert not Session.objects.open_for_applications(timezone.now()).exists()
