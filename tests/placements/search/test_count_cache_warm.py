"""After a catalogue change the worker counts the whole catalogue again (count_cache.warm_after_change),
so the first visitor after the change reads the counts instead of counting."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements import search
from placements.models import Listing
from placements.search import count_cache
from placements.tasks import warm_search_counts_task
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_rendered_each_time")]
URL = reverse("placements:search")


def counting(queries) -> list[str]:
    # The counts' statements: COUNT over the listings (never in the page's own queries).
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.fixture
def warm(settings):
    settings.PORTAL_SEARCH_WARM_COUNTS = True  # Celery runs eagerly in tests: the task runs at commit


def test_the_first_visit_after_a_change_reads_counts_the_worker_made(client, warm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ListingFactory(institution=InstitutionFactory(state="IL"))
        listing = ListingFactory(institution=InstitutionFactory(state="TX"), kind=Listing.Kind.OBSERVERSHIP)
        SessionFactory(listing=listing)

    with CaptureQueriesContext(connection) as queries:
        result = client.get(URL).context["result"]
    assert not counting(queries)
    assert result.total == 2
    assert {v.value: v.count for v in result.facets["state"]} == {"IL": 1, "TX": 1}


def test_without_the_worker_the_first_visit_counts(client, django_capture_on_commit_callbacks):
    # The check above can fail: with warming off, the same visit runs the counting query itself.
    with django_capture_on_commit_callbacks(execute=True):
        ListingFactory(institution=InstitutionFactory(state="TX"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).context["result"].total == 1
    assert counting(queries)


def test_a_burst_of_changes_is_counted_once_by_the_worker(warm, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(warm_search_counts_task, "apply_async", lambda args, countdown: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        for listing in ListingFactory.create_batch(3):  # listings, institutions, specialties, sessions
            SessionFactory(listing=listing)
    # One recount, queued at the commit for the version it left: the worker counts it.
    assert queued == [[count_cache.catalogue_version()]]
    assert warm_search_counts_task.apply(args=queued[0]).get() is True


def test_a_recount_for_an_older_version_does_nothing(warm, django_capture_on_commit_callbacks):
    version = count_cache.catalogue_version()
    ListingFactory()  # a change after the task was queued: the newer version queues its own
    assert warm_search_counts_task.apply(args=[version]).get() is False
    assert warm_search_counts_task.apply(args=[count_cache.catalogue_version()]).get() is True


def test_a_broker_that_refuses_the_task_does_not_fail_the_change(warm, monkeypatch, django_capture_on_commit_callbacks):
    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(warm_search_counts_task, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        listing = ListingFactory(title="Cardiology observership")
    assert Listing.objects.filter(pk=listing.pk).exists()
    assert search.search_listings(search.parse_params({})).total == 1
