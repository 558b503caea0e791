"""Saved searches and alerts in "My data": exported, and erased with the account (only ever the
applicant's own)."""

from typing import Any

from .models import Alert, SavedSearch


def export(user: Any) -> dict[str, Any]:
    return {
        "saved_searches.json": [
            {
                "name": s.name,
                "query": s.querystring,
                "frequency": s.frequency,
                "paused": s.paused,
                "created_at": s.created_at,
                "last_matched_at": s.last_matched_at,
            }
            for s in SavedSearch.objects.filter(owner=user).order_by("created_at", "pk")
        ],
        "alerts.json": [
            {"event": a.event, "listing_id": a.listing_id, "session_id": a.session_id, "created_at": a.created_at}
            for a in Alert.objects.filter(owner=user).order_by("created_at", "pk")
        ],
    }


def erase(user: Any) -> None:
    Alert.objects.filter(owner=user).delete()
    SavedSearch.objects.filter(owner=user).delete()
