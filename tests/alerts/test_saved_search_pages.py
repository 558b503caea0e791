"""An applicant saves the search on screen and manages their saved searches; nobody else can."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alerts.models import SavedSearch
from alerts.services import saved_search_create
from placements.selectors import SEARCH_PAGE_PARTS
from tests.placements.factories import InstitutionFactory, ListingFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("placements:search")
NEW = reverse("alerts:saved_search_new")
MINE = reverse("alerts:list")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


def a_search(owner, name="Cardiology in Texas", querystring="specialty=dermatology&state=TX", **kwargs):
    return saved_search_create(
        owner=owner, name=name, querystring=querystring, frequency=kwargs.get("frequency", "daily")
    )


# --- "Save this search" on the search page -------------------------------------------------------


def test_the_search_page_offers_an_applicant_to_save_the_search_named_after_it(applicant_client):
    html = applicant_client.get(SEARCH, {"q": "cardiology", "state": "TX", "page": "1"}).content.decode()

    assert "Save this search" in html
    assert 'value="“cardiology” · Texas"' in html
    assert 'name="querystring" value="q=cardiology&amp;state=TX"' in html


def test_without_a_search_there_is_nothing_to_save_yet(applicant_client):
    html = applicant_client.get(SEARCH).content.decode()

    assert "Save search</button>" not in html
    assert "then save the search" in html


@pytest.mark.parametrize("who", ["anonymous", "coordinator"])
def test_others_are_not_offered_the_control(client, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    html = client.get(SEARCH, {"q": "cardiology"}).content.decode()

    assert "Save this search" not in html


def test_an_htmx_search_brings_the_control_up_to_date_out_of_band(applicant_client):
    html = applicant_client.get(SEARCH, {"state": "OH"}, **HTMX).content.decode()

    assert 'id="save-search" class="save-search" aria-label="Save this search" hx-swap-oob="true"' in html
    assert 'value="Ohio"' in html


def test_saving_stores_the_search_and_goes_back_to_its_results(applicant_client, applicant):
    response = applicant_client.post(
        NEW, {"name": " Ohio  rotations ", "frequency": "weekly", "querystring": "state=OH&kind=rotation&page=3"}
    )

    saved = SavedSearch.objects.get(owner=applicant)
    assert (saved.name, saved.frequency, saved.querystring) == ("Ohio rotations", "weekly", "kind=rotation&state=OH")
    assert response.status_code == 302 and response["Location"] == f"{SEARCH}?kind=rotation&state=OH"
    assert "Saved “Ohio rotations”" in applicant_client.get(response["Location"]).content.decode()


def test_a_double_click_saves_one(applicant_client, applicant):
    data = {"name": "Ohio", "frequency": "daily", "querystring": "state=OH", "submission_token": "a" * 32}

    first = applicant_client.post(NEW, data)
    second = applicant_client.post(NEW, data, **HTMX)

    assert first.status_code == 302 and second.status_code == 200
    assert SavedSearch.objects.filter(owner=applicant).count() == 1
    assert "Search saved: “Ohio”" in second.content.decode()


def test_htmx_saving_answers_with_the_saved_note(applicant_client, applicant):
    response = applicant_client.post(NEW, {"name": "Ohio", "frequency": "immediate", "querystring": "state=OH"}, **HTMX)

    assert response.status_code == 200
    assert "Search saved: “Ohio”" in response.content.decode()
    assert reverse("alerts:list") in response.content.decode()


def test_a_bad_save_says_why_and_keeps_what_was_typed(applicant_client, applicant):
    data = {"name": "   ", "frequency": "hourly", "querystring": "state=ZZ&q=heart"}

    page = applicant_client.post(NEW, data)
    part = applicant_client.post(NEW, {**data, "name": "My heart search"}, **HTMX)

    assert page.status_code == 400
    html = page.content.decode()
    assert "Give the search a name." in html or "This field is required." in html
    assert "is not one of the available choices" in html
    assert "State: “ZZ” is not a US state we know" in html
    assert 'value="state=ZZ&amp;q=heart"' in html
    assert part.status_code == 200  # htmx swaps only a 2xx in
    assert 'value="My heart search"' in part.content.decode()
    assert not SavedSearch.objects.exists()


def test_a_name_already_used_is_refused_in_words_and_the_form_kept(applicant_client, applicant):
    a_search(applicant, "Ohio")

    response = applicant_client.post(
        NEW, {"name": "ohio", "frequency": "daily", "querystring": "state=OH&lor=1"}, **HTMX
    )

    html = response.content.decode()
    assert "You already have a saved search called “ohio”" in html
    assert 'value="state=OH&amp;lor=1"' in html or 'value="lor=1&amp;state=OH"' in html
    assert SavedSearch.objects.filter(owner=applicant).count() == 1


def test_a_filter_the_alerts_cannot_watch_is_refused_in_words(applicant_client):
    response = applicant_client.post(
        NEW, {"name": "Fast", "frequency": "daily", "querystring": "answers_2w=1&state=OH"}
    )

    assert response.status_code == 400
    assert "A saved search cannot watch" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_saving_a_search_for_everything_is_refused_in_words(applicant_client):
    response = applicant_client.post(NEW, {"name": "All", "frequency": "daily", "querystring": ""})

    assert response.status_code == 400
    assert "this search would match every placement" in response.content.decode()


def test_only_applicants_save_searches(client, coordinator):
    client.force_login(coordinator)

    assert client.post(NEW, {"name": "x", "frequency": "daily", "querystring": "state=OH"}).status_code == 403
    assert not SavedSearch.objects.exists()


# --- My saved searches ---------------------------------------------------------------------------


def test_my_saved_searches_lists_mine_in_words_with_a_link_to_run_each(applicant_client, applicant, other_applicant):
    a_search(applicant, "Texas cardiology", "open_now=1&specialty=dermatology&state=TX&fee_max=5000")
    a_search(other_applicant, "Somebody else's", "state=OH")

    html = applicant_client.get(MINE).content.decode()

    assert "Texas cardiology" in html and "Somebody else" not in html
    assert "Dermatology · Texas · total cost up to $5,000 · Open for applications now" in html
    assert f'href="{SEARCH}?fee_max=5000&amp;open_now=1&amp;specialty=dermatology&amp;state=TX"' in html
    assert "Tell me: daily digest" in html


def test_rename_and_change_frequency(applicant_client, applicant):
    search = a_search(applicant)

    response = applicant_client.post(
        reverse("alerts:saved_search_edit", args=[search.pk]), {"name": "Heart, TX", "frequency": "immediate"}
    )

    search.refresh_from_db()
    assert response.status_code == 302
    assert (search.name, search.frequency) == ("Heart, TX", "immediate")


def test_a_bad_rename_keeps_what_was_typed_on_that_row(applicant_client, applicant):
    search = a_search(applicant)

    response = applicant_client.post(
        reverse("alerts:saved_search_edit", args=[search.pk]), {"name": "x" * 500, "frequency": "immediate"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most" in html
    assert f'id="s{search.pk}_name"' in html and "x" * 500 in html
    search.refresh_from_db()
    assert search.name == "Cardiology in Texas"


def test_pause_and_resume(applicant_client, applicant):
    search = a_search(applicant)
    url = reverse("alerts:saved_search_pause", args=[search.pk])

    applicant_client.post(url, {"paused": "1"})
    search.refresh_from_db()
    assert search.paused
    assert "Resume<span" in applicant_client.get(MINE).content.decode()

    applicant_client.post(url, {"paused": "0"})
    search.refresh_from_db()
    assert not search.paused


def test_delete_asks_first_then_deletes(applicant_client, applicant):
    search = a_search(applicant)
    url = reverse("alerts:saved_search_delete", args=[search.pk])

    confirm = applicant_client.get(url)
    assert "Delete “Cardiology in Texas”?" in confirm.content.decode()
    assert SavedSearch.objects.filter(pk=search.pk).exists()

    response = applicant_client.post(url)
    assert response.status_code == 302
    assert not SavedSearch.objects.filter(pk=search.pk).exists()


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("alerts:saved_search_edit", "post", {"name": "Hijacked", "frequency": "immediate"}),
        ("alerts:saved_search_pause", "post", {"paused": "1"}),
        ("alerts:saved_search_delete", "get", {}),
        ("alerts:saved_search_delete", "post", {}),
    ],
)
def test_another_applicants_saved_search_is_a_404_and_unchanged(client, applicant, other_applicant, name, method, data):
    search = a_search(applicant)
    client.force_login(other_applicant)

    response = getattr(client, method)(reverse(name, args=[search.pk]), data)

    assert response.status_code == 404
    search.refresh_from_db()
    assert (search.name, search.paused) == ("Cardiology in Texas", False)


def test_the_pages_are_for_applicants(client, coordinator):
    assert client.get(MINE).status_code == 302  # to the login page
    client.force_login(coordinator)
    assert client.get(MINE).status_code == 403


def test_the_navigation_links_to_my_saved_searches(applicant_client):
    assert f'href="{MINE}"' in applicant_client.get(reverse("applicants:saved")).content.decode()


@pytest.mark.parametrize("size", [2, 20])  # 20: the most one applicant may keep
def test_my_saved_searches_reads_a_fixed_number_of_queries(
    applicant_client, applicant, django_assert_max_num_queries, size
):
    specialties = ["dermatology", "pediatrics", "neurology"]
    for n in range(size):
        a_search(applicant, f"Search {n}", f"specialty={specialties[n % 3]}&state=TX&q=term{n}")

    with django_assert_max_num_queries(6):  # session, user, roles (2), the searches, their specialties
        html = applicant_client.get(MINE).content.decode()

    assert html.count('class="card saved-search"') == size
    assert "Dermatology · Texas" in html


@pytest.mark.parametrize("size", [0, 20])
def test_the_save_control_adds_no_query_to_the_search_page(applicant_client, applicant, size, monkeypatch):
    ListingFactory(institution=InstitutionFactory(state="TX"))
    for n in range(size):
        a_search(applicant, f"Search {n}", f"state=TX&q=term{n}")
    query = {"state": "TX", "specialty": "dermatology", "q": "skin"}
    parts = list(SEARCH_PAGE_PARTS)
    monkeypatch.setattr("placements.selectors.SEARCH_PAGE_PARTS", [])
    applicant_client.get(SEARCH, query)  # the counts' cache warmed
    with CaptureQueriesContext(connection) as without:
        applicant_client.get(SEARCH, query)
    monkeypatch.setattr("placements.selectors.SEARCH_PAGE_PARTS", parts)
    with CaptureQueriesContext(connection) as with_control:
        html = applicant_client.get(SEARCH, query).content.decode()

    assert "Save this search" in html
    assert len(with_control) == len(without)
