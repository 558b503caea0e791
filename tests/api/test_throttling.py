"""API rate limits (api.throttling): a sliding window per caller, one cache round trip per call, and
no refusal when the cache server is down."""

import math
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import override_settings

from api import throttling
from api.throttling import AnonThrottle

from .test_problems import assert_problem

pytestmark = pytest.mark.django_db

START = 1_800_000_000.0  # a whole number of minutes: the start of a period


def caller(address="203.0.113.7"):
    return SimpleNamespace(user=AnonymousUser(), META={"REMOTE_ADDR": address}, headers={})


def throttle_at(monkeypatch, clock, rate="2/min"):
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": rate})
    throttle = AnonThrottle()
    throttle.timer = lambda: clock[0]
    return throttle


def test_the_rate_holds_over_any_window_not_only_within_a_period(monkeypatch):
    """Calls at the end of one minute still count at the start of the next: no double rate there."""
    clock = [START + 50]
    throttle = throttle_at(monkeypatch, clock)
    assert throttle.allow_request(caller(), None) and throttle.allow_request(caller(), None)
    assert not throttle.allow_request(caller(), None)

    clock[0] = START + 65  # the next minute: the window still holds the two calls made 15 s ago
    assert not throttle.allow_request(caller(), None)
    clock[0] = START + 60 + 31  # the previous minute's share of the window is now under one call
    assert throttle.allow_request(caller(), None)
    assert not throttle.allow_request(caller(), None)
    # Another address has its own allowance.
    assert throttle.allow_request(caller("198.51.100.1"), None)


def test_a_refused_call_is_not_counted_and_retry_after_is_when_the_next_gets_through(monkeypatch):
    clock = [START + 10]
    throttle = throttle_at(monkeypatch, clock, rate="3/min")
    for _ in range(3):
        assert throttle.allow_request(caller(), None)
    for _ in range(20):  # hammering while refused does not push the next allowed call further away
        assert not throttle.allow_request(caller(), None)
    wait = throttle.wait()
    assert 0 < wait <= 120

    clock[0] += math.ceil(wait) - 2
    assert not throttle.allow_request(caller(), None)
    clock[0] += 2
    assert throttle.allow_request(caller(), None)


def test_a_call_costs_one_round_trip_to_the_cache(monkeypatch):
    clock = [START]
    throttle = throttle_at(monkeypatch, clock, rate="5/min")
    calls = []
    real = throttling.count_call
    monkeypatch.setattr(throttling, "count_call", lambda *args: calls.append(args) or real(*args))
    if hasattr(cache, "incr_and_get"):  # Redis: nothing else may be asked of the cache
        for name in ("get", "get_many", "set", "add", "incr"):
            monkeypatch.setattr(cache, name, lambda *args, **kwargs: pytest.fail("a second round trip"))
    assert throttle.allow_request(caller(), None)
    assert len(calls) == 1


def test_the_api_answers_with_the_cache_server_unreachable(anon, monkeypatch):
    """Not a cache method made to fail, as in test_problems: a cache back end whose server refuses
    connections, so that whatever the throttle asks of it fails as it would in production."""
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    unreachable = {"default": {"BACKEND": "portal.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=unreachable):
        for _ in range(2):
            response = anon.get("/api/v1/listings/")
            assert response.status_code == 200


def test_the_api_refuses_over_the_rate_with_a_retry_after(anon, monkeypatch):
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    assert anon.get("/api/v1/listings/").status_code == 200
    response = anon.get("/api/v1/listings/")
    assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 120
