"""Every refusal answers RFC 9457 problem details with a readable `detail`."""

import pytest

from api.problems import PROBLEM_CONTENT_TYPE

pytestmark = pytest.mark.django_db


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["type"].startswith("https://")
    assert body["detail"]
    return body


def test_unknown_object_is_a_problem_404(alice):
    assert_problem(alice.get("/api/v1/listings/999999/"), 404)


def test_unknown_api_path_is_a_problem_404_not_html(anon):
    assert_problem(anon.get("/api/v1/no-such-thing/"), 404)


def test_an_id_with_a_newline_in_it_is_a_problem_404_not_html(anon):
    # Found by the API fuzzing: "." in the catch-all did not match a newline, so Django's HTML 404 answered.
    assert_problem(anon.get("/api/v1/trust/applications/1%0A2/visa-letters/"), 404)


def test_no_credentials_is_401_with_www_authenticate(anon):
    response = anon.get("/api/v1/applications/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_revoked_or_made_up_token_is_401(anon):
    anon.credentials(HTTP_AUTHORIZATION="Token usce_not-a-real-token")
    body = assert_problem(anon.get("/api/v1/listings/"), 401)
    assert "revoked" in body["detail"]


def test_wrong_role_is_403(carol):
    body = assert_problem(carol.get("/api/v1/applications/"), 403)
    assert "applicants" in body["detail"]


def test_wrong_method_is_405(alice):
    assert_problem(alice.delete("/api/v1/applications/"), 405)


def test_validation_errors_name_each_field(alice):
    body = assert_problem(alice.post("/api/v1/applications/", {"session": "soon"}, format="json"), 400)
    assert list(body["errors"]) == ["session"]
    assert body["errors"]["session"][0]


def test_queue_filters_are_validated_like_the_page(carol):
    body = assert_problem(carol.get("/api/v1/queue/?step2_min=280&step2_max=200&graduation_year=12"), 400)
    assert set(body["errors"]) == {"step2_max", "graduation_year"}


def test_a_move_not_allowed_now_is_409_with_the_services_message(alice, alices_application):
    body = assert_problem(alice.post(f"/api/v1/applications/{alices_application.pk}/accept/", {}, format="json"), 409)
    assert "cannot be moved" in body["detail"]
    alices_application.refresh_from_db()
    assert alices_application.status == "submitted"


def test_too_many_requests_is_429_with_retry_after_per_address_and_per_user(anon, alice, bob, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # Throttles read their rates from this class attribute; monkeypatch puts it back afterwards.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "3/min"})
    for _ in range(2):
        assert anon.get("/api/v1/listings/").status_code == 200
    response = anon.get("/api/v1/listings/")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    # A signed-in user from the same address has their own allowance.
    for _ in range(3):
        assert alice.get("/api/v1/listings/").status_code == 200
    assert_problem(alice.get("/api/v1/listings/"), 429)
    assert bob.get("/api/v1/listings/").status_code == 200


def test_an_anonymous_caller_is_held_to_the_per_address_rate_only(anon, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # The per-user rate is for signed-in callers; an anonymous address is not also counted against it.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "4/min", "user": "2/min"})
    for _ in range(4):
        assert anon.get("/api/v1/listings/").status_code == 200
    assert_problem(anon.get("/api/v1/listings/"), 429)


@pytest.mark.parametrize("caller", ["anon", "alice"])
def test_the_api_still_answers_while_the_cache_server_is_down(request, caller, listing, monkeypatch):
    """A rate limit that cannot be counted is not applied (logged), rather than every call failing."""
    from django.core.cache import cache

    client = request.getfixturevalue(caller)

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache server down")

    for name in ("get", "get_many", "set", "add", "incr", "delete"):
        monkeypatch.setattr(cache, name, unreachable)

    response = client.get("/api/v1/listings/")
    assert response.status_code == 200
    assert response.json()["count"] >= 1
