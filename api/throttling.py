"""Rates per signed-in user and per anonymous address, counted in the shared cache (Redis in production)."""
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    scope = "anon"


class UserThrottle(UserRateThrottle):
    """Signed-in callers only. DRF's UserRateThrottle also counts anonymous callers by address, which
    would put a second, looser limit beside AnonThrottle's and a second cache round trip on each request."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # AnonThrottle's
        return super().get_cache_key(request, view)
