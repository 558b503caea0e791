"""The request being served, for audit events written by code that was not handed it.

Services take an `actor`, not a request; the IP address and browser of an event still belong in the
log, so AuditContextMiddleware keeps the current request in a context variable (one per thread or
task, never shared between requests).
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

current_request: ContextVar[HttpRequest | None] = ContextVar("audit_current_request", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
