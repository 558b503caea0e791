"""Rates per signed-in user and per anonymous address, counted in the shared cache (Redis in production)."""
import logging

from redis.exceptions import RedisError
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)


class _FailOpen:
    """With the cache server unreachable, let the request through (logged) instead of answering 500.

    A rate limit only slows abuse down; with Redis gone, refusing every API call would turn a cache
    outage into a whole API outage, the search pages included, which already work without the cache.
    Sign-in's own limits (allauth) are not affected by this choice."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (OSError, RedisError):
            logger.warning("API rate limit not applied: the cache server is unreachable", exc_info=True)
            return True


class AnonThrottle(_FailOpen, AnonRateThrottle):
    scope = "anon"


class UserThrottle(_FailOpen, UserRateThrottle):
    """Signed-in callers only. DRF's UserRateThrottle also counts anonymous callers by address, which
    would put a second, looser limit beside AnonThrottle's and a second cache round trip on each request."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # AnonThrottle's
        return super().get_cache_key(request, view)
