"""The time zone a person reads their messages in."""

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings


def user_time_zone(user: Any) -> ZoneInfo:
    """The user's own zone when they set one (on the user or their applicant profile), else the
    portal's. Never raises: a stale or misspelt name falls back rather than losing a reminder."""
    candidates = [getattr(user, "time_zone", "")]
    for profile_attr in ("applicant_profile", "profile"):
        try:
            profile = getattr(user, profile_attr, None)
        except Exception:  # RelatedObjectDoesNotExist: no profile yet.
            profile = None
        candidates.append(getattr(profile, "time_zone", ""))
    for name in candidates:
        if name:
            try:
                return ZoneInfo(str(name))
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo(settings.TIME_ZONE)


def zone_or_default(name: str | None) -> ZoneInfo:
    """Same fallback for a zone name read in bulk by a source query."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(settings.TIME_ZONE)
