"""The API answers what the pages answer: the same search, eligibility and state machine."""

import pytest
from django.test import Client

from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory

pytestmark = pytest.mark.django_db


def test_search_uses_the_search_pages_filters_and_explains_ignored_ones(anon, institution):
    from placements import search as catalogue

    ListingFactory(institution=institution, title="Cardiology observership")
    query = "state=IL&sort=fee&fee_max=lots"
    body = anon.get(f"/api/v1/listings/?{query}").json()
    params = catalogue.parse_params(dict(p.split("=") for p in query.split("&")), extra_filters=catalogue.EXTRA_FILTERS)
    page = catalogue.search_listings(params, extra_filters=catalogue.EXTRA_FILTERS).page
    assert [r["id"] for r in body["results"]] == [listing.pk for listing in page.object_list]
    assert body["count"] == 1 and body["results"][0]["state"] == "IL"
    assert any("Maximum total cost" in note for note in body["notes"])
    assert {"value": "IL", "label": "Illinois", "count": 1, "selected": True} in body["facets"]["state"]


def test_search_pages_link_to_each_other(anon, institution):
    for _ in range(21):
        ListingFactory(institution=institution)
    first = anon.get("/api/v1/listings/").json()
    assert first["count"] == 21 and len(first["results"]) == 20 and first["previous"] is None
    second = anon.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None


def test_listing_detail_shows_an_applicant_their_eligibility_per_session(alice, anon, session):
    listing = alice.get(f"/api/v1/listings/{session.listing_id}/").json()
    assert listing["sessions"][0]["id"] == session.pk
    assert listing["sessions"][0]["eligibility"]["status"] in {"eligible", "not_eligible", "incomplete"}
    assert anon.get(f"/api/v1/sessions/{session.pk}/").json()["eligibility"] is None


def test_an_applicant_applies_submits_and_a_double_post_creates_one(alice, session, applicant):
    first = alice.post("/api/v1/applications/", {"session": session.pk}, format="json")
    again = alice.post("/api/v1/applications/", {"session": session.pk}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert applicant.applications.count() == 1
    pk = first.json()["id"]
    submitted = alice.post(f"/api/v1/applications/{pk}/submit/", {}, format="json")
    # Either it goes through or the service says what is missing, in the problem's `reasons`.
    if submitted.status_code == 409:
        assert submitted.json()["reasons"]
    else:
        assert submitted.json()["status"] == "submitted"


def test_an_applicant_accepts_an_offer_and_the_event_is_in_the_history(alice, applicant, session):
    application = ApplicationFactory(applicant=applicant, session=session, status="offered")
    body = alice.post(f"/api/v1/applications/{application.pk}/accept/", {"message": "Thank you!"}, format="json").json()
    assert body["status"] == "accepted"
    assert body["events"][-1]["to_status"] == "accepted" or body["events"][0]["to_status"] == "accepted"


def test_an_applicant_withdraws(alice, alices_application):
    assert (
        alice.post(f"/api/v1/applications/{alices_application.pk}/withdraw/", {}, format="json").json()["status"]
        == "withdrawn"
    )


def test_saved_listings_add_is_idempotent_and_remove_works(alice, listing, applicant):
    assert alice.put(f"/api/v1/applicants/saved/{listing.pk}/").status_code == 200
    assert alice.put(f"/api/v1/applicants/saved/{listing.pk}/").status_code == 200
    assert [s["id"] for s in alice.get("/api/v1/applicants/saved/").json()["results"]] == [listing.pk]
    assert alice.delete(f"/api/v1/applicants/saved/{listing.pk}/").status_code == 204
    assert alice.get("/api/v1/applicants/saved/").json()["count"] == 0


def test_the_schema_is_served_and_documents_problem_errors():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/applications/{id}/submit/"]["post"]
    assert {"400", "401", "403", "404", "409", "429"} <= set(operation["responses"])
    assert "application/problem+json" in operation["responses"]["409"]["content"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_loads_everything_from_this_site_without_inline_script():
    response = Client().get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html and "<style>" not in html and "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
