"""Saved searches over the API: an applicant's own, created, read, changed and deleted; refusals
are problem details a client can show."""

import pytest

from alerts.models import SavedSearch
from alerts.services import MAX_SAVED_SEARCHES, saved_search_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/saved-searches/"


def item(pk: int) -> str:
    return f"{URL}{pk}/"


def test_an_applicant_saves_a_search_and_reads_it_back_in_words(alice, applicant):
    response = alice.post(
        URL,
        {"name": "Texas dermatology", "querystring": "?state=TX&specialty=dermatology&sort=fee&page=2"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Texas dermatology"
    assert body["querystring"] == "specialty=dermatology&state=TX"
    assert body["frequency"] == "daily" and body["paused"] is False
    assert body["description"] == "Dermatology · Texas"
    assert body["search_url"].endswith("/placements/?specialty=dermatology&state=TX")
    assert body["listings_url"].endswith("/api/v1/listings/?specialty=dermatology&state=TX")
    assert alice.get(item(body["id"])).json() == body
    assert SavedSearch.objects.get(owner=applicant).state == "TX"


def test_the_list_is_the_callers_own_paginated(alice, bob, applicant, other_applicant):
    saved_search_create(owner=applicant, name="B ohio", querystring="state=OH")
    saved_search_create(owner=applicant, name="A texas", querystring="state=TX")
    saved_search_create(owner=other_applicant, name="Bob's", querystring="state=NY")

    mine = alice.get(URL, {"page_size": 1}).json()

    assert mine["count"] == 2 and mine["next"] and [s["name"] for s in mine["results"]] == ["A texas"]
    assert [s["name"] for s in bob.get(URL).json()["results"]] == ["Bob's"]


def test_rename_change_frequency_pause_and_resume(alice, applicant):
    search = saved_search_create(owner=applicant, name="Ohio", querystring="state=OH")

    renamed = alice.patch(item(search.pk), {"name": "Ohio, weekly", "frequency": "weekly"}, format="json").json()
    paused = alice.patch(item(search.pk), {"paused": True}, format="json").json()

    assert (renamed["name"], renamed["frequency"], renamed["paused"]) == ("Ohio, weekly", "weekly", False)
    assert paused["paused"] is True
    assert alice.patch(item(search.pk), {"paused": False}, format="json").json()["paused"] is False


def test_delete(alice, applicant):
    search = saved_search_create(owner=applicant, name="Ohio", querystring="state=OH")

    assert alice.delete(item(search.pk)).status_code == 204
    assert alice.get(item(search.pk)).status_code == 404


def test_another_applicants_saved_search_is_404_and_unchanged(bob, applicant):
    search = saved_search_create(owner=applicant, name="Ohio", querystring="state=OH")

    for response in (
        bob.get(item(search.pk)),
        bob.patch(item(search.pk), {"name": "Mine now"}, format="json"),
        bob.delete(item(search.pk)),
    ):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    search.refresh_from_db()
    assert search.name == "Ohio"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_coordinator_is_refused_with_403(carol, method):
    response = getattr(carol, method)(URL, {"name": "x", "querystring": "state=OH"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "This endpoint is for applicants."


def test_without_credentials_it_is_401(anon):
    assert anon.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("querystring", "says"),
    [
        ("state=ZZ", "State: “ZZ” is not a US state we know."),
        ("fee_max=lots&state=OH", "Maximum total cost: “lots” is not an amount in dollars."),
        ("colour=blue&state=OH", "“colour” is not a search parameter"),
        ("", "this search would match every placement"),
        ("answers_2w=1&state=OH", "A saved search cannot watch"),
        ("q=" + "x" * 1200, "too long to save"),
    ],
)
def test_an_unusable_querystring_is_a_readable_400(alice, querystring, says):
    response = alice.post(URL, {"name": "Bad", "querystring": querystring}, format="json")

    assert response.status_code == 400
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert any(says in message for message in problem["errors"]["querystring"]), problem
    assert not SavedSearch.objects.exists()


def test_bad_names_and_frequencies_are_400_with_each_field(alice):
    response = alice.post(URL, {"name": "   ", "querystring": "state=OH", "frequency": "hourly"}, format="json")

    errors = response.json()["errors"]
    assert response.status_code == 400
    assert set(errors) == {"name", "frequency"}


def test_a_name_taken_or_the_cap_reached_is_a_409_saying_so(alice, applicant):
    saved_search_create(owner=applicant, name="Ohio", querystring="state=OH")
    taken = alice.post(URL, {"name": "OHIO", "querystring": "state=TX"}, format="json")
    for n in range(MAX_SAVED_SEARCHES - 1):
        saved_search_create(owner=applicant, name=f"S{n}", querystring=f"q=t{n}")
    full = alice.post(URL, {"name": "One more", "querystring": "state=TX"}, format="json")

    assert taken.status_code == 409 and "already have a saved search called" in taken.json()["detail"]
    assert full.status_code == 409 and "delete one to save another" in full.json()["detail"]


def test_the_schema_describes_the_endpoints(anon):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    paths = schema["paths"]
    assert set(paths[URL]) >= {"get", "post"} and set(paths[URL + "{id}/"]) >= {"get", "patch", "delete"}
    assert paths[URL]["post"]["responses"]["400"]["content"]["application/problem+json"]
    create = schema["components"]["schemas"]["SavedSearchCreateRequest"]
    assert "querystring" in create["required"] and "sort" in create["properties"]["querystring"]["description"]
    assert set(schema["components"]["schemas"]["FrequencyEnum"]["enum"]) == {"immediate", "daily", "weekly"}


@pytest.mark.parametrize("size", [1, 20])
def test_the_list_reads_a_fixed_number_of_queries(alice, applicant, django_assert_max_num_queries, size):
    for n in range(size):
        saved_search_create(owner=applicant, name=f"S{n}", querystring=f"specialty=dermatology&q=t{n}")

    with django_assert_max_num_queries(7):
        assert len(alice.get(URL, {"page_size": 100}).json()["results"]) == size
