"""Response headers Django and django-csp do not set themselves."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every response, and `Cache-Control: no-store` unless a public page asks
    to be cached.

    Signed-in pages always get no-store, even if a view asked for caching: they can show passports,
    scores and letters, and a shared computer's back button or a proxy must not replay them. An
    anonymous page may opt in to caching with @cache_control(public=True, max_age=...); anything
    else (login forms with their CSRF token included) is not stored either.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        signed_in = bool(user and user.is_authenticated)
        if signed_in or "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
            # A stale max-age or Expires next to no-store only confuses old caches.
            response.headers.pop("Expires", None)
        return response
