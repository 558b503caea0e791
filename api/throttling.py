"""Rates per signed-in user and per anonymous address, counted in the shared cache (Redis in production)."""
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    scope = "anon"


class UserThrottle(UserRateThrottle):
    scope = "user"
