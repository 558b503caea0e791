"""Rates per signed-in user and per anonymous address, counted in the shared cache (Redis in production).

One counter per caller and period (minute, hour...), incremented atomically, with the previous
period's read in the same round trip (`portal.redis_cache.RedisCache.incr_and_get`): unlike DRF's
list of request times, two workers cannot both miss a call. The allowance is DRF's sliding window:
the current period's calls plus the previous period's, weighted by how much of the window still
overlaps it, so calling at a period's end and the next one's start does not double the rate. A
refused call is not counted, and `Retry-After` says when the next one will be let through.
"""

import logging

from django.core.cache import cache as default_cache
from redis.exceptions import RedisError
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)


def count_call(cache, key: str, key_before: str, timeout: int) -> tuple[int, int]:
    """Count a call under `key` and read the count under `key_before`: one round trip on Redis,
    the cache API's add/incr/get on any other back end (locmem in development and tests)."""
    incr_and_get = getattr(cache, "incr_and_get", None)
    if incr_and_get is not None:
        now, before = incr_and_get(key, key_before, timeout)
    else:
        if cache.add(key, 1, timeout):
            now = 1
        else:
            try:
                now = cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.set(key, 1, timeout)
                now = 1
        before = cache.get(key_before)
    return now, int(before or 0)


class _SlidingWindowCounter:
    """Replaces SimpleRateThrottle's request-history list with per-period counters (module docstring).
    Rates, scopes and cache keys (`get_cache_key`) are DRF's."""

    cache = default_cache

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        period, self.elapsed = divmod(self.now, self.duration)
        key = f"{self.key}:{int(period)}"
        # Kept two periods: the next period still reads this one's count.
        self.current, self.previous = count_call(self.cache, key, f"{self.key}:{int(period) - 1}", 2 * self.duration)
        if self._estimate(self.current, self.elapsed) <= self.num_requests:
            return True
        # Refused: not counted, as DRF's throttles record only the calls they let through.
        try:
            self.cache.decr(key)
        except ValueError:
            pass
        self.current -= 1
        return False

    def _estimate(self, current: int, elapsed: float) -> float:
        """Calls in the window of one period ending now: this period's, and the previous period's
        share of the window."""
        return current + self.previous * (1 - elapsed / self.duration)

    def wait(self):
        """Seconds until one more call fits in the window."""
        room = self.num_requests - self.current - 1  # what the previous period's share must come down to
        if room >= 0 and self.previous:
            # Later in this period the previous period's share shrinks enough.
            wait = self.duration * (1 - room / self.previous) - self.elapsed
        else:
            # Only in the next period, once this period's share of the window has shrunk enough.
            share_allowed = (self.num_requests - 1) / self.current if self.current else 1
            wait = (self.duration - self.elapsed) + self.duration * max(0.0, 1 - share_allowed)
        return max(wait, 0.001)


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


class AnonThrottle(_FailOpen, _SlidingWindowCounter, AnonRateThrottle):
    scope = "anon"


class UserThrottle(_FailOpen, _SlidingWindowCounter, UserRateThrottle):
    """Signed-in callers only. DRF's UserRateThrottle also counts anonymous callers by address, which
    would put a second, looser limit beside AnonThrottle's and a second cache round trip on each request."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # AnonThrottle's
        return super().get_cache_key(request, view)
