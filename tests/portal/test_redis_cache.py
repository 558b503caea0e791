"""portal.redis_cache: Django's Redis backend with one client per pool; reads and writes as before."""

import os
import uuid

import pytest

from portal.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the Redis of REDIS_URL")


@pytest.fixture
def redis_cache():
    backend = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-redis-cache-{uuid.uuid4().hex}"})
    yield backend
    backend.delete_many(["title", "version"])  # not clear(): that empties the whole Redis database


def test_values_written_are_read_back_through_the_shared_client(redis_cache):
    redis_cache.set("title", "Cardiology Rotation", 30)
    redis_cache.add("version", 1, timeout=None)
    assert redis_cache.incr("version") == 2
    assert redis_cache.get_many(["title", "version", "missing"]) == {"title": "Cardiology Rotation", "version": 2}
    redis_cache.delete("title")
    assert redis_cache.get("title") is None
    # One client serves every call instead of a new one each time.
    assert redis_cache._cache.get_client() is redis_cache._cache.get_client()


def test_incr_and_get_counts_and_reads_in_one_go(redis_cache):
    redis_cache.set("version", 7, 30)
    assert redis_cache.incr_and_get("title", "version", 30) == (1, 7)
    assert redis_cache.incr_and_get("title", "missing", 30) == (2, None)
    assert redis_cache.get("title") == 2
    assert 0 < redis_cache._cache.get_client().ttl(redis_cache.make_and_validate_key("title")) <= 30
