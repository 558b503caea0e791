"""The API answers with the same engine and ranking as the pages."""

import pytest
from django.urls import reverse

from placements.models import Listing
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_eligibility_lists_every_reason_with_its_code(client):
    profile = ApplicantProfileFactory(planned_visa="f1", step2ck_score=None)
    session = SessionFactory(listing=ListingFactory(visas=["j1"], min_step2_score=230))
    client.force_login(profile.user)

    body = client.get(reverse("applicants_api:eligibility", args=[session.pk])).json()

    assert body["status"] == "not_eligible" and body["eligible"] is False
    assert [(r["code"], r["message"]) for r in body["reasons"]] == [("visa", "Accepts J-1 visa: you plan F-1.")]
    assert [r["code"] for r in body["missing"]] == ["step2ck"]


def test_eligibility_of_a_draft_session_is_not_found_and_coordinators_are_refused(client, coordinator, applicant):
    draft = SessionFactory(listing=ListingFactory(status=Listing.Status.DRAFT))
    client.force_login(applicant)
    assert client.get(reverse("applicants_api:eligibility", args=[draft.pk])).status_code == 404
    client.force_login(coordinator)
    response = client.get(reverse("applicants_api:eligibility", args=[SessionFactory().pk]))
    assert response.status_code == 403 and response.json()["detail"] == "This endpoint is for applicants."


def test_matches_come_ranked_with_their_reasons(client):
    profile = ApplicantProfileFactory(preferred_states=["NY"])
    client.force_login(profile.user)
    SessionFactory(listing=ListingFactory(title="Elsewhere"))
    from tests.placements.factories import InstitutionFactory

    SessionFactory(listing=ListingFactory(title="In New York", institution=InstitutionFactory(state="NY")))

    results = client.get(reverse("applicants_api:matches")).json()["results"]

    assert [r["title"] for r in results] == ["In New York", "Elsewhere"]
    assert results[0]["why"] == ["In New York, a state you prefer."]


def test_the_api_needs_a_signed_in_user(client):
    # 401, not 403: no credentials were sent (the API answers with WWW-Authenticate).
    assert client.get(reverse("applicants_api:matches")).status_code == 401
