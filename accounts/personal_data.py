"""Signed-in sessions in "My data": listed with their IP address and browser; ended on deletion."""

from typing import Any

from allauth.usersessions.models import UserSession

from .services import user_sessions_end


def export(user: Any) -> dict[str, Any]:
    return {
        "sessions.json": [
            {"ip": s.ip, "user_agent": s.user_agent, "created_at": s.created_at, "last_seen_at": s.last_seen_at}
            for s in UserSession.objects.filter(user_id=user.pk).order_by("created_at", "pk")
        ]
    }


def erase(user: Any) -> None:
    # Every session ends now (not at its next request), and the IP addresses go with the rows.
    user_sessions_end(user=user)
    UserSession.objects.filter(user_id=user.pk).delete()
