"""Document the problem-details errors on every operation in one place, so none is forgotten."""

from __future__ import annotations

from typing import Any

from .problems import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, in words to show the user."},
        "errors": {
            "type": "object",
            "description": "Validation errors (400): each invalid field, dotted for nested ones, with its messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "reasons": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Conflicts (409): what still stands in the way, e.g. a missing document.",
        },
    },
    "required": ["type", "title", "status", "detail"],
}

COMMON = {
    "400": "Invalid parameters or body; `errors` names each field.",
    "401": "Credentials were sent but are unknown or revoked, or none were sent to an endpoint that needs them.",
    "403": "Signed in, but this endpoint is for another role (or two-factor authentication must be set up first).",
    "404": (
        "No such object among those the caller may see (another user's or institution's object is "
        "indistinguishable from none)."
    ),
    "405": "This method is not allowed on this path.",
    "406": "Only JSON responses are available.",
    "429": "Too many requests; retry after the `Retry-After` header's seconds.",
}
WRITES = {
    "409": "The move is not allowed in the object's current state; `detail` says why and `reasons` what is missing.",
    "415": "Send the body as `application/json`.",
}


def add_problem_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            errors = {**COMMON, **(WRITES if method in ("post", "put", "patch", "delete") else {})}
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": content})
    return result
