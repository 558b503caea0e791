"""This app's dates in the calendar feed (registered into notifications.calendar when portal's
AppConfig.ready() imports this module)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from notifications import calendar
from notifications.calendar import CalendarEvent

from .models import Session


@calendar.register
def coordinated_sessions(user: Any) -> Iterable[CalendarEvent]:
    """A coordinator's own sessions: the dates they run and when their application window closes."""
    if not user.coordinator_institution_ids:
        return []
    sessions = Session.objects.filter(
        listing__institution_id__in=user.coordinator_institution_ids, end_date__gte=timezone.localdate()
    ).select_related("listing")
    events = []
    for session in sessions:
        events.append(
            CalendarEvent(
                uid=f"session-{session.pk}",
                summary=f"{session.listing.title} (session)",
                start=session.start_date,
                end=session.end_date + dt.timedelta(days=1),
            )
        )
        events.append(
            CalendarEvent(
                uid=f"session-{session.pk}-close",
                summary=f"Applications close: {session.listing.title}",
                start=session.applications_close_at,
                end=session.applications_close_at,
            )
        )
    return events
