"""Creating and revoking API tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone

from .models import ApiToken, token_digest

TOKEN_PREFIX = "usce_"


def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and shown only this once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:80], prefix=raw[:12], digest=token_digest(raw))
    return token, raw


def api_token_revoke(*, user: Any, token_id: int) -> bool:
    """Revoke one of the user's tokens; another user's token id is treated as unknown. True if revoked now."""
    updated = ApiToken.objects.of_user(user).active().filter(pk=token_id).update(revoked_at=timezone.now())
    return updated == 1
