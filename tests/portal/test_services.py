"""Under CI the suite must really run on PostgreSQL and Redis, never silently on the fallbacks."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

requires_services = pytest.mark.skipif(
    not os.environ.get("PORTAL_REQUIRE_SERVICES"), reason="only when .ci/run asks for the real services"
)


@requires_services
@pytest.mark.django_db
def test_the_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql"


@requires_services
def test_the_cache_is_redis():
    assert settings.CACHES["default"]["BACKEND"] == "portal.redis_cache.RedisCache"  # Django's, reusing its client
    cache.set("ci-probe", "seen", 5)
    assert cache.get("ci-probe") == "seen"
