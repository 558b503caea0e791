"""Tokens: created and revoked by their user on a settings page, shown once, stored hashed."""

import pytest
from django.urls import reverse

from api.models import ApiToken, token_digest

pytestmark = pytest.mark.django_db


def test_a_user_creates_a_token_sees_it_once_and_only_its_digest_is_stored(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("api:tokens"), {"name": "Phone app"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=applicant)
    raw = response.context["created_secret"]
    assert raw in response.content.decode()
    assert token.digest == token_digest(raw) and raw not in (token.digest, token.prefix)
    # Shown once: the next visit lists it by name and prefix only.
    again = client.get(reverse("api:tokens")).content.decode()
    assert "Phone app" in again and raw not in again


def test_the_token_authenticates_until_revoked(client, applicant):
    from rest_framework.test import APIClient

    client.force_login(applicant)
    raw = client.post(reverse("api:tokens"), {"name": "Script"}).context["created_secret"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/applicants/profile/").status_code == 200
    token = ApiToken.objects.get(user=applicant)
    assert token.last_used_at is not None
    client.post(reverse("api:token_revoke", args=[token.pk]))
    assert api.get("/api/v1/applicants/profile/").status_code == 401


def test_a_user_cannot_revoke_another_users_token(client, applicant, other_applicant):
    from api.services import api_token_create

    token, _raw = api_token_create(user=other_applicant, name="Bob's")
    client.force_login(applicant)
    client.post(reverse("api:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_needs_a_name(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("api:tokens"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_coordinator_token_client_is_not_redirected_by_the_mfa_middleware(carol):
    response = carol.get("/api/v1/queue/")
    assert response.status_code == 200


def test_a_coordinator_who_lost_their_second_factor_is_refused_with_a_reason(carol, coordinator):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=coordinator).delete()
    response = carol.get("/api/v1/queue/")
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]


def test_session_auth_works_for_the_browser_and_needs_csrf_for_writes(applicant, session):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(applicant)
    assert browser.get("/api/v1/applications/").status_code == 200
    refused = browser.post("/api/v1/applications/", {"session": session.pk}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
