"""Conventions of the site's requests and responses, shared by every app."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://usce-portal.org/problems/"


def problem_body(
    *,
    status: int,
    detail: str,
    code: str,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The problem-details document; also used outside DRF (the MFA gate answers API clients with it)."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + code.replace("_", "-"),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra or {})
    return body


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request for a fragment. A history restore (htmx asks again after a cache miss) wants
    the whole page, so it is not one."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
