"""Reads for notifications' pages."""

from __future__ import annotations

from typing import Any

from . import kinds
from .models import NotificationPreference


def preferences_for(*, user: Any) -> dict[str, bool]:
    off = set(NotificationPreference.objects.filter(user=user, enabled=False).values_list("kind", flat=True))
    return {kinds.ALL: kinds.ALL not in off, **{kind.code: kind.code not in off for kind in kinds.switchable()}}
