"""Anonymous searches are served from the rendered-output cache (placements.search.render_cache):
a changed listing still shows at once, and nobody's personal bits reach anybody else."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("placements:search")
API = "/api/v1/listings/"


@pytest.fixture
def catalogue():
    return [
        SessionFactory(listing=ListingFactory(title=f"Cardiology Rotation {n}", visas=["j1"])).listing for n in range(3)
    ]


def test_a_repeated_anonymous_search_is_served_without_a_query(client, catalogue, django_assert_num_queries):
    first = client.get(SEARCH, {"q": "cardiology"}, headers={"HX-Request": "true"}).content.decode()
    with django_assert_num_queries(0):
        again = client.get(SEARCH, {"q": "cardiology"}, headers={"HX-Request": "true"}).content.decode()
        page = client.get(SEARCH, {"q": "cardiology"}).content.decode()
    assert again == first and first in page
    assert "Cardiology Rotation 0" in again and "3 placements" in again


def test_the_page_around_the_cached_results_keeps_a_fresh_csrf_token(client, catalogue):
    tokens = {re.search(r'"X-CSRFToken": "([^"]+)"', client.get(SEARCH).content.decode()).group(1) for _ in range(2)}
    assert len(tokens) == 2


def test_the_htmx_fragment_and_the_whole_page_show_the_same_results(client, catalogue):
    page = client.get(SEARCH, {"q": "cardiology"}).content.decode()
    fragment = client.get(SEARCH, {"q": "cardiology"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<div id="search-area"')
    assert fragment in page
    assert "<html" not in fragment and "<html" in page


def test_a_changed_listing_shows_at_once(client, catalogue):
    assert "Cardiology Rotation 1" in client.get(SEARCH).content.decode()
    assert "Cardiology Rotation 1" in client.get(API).content.decode()

    listing = catalogue[1]
    listing.title = "Cardiology Rotation, renamed"
    listing.save()

    html = client.get(SEARCH).content.decode()
    assert "Cardiology Rotation, renamed" in html and "Cardiology Rotation 1" not in html
    assert "Cardiology Rotation, renamed" in client.get(API).content.decode()


def test_a_new_session_window_shows_as_time_moves(client, catalogue, monkeypatch):
    listing = ListingFactory(title="Opens soon")
    SessionFactory(
        listing=listing,
        applications_open_at=timezone.now() + dt.timedelta(seconds=90),
        applications_close_at=timezone.now() + dt.timedelta(days=30),
    )
    assert "Opens soon" not in client.get(SEARCH, {"open_now": "1"}).content.decode()

    later = timezone.now() + dt.timedelta(minutes=3)
    monkeypatch.setattr(timezone, "now", lambda: later)  # no catalogue change: only the clock moved

    assert "Opens soon" in client.get(SEARCH, {"open_now": "1"}).content.decode()


def test_an_applicants_badges_never_reach_a_visitor_or_another_applicant(client, catalogue):
    alice = ApplicantProfileFactory(planned_visa="j1").user
    client.force_login(alice)
    alices_page = client.get(SEARCH).content.decode()
    assert 'data-eligibility="eligible"' in alices_page
    assert "Only where I am eligible" in alices_page
    assert {item["eligibility"] for item in client.get(API).json()["results"]} == {"eligible"}

    client.logout()
    visitors_page = client.get(SEARCH).content.decode()
    assert "data-eligibility" not in visitors_page and "Only where I am eligible" not in visitors_page
    assert alice.email not in visitors_page
    assert all(item["eligibility"] is None for item in client.get(API).json()["results"])

    # The visitor's render is now cached: the next applicant still gets their own verdicts, not it.
    bob = ApplicantProfileFactory(planned_visa="f1").user
    client.force_login(bob)
    bobs_page = client.get(SEARCH).content.decode()
    assert 'data-eligibility="not_eligible"' in bobs_page and 'data-eligibility="eligible"' not in bobs_page
    assert alice.email not in bobs_page
    assert {item["eligibility"] for item in client.get(API).json()["results"]} == {"not_eligible"}


def test_an_ignored_parameter_is_explained_from_the_cache_too(client, catalogue):
    for _ in range(2):
        html = client.get(SEARCH, {"fee_max": "lots"}).content.decode()
        assert "Part of this link could not be used" in html


def test_search_works_while_the_cache_server_is_down(client, catalogue, monkeypatch):
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache server down")

    for name in ("get", "set", "add", "incr"):
        monkeypatch.setattr(cache, name, unreachable)

    assert "3 placements" in client.get(SEARCH).content.decode()


def test_cards_and_filters_read_as_before_the_rendering_was_sped_up(client):
    ListingFactory(title="Skin clinic", kind="observership", hands_on_level="observational", visas=["j1", "b1b2"])
    ListingFactory(title="Ward rotation", kind="rotation", hands_on_level="hands_on", visas=[])
    html = client.get(SEARCH, {"kind": "observership"}).content.decode()

    # Each facet option: its label and count, the chosen one selected.
    assert '<option value="observership" selected>Observership (1)</option>' in html
    assert '<option value="rotation">Clinical rotation / elective (1)</option>' in html
    card = html[html.index(">Skin clinic</a>") :]
    assert '<span class="badge">Observership</span>' in card
    assert '<span class="badge badge-warn">Observational</span>' in card
    assert "<dd>B-1/B-2 visitor visa, J-1 exchange visitor</dd>" in card


def test_while_one_request_re_renders_a_search_the_others_serve_the_previous_minutes(
    client, catalogue, monkeypatch, django_assert_num_queries
):
    """At the turn of a minute the workers must not all re-render the same searches at once."""
    from django.core.cache import cache

    from placements.search import count_cache

    listing = ListingFactory(title="Opens soon")
    SessionFactory(
        listing=listing,
        applications_open_at=timezone.now() + dt.timedelta(seconds=90),
        applications_close_at=timezone.now() + dt.timedelta(days=30),
    )
    assert "Opens soon" not in client.get(SEARCH, {"open_now": "1"}).content.decode()
    later = timezone.now() + dt.timedelta(minutes=3)
    monkeypatch.setattr(timezone, "now", lambda: later)

    held = []
    with monkeypatch.context() as busy:
        claim = count_cache.claim_recompute

        def claimed_by_another(key):  # another request takes the lock (for real) first
            held.append(key)
            return claim(key) and claim(key)

        busy.setattr(count_cache, "claim_recompute", claimed_by_another)
        with django_assert_num_queries(0):
            stale = client.get(SEARCH, {"open_now": "1"}, headers={"HX-Request": "true"}).content.decode()
        assert "Opens soon" not in stale and "Cardiology Rotation 0" in stale
    assert held
    for key in held:
        cache.delete(f"{key}:lock")

    assert "Opens soon" in client.get(SEARCH, {"open_now": "1"}).content.decode()


def test_a_catalogue_change_is_never_hidden_by_a_re_render_in_progress(client, catalogue, monkeypatch):
    from placements.search import count_cache

    assert "Cardiology Rotation 1" in client.get(SEARCH).content.decode()
    monkeypatch.setattr(count_cache, "claim_recompute", lambda key: False)  # someone else always holds it
    catalogue[1].title = "Cardiology Rotation, renamed"
    catalogue[1].save()

    assert "Cardiology Rotation, renamed" in client.get(SEARCH).content.decode()


def test_a_repeated_search_by_specialty_is_served_without_even_parsing_it(client, catalogue, django_assert_num_queries):
    """Parsing a search looks its specialty up in the database: a cached answer is found without it."""
    slug = catalogue[0].specialty.slug
    first = client.get(SEARCH, {"specialty": slug, "q": "cardiology"}).content.decode()
    api_first = client.get(API, {"specialty": slug, "q": "cardiology"}).json()
    with django_assert_num_queries(0):
        # Tracking parameters and the order of the parameters do not make another search.
        again = client.get(f"{SEARCH}?q=cardiology&utm_source=newsletter&specialty={slug}").content.decode()
        api_again = client.get(f"{API}?q=cardiology&specialty={slug}&utm_source=newsletter").json()
    assert api_again == api_first and api_first["count"] >= 1
    assert "<title>Find placements: cardiology · USCE Portal</title>" in again
    area = re.search(r'<div id="search-area".*</div>', first, re.S).group(0)
    assert area in again


def test_a_different_value_is_a_different_search(client, catalogue):
    assert "Cardiology Rotation 0" in client.get(SEARCH, {"q": "cardiology"}).content.decode()
    assert "Cardiology Rotation 0" not in client.get(SEARCH, {"q": "dermatology"}).content.decode()
    assert client.get(API, {"q": "cardiology"}).json()["count"] == 3
    assert client.get(API, {"q": "dermatology"}).json()["count"] == 0


def test_a_process_reads_a_repeated_search_from_its_memory_while_the_cache_server_holds_it(
    client, catalogue, monkeypatch
):
    """The copy in memory saves reading the whole output again; it is only used while the cache
    server holds the very entry it copies (its tag), so it is never staler than the cache."""
    from django.core.cache import cache

    first = client.get(SEARCH, {"q": "cardiology"}).content.decode()
    read = []
    get_many, get = cache.get_many, cache.get
    monkeypatch.setattr(cache, "get_many", lambda keys, **kw: read.extend(keys) or get_many(keys, **kw))
    monkeypatch.setattr(cache, "get", lambda key, *a, **kw: read.append(key) or get(key, *a, **kw))
    again = client.get(SEARCH, {"q": "cardiology"}).content.decode()
    assert "Cardiology Rotation 0" in again and first.count("Cardiology Rotation") == again.count("Cardiology Rotation")
    assert not [key for key in read if key.startswith("placements:search-output:") and not key.endswith(":tag")]

    # Changed without a signal, then the cache emptied (its version starts again from the same
    # number): the copy in memory is not served, the search is rendered again.
    from placements.models import Listing

    Listing.objects.filter(pk=catalogue[0].pk).update(title="Cardiology Rotation, quietly renamed")
    cache.clear()
    assert "Cardiology Rotation, quietly renamed" in client.get(SEARCH, {"q": "cardiology"}).content.decode()
