"""API tokens in "My data": listed (never their secret or its hash), and deleted with the account."""

from typing import Any

from .models import ApiToken


def export(user: Any) -> dict[str, Any]:
    return {
        "api_tokens.json": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
        ]
    }


def erase(user: Any) -> None:
    ApiToken.objects.filter(user=user).delete()
