"""One error shape for the whole API: RFC 9457 problem details.

Every refusal (validation, 401, 403, 404, 405, 409, 415, 429) answers
`application/problem+json` with `type`, `title`, `status` and `detail`; validation errors add
`errors`, one entry per field with its messages. Services' refusals (ApplicationError and
friends) become 409 with the service's own message, so the API says what the pages say.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://usce-portal.org/problems/"


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "This change is not allowed in the object's current state."
    default_code = "conflict"

    def __init__(self, detail: str, *, reasons: list[str] | None = None) -> None:
        super().__init__(detail)
        self.reasons = reasons or []


def _service_errors() -> tuple[type[Exception], ...]:
    from applicants.services import ApplicantsError
    from applications.errors import ApplicationError
    from letters.services import LetterError
    from placements.services import PlacementsError
    from trust.services import TrustError

    return ApplicationError, ApplicantsError, PlacementsError, LetterError, TrustError


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"field": [...]} including nested fields as "parent.child" and list items as "items.0"."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            for k, v in _flatten(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                for k, v in _flatten(item, f"{prefix}.{index}" if prefix else str(index)).items():
                    out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


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


def problem_response(
    *,
    status: int,
    detail: str,
    code: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body = problem_body(status=status, detail=detail, code=code, errors=errors, extra=extra)
    return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, _service_errors()):
        exc = Conflict(getattr(exc, "message", str(exc)), reasons=getattr(exc, "reasons", []))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django logs it and answers 500
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            status=response.status_code,
            detail="The request has invalid fields; see `errors`.",
            code="validation-error",
            errors=_flatten(exc.detail),
            headers=headers,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(detail, (dict, list)):
        detail = " ".join(sum(_flatten(detail).values(), []))
    extra = {"reasons": exc.reasons} if isinstance(exc, Conflict) else None
    code = getattr(exc, "default_code", "error") if isinstance(exc, exceptions.APIException) else "error"
    return problem_response(status=response.status_code, detail=str(detail), code=code, headers=headers, extra=extra)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="A URI naming the kind of problem.")
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, in words to show the user.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors: each invalid field (dotted for nested ones) with its messages.",
    )
    reasons = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="For 409: what still stands in the way (e.g. missing documents).",
    )
