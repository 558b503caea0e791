"""The search's counts are cached (placements.search.count_cache); a change to the catalogue shows at once."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from applicants.models import ApplicantProfile
from placements import search, services
from placements.models import Listing, Visa
from placements.search import count_cache
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_rendered_each_time")]
URL = reverse("placements:search")


def counts(client, **query):
    result = client.get(URL, query).context["result"]
    facets = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    return result.total, facets, {name: flag.count for name, flag in result.flags.items()}


@pytest.fixture
def catalogue(db):
    il = InstitutionFactory(state="IL")
    listings = [ListingFactory(institution=il, visas=["j1"]) for _ in range(3)]
    for listing in listings:
        SessionFactory(listing=listing)
    return {"il": il, "listings": listings}


def test_a_repeated_search_reads_its_counts_from_the_cache(catalogue, django_assert_max_num_queries):
    # Through the service: an anonymous page request would be served whole from the rendered-output cache.
    def search_counts_of(query):
        result = search.search_listings(search.parse_params(query))
        return result.total, result.facets, result.flags

    first = search_counts_of({"state": "IL"})
    # The counts' queries (one aggregate, one a facet) are gone; the page's own queries remain.
    with django_assert_max_num_queries(4):
        again = search_counts_of({"state": "IL"})
    assert again == first


def test_a_new_listing_shows_in_the_counts_at_once(client, catalogue):
    total, facets, _flags = counts(client)
    assert total == 3 and facets["state"] == {"IL": 3}

    ListingFactory(institution=InstitutionFactory(state="TX"), kind=Listing.Kind.OBSERVERSHIP)

    total, facets, _flags = counts(client)
    assert total == 4
    assert facets["state"] == {"IL": 3, "TX": 1}
    assert facets["kind"]["observership"] == 1


def test_an_archived_listing_leaves_the_counts(client, catalogue):
    counts(client)
    listing = catalogue["listings"][0]
    listing.status = Listing.Status.ARCHIVED
    listing.save()

    assert counts(client)[0] == 2


def test_archiving_a_session_updates_open_now_though_it_is_an_update_query(client, catalogue, coordinator):
    assert counts(client)[2]["open_now"] == 3
    session = catalogue["listings"][0].sessions.get()
    coordinator.memberships.create(institution=catalogue["il"])

    services.session_archive(session=session, actor=coordinator)

    assert counts(client)[2]["open_now"] == 2


def test_a_change_of_accepted_visas_updates_the_visa_facet(client, catalogue):
    assert counts(client)[1]["visa"] == {"j1": 3}

    catalogue["listings"][0].accepted_visas.add(Visa.objects.get_or_create(code="b1b2")[0])

    assert counts(client)[1]["visa"] == {"j1": 3, "b1b2": 1}


def test_an_institution_moving_state_moves_its_listings_in_the_state_facet(client, catalogue):
    counts(client)
    catalogue["il"].state = "OH"
    catalogue["il"].save()

    assert counts(client)[1]["state"] == {"OH": 3}


def test_a_window_that_opens_counts_from_the_next_minute(client, catalogue, monkeypatch):
    listing = ListingFactory()
    start = timezone.localdate() + dt.timedelta(days=90)
    SessionFactory(
        listing=listing,
        start_date=start,
        applications_open_at=timezone.now() + dt.timedelta(seconds=90),
        applications_close_at=timezone.now() + dt.timedelta(days=30),
    )
    assert counts(client)[2]["open_now"] == 3

    later = timezone.now() + dt.timedelta(minutes=3)
    monkeypatch.setattr(timezone, "now", lambda: later)  # no catalogue change: only the clock moved

    assert counts(client)[2]["open_now"] == 4


def test_each_applicant_gets_the_eligible_count_of_their_own_profile(client, catalogue, applicant, other_applicant):
    Listing.objects.filter(pk=catalogue["listings"][0].pk).update(requires_step1_pass=True)
    ListingFactory(visas=["f1"])  # a catalogue change, so the update above is counted
    ApplicantProfile.objects.update_or_create(user=applicant, defaults={"step1_result": "pass", "planned_visa": "j1"})
    ApplicantProfile.objects.update_or_create(user=other_applicant, defaults={"step1_result": "", "planned_visa": "j1"})

    client.force_login(applicant)
    assert counts(client)[2]["eligible"] == 3
    client.force_login(other_applicant)
    assert counts(client)[2]["eligible"] == 2

    # The applicant's own profile change is in the counts' key: no stale count after saving it.
    other_applicant.applicant_profile.step1_result = "pass"
    other_applicant.applicant_profile.save()
    other_applicant.refresh_from_db()
    assert counts(client)[2]["eligible"] == 3


def test_search_and_listing_saves_work_while_the_cache_server_is_down(client, catalogue, monkeypatch):
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache server down")

    for name in ("get", "set", "add", "incr"):
        monkeypatch.setattr(cache, name, unreachable)

    ListingFactory(institution=catalogue["il"])  # the version cannot be bumped: the save still succeeds

    assert counts(client)[0] == 4  # counted without the cache


def test_a_minute_later_only_the_open_now_count_is_counted_again(
    client, catalogue, monkeypatch, django_assert_max_num_queries
):
    first = counts(client, state="IL")
    later = timezone.now() + dt.timedelta(minutes=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    # The page's own three queries and one count ("open now"); the facets wait for a catalogue change.
    with django_assert_max_num_queries(4):
        assert counts(client, state="IL") == first


def _held_by_another_request(monkeypatch) -> list[str]:
    """Another request holds the recount's lock: claim it for them (for real), then fail ours.
    Returns the keys so claimed."""
    from placements.search import count_cache

    claim, held = count_cache.claim_recompute, []

    def claimed_by_another(key):
        held.append(key)
        return claim(key) and claim(key)

    monkeypatch.setattr(count_cache, "claim_recompute", claimed_by_another)
    return held


def _release(keys):
    """The other request ends (or its lock expires)."""
    from django.core.cache import cache

    for key in keys:
        cache.delete(f"{key}:lock")


def _window_opening_in_90_seconds():
    SessionFactory(
        listing=ListingFactory(),
        start_date=timezone.localdate() + dt.timedelta(days=90),
        applications_open_at=timezone.now() + dt.timedelta(seconds=90),
        applications_close_at=timezone.now() + dt.timedelta(days=30),
    )


def _open_now(found, query) -> int:
    # With "open now" ticked the total is the open-now count; unticked, the flag's count.
    total, _facets, flags = found
    return total if query else flags["open_now"]


@pytest.mark.parametrize("query", [{}, {"open_now": "1"}])
def test_while_one_request_recounts_the_others_serve_the_previous_minutes_counts(
    client, catalogue, monkeypatch, query, django_assert_max_num_queries
):
    _window_opening_in_90_seconds()
    assert _open_now(counts(client, **query), query) == 3
    later = timezone.now() + dt.timedelta(minutes=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with monkeypatch.context() as busy:
        held = _held_by_another_request(busy)
        with django_assert_max_num_queries(3):  # nothing counted: the previous minute's counts
            assert _open_now(counts(client, **query), query) == 3
    assert held
    _release(held)
    assert _open_now(counts(client, **query), query) == 4


def test_a_catalogue_change_is_never_hidden_by_a_recount_in_progress(client, catalogue, monkeypatch):
    assert counts(client, open_now="1")[0] == 3
    _held_by_another_request(monkeypatch)
    SessionFactory(listing=ListingFactory(institution=catalogue["il"]))
    assert counts(client, open_now="1")[0] == 4


def test_counts_stamped_before_the_version_was_lost_are_never_served_again(client, catalogue):
    # A flush or an eviction can drop the version counter while entries it stamped survive.
    cache.delete(count_cache.VERSION_KEY)  # the counter starts afresh, as after a restart
    assert counts(client)[0] == 3
    cache.delete(count_cache.VERSION_KEY)
    # A change that bumps nothing stands for one made while the counter was gone.
    Listing.objects.bulk_create([ListingFactory.build(institution=catalogue["il"], status=Listing.Status.PUBLISHED)])

    assert counts(client)[0] == 4
