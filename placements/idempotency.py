"""A double click never creates two of anything.

Create forms carry a one-time `submission_token` (see the `submission_token` template tag). The first
POST with a token claims it atomically in the shared cache (`cache.add` is atomic in Redis and in
locmem); a repeat of the same POST finds the claim and is sent to what the first one created.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

TOKEN_FIELD = "submission_token"
PENDING = 0
TTL_SECONDS = 60 * 60


def _key(request: HttpRequest, scope: str) -> str | None:
    token = request.POST.get(TOKEN_FIELD, "")
    if not (8 <= len(token) <= 64 and token.replace("-", "").isalnum()):
        return None
    return f"once:{request.user.pk}:{scope}:{token}"


def first_submission(request: HttpRequest, scope: str, *, result: int | None = None) -> int | None:
    """Without `result`: claim the token; None if this POST is the first, else the earlier result's id
    (PENDING while the first one is still running). With `result`: record what the first one made."""
    key = _key(request, scope)
    if key is None:
        return None
    if result is not None:
        cache.set(key, result, TTL_SECONDS)
        return None
    if cache.add(key, PENDING, TTL_SECONDS):
        return None
    return cache.get(key, PENDING)
