"""Response headers Django and django-csp do not set themselves."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


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


# PostgreSQL text cannot hold NUL: a query with one raises an error, a 500 if nothing refuses it first.
NUL_MESSAGE = (
    "This address or form contains a NUL character (%00), which the portal cannot store. "
    "Remove it (it often comes from a pasted or corrupted link) and try again."
)


def strips_nul_from_query(view: Callable) -> Callable:
    """Mark a view that cleans its own query string (the public search drops control characters and
    says what it ignored): RefuseNulMiddleware lets a NUL in the query through to it."""
    view.strips_nul_from_query = True  # type: ignore[attr-defined]
    return view


class RefuseNulMiddleware:
    """Answer 400 to a request with a NUL in its path, query string or form/JSON body, before the view.

    One place instead of every view that reads a parameter: path converters (<str:code>), request.GET
    and request.POST hand NUL to the ORM as they are. Forms and serializers refuse NUL in their
    fields too (Django's and DRF's CharField do), for the bodies this does not read (PUT and PATCH
    forms). Uploaded files' bytes are never looked at. An API request gets a problem+json body.
    It runs once the URL is resolved (process_view), so a view marked @strips_nul_from_query keeps
    its own, gentler handling of the query string; an address that matches no route is a 404.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args, view_kwargs) -> HttpResponse | None:
        tolerant = getattr(view_func, "strips_nul_from_query", False)
        if not self._carries_nul(request, query=not tolerant):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": NUL_MESSAGE},
                status=400,
                content_type="application/problem+json",
            )
        # Rendered here, not raised: a probe sending thousands of these should not log a traceback each.
        return render(request, "errors/400.html", {"reason": NUL_MESSAGE}, status=400)

    @staticmethod
    def _carries_nul(request: HttpRequest, *, query: bool) -> bool:
        if "\x00" in request.path_info:
            return True
        raw_query = request.META.get("QUERY_STRING", "")
        if query and ("%00" in raw_query or "\x00" in raw_query):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        if request.content_type == "application/json":
            # In JSON a NUL is written \u0000, the hex digits in either case.
            return b"\x00" in request.body or b"\\u0000" in request.body.lower()
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            # The form's text fields, parsed once and kept for the view (CSRF reads them next anyway);
            # the uploaded files' bytes are not looked at: a PDF holds NULs.
            return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
        return False
