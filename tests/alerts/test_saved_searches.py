import pytest

from alerts.models import SavedSearch
from alerts.services import (
    MAX_SAVED_SEARCHES,
    SavedSearchError,
    saved_search_create,
    saved_search_delete,
    saved_search_update,
)
from placements.models import Specialty

pytestmark = pytest.mark.django_db


def test_it_saves_the_filters_the_results_page_showed(applicant):
    Specialty.objects.get_or_create(slug="internal-medicine", defaults={"name": "Internal Medicine"})
    search = saved_search_create(
        owner=applicant,
        name="  Texas   medicine ",
        querystring="?state=TX&q=cardiology&specialty=internal-medicine&duration=5-8&fee_max=3000&eligible=1"
        "&sort=fee&page=3&utm_source=x",
        frequency="weekly",
    )
    assert search.name == "Texas medicine"
    assert (
        search.querystring == "duration=5-8&eligible=1&fee_max=3000&q=cardiology&specialty=internal-medicine&state=TX"
    )
    assert (search.state, search.text, search.specialty.slug) == ("TX", "cardiology", "internal-medicine")
    assert (search.min_weeks, search.max_weeks, search.fee_max) == (5, 8, 3000)
    assert search.eligible_only and search.frequency == "weekly" and not search.paused


def test_a_malformed_filter_is_dropped_as_the_results_page_ignores_it(applicant):
    search = saved_search_create(owner=applicant, name="Ohio", querystring="state=OH&fee_max=lots")
    assert search.querystring == "state=OH"
    assert search.fee_max is None


def test_it_refuses_a_filter_it_cannot_watch(applicant):
    with pytest.raises(SavedSearchError, match="Answers within 2 weeks"):
        saved_search_create(owner=applicant, name="Fast", querystring="state=OH&answers_2w=1")


def test_names_are_unique_per_owner_whatever_the_case(applicant, other_applicant):
    saved_search_create(owner=applicant, name="Texas", querystring="state=TX")
    with pytest.raises(SavedSearchError, match="already have a saved search called"):
        saved_search_create(owner=applicant, name="texas", querystring="state=TX")
    saved_search_create(owner=other_applicant, name="Texas", querystring="state=TX")


def test_an_owner_keeps_at_most_the_cap(applicant):
    for n in range(MAX_SAVED_SEARCHES):
        saved_search_create(owner=applicant, name=f"S{n}", querystring="state=TX")
    with pytest.raises(SavedSearchError, match="delete one"):
        saved_search_create(owner=applicant, name="One more", querystring="state=TX")


def test_bad_name_and_frequency_are_refused_with_a_message(applicant):
    with pytest.raises(SavedSearchError, match="Give the search a name"):
        saved_search_create(owner=applicant, name="  ", querystring="state=TX")
    with pytest.raises(SavedSearchError, match="at most 100"):
        saved_search_create(owner=applicant, name="x" * 101, querystring="state=TX")
    with pytest.raises(SavedSearchError, match="not a frequency"):
        saved_search_create(owner=applicant, name="T", querystring="state=TX", frequency="hourly")


def test_coordinators_cannot_save_searches(coordinator):
    with pytest.raises(SavedSearchError, match="Only applicants"):
        saved_search_create(owner=coordinator, name="T", querystring="state=TX")


def test_update_renames_pauses_and_refilters(applicant):
    search = saved_search_create(owner=applicant, name="Texas", querystring="state=TX")
    saved_search_create(owner=applicant, name="Ohio", querystring="state=OH")
    with pytest.raises(SavedSearchError, match="already have"):
        saved_search_update(saved_search=search, name="OHIO")
    saved_search_update(saved_search=search, name="Lone Star", paused=True, frequency="immediate")
    saved_search_update(saved_search=search, querystring="state=CA&lor=1")
    search.refresh_from_db()
    assert (search.name, search.paused, search.frequency) == ("Lone Star", True, "immediate")
    assert (search.state, search.lor, search.querystring) == ("CA", True, "lor=1&state=CA")


def test_delete(applicant):
    search = saved_search_create(owner=applicant, name="Texas", querystring="state=TX")
    saved_search_delete(saved_search=search)
    assert not SavedSearch.objects.exists()


def test_my_data_holds_the_saved_searches_and_deletion_erases_them(applicant):
    from applicants.personal_data import ERASERS, EXPORTERS

    saved_search_create(owner=applicant, name="Texas", querystring="state=TX")
    exported = {}
    for exporter in EXPORTERS:
        exported.update(exporter(applicant))
    assert exported["saved_searches.json"][0]["query"] == "state=TX"
    for eraser in ERASERS:
        eraser(applicant)
    assert not SavedSearch.objects.filter(owner=applicant).exists()
