"""This app's reminder kinds and calendar dates (registered into notifications' registries when
portal's AppConfig.ready() imports this module): the warning before the retention purge deletes an
inactive applicant's documents (retention), WARNING_DAYS ahead; saved listings' deadlines and
documents' expiry dates in the calendar feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications import calendar, emails, kinds
from notifications.calendar import CalendarEvent
from notifications.kinds import Due, InApp, ReminderKind, first_url
from notifications.timezones import user_time_zone, zone_or_default
from placements.models import Session

from . import retention
from .models import Document, SavedListing


def documents_purge_due(now: dt.datetime) -> Iterable[Due]:
    # The purge runs weekly and the warning comes 30 days ahead: looking once an hour (the first
    # tick of each hour) is soon enough, and spares every other tick the inactivity query.
    if now.minute >= 5 or not retention.purge_scheduled():
        return
    for user_id, purge_from, zone_name in retention.purge_warnings(now):
        # Keyed on the purge's local day: activity, then inactivity again, is a new warning.
        yield Due(
            recipient_id=user_id,
            subject_id=user_id,
            due=purge_from.astimezone(zone_or_default(zone_name)).date(),
            deadline=purge_from,
        )


def documents_purge_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    # Still due only for the same inactivity period: someone who signed in since is not warned.
    if not retention.purge_scheduled():
        return {}
    recipients = {r.recipient_id for r in reminders}
    purge_from = {pk: when for pk, when, _zone in retention.purge_warnings(now, among=recipients)}
    users = get_user_model().objects.select_related("applicant_profile").in_bulk(purge_from)
    for user in users.values():
        user.purge_from = purge_from[user.pk]
    return {
        r.pk: users[r.recipient_id]
        for r in reminders
        if r.recipient_id in users and purge_from[r.recipient_id] == r.deadline
    }


def documents_purge_in_app(reminder: Any, user: Any) -> InApp:
    purge_from = timezone.localtime(user.purge_from, user_time_zone(user))
    return InApp(
        title=f"Your documents will be deleted from {purge_from:%d %b %Y}",
        body="You have not used the portal for a long time, so we will delete your uploaded documents. "
        "Sign in before then to keep them.",
        url=first_url(("applicants:documents", [])),
    )


kinds.register(
    ReminderKind(
        code="documents_purge",
        label="Before inactive applicants' documents are deleted (30 days before)",
        subject_type="accounts.user",
        find_due=documents_purge_due,
        load_subjects=documents_purge_load,
        render=emails.render_documents_purge,
        in_app=documents_purge_in_app,
        transactional=True,
    )
)


# --- Calendar ----------------------------------------------------------------------------------


@calendar.register
def saved_listing_deadlines(user: Any) -> Iterable[CalendarEvent]:
    """An applicant's saved listings: when each open session's window closes, and its dates."""
    listing_ids = SavedListing.objects.filter(user=user).values("listing_id")
    sessions = Session.objects.filter(
        listing_id__in=listing_ids, listing__status="published", applications_close_at__gt=timezone.now()
    ).select_related("listing")
    events = []
    for session in sessions:
        events.append(
            CalendarEvent(
                uid=f"saved-{session.pk}-close",
                summary=f"Applications close: {session.listing.title}",
                start=session.applications_close_at,
                end=session.applications_close_at,
            )
        )
        events.append(
            CalendarEvent(
                uid=f"saved-{session.pk}",
                summary=f"{session.listing.title} (if accepted)",
                start=session.start_date,
                end=session.end_date + dt.timedelta(days=1),
            )
        )
    return events


@calendar.register
def document_expiries(user: Any) -> Iterable[CalendarEvent]:

    documents = Document.objects.filter(owner=user, current_version__expires_on__isnull=False).select_related(
        "current_version"
    )
    return [
        CalendarEvent(
            uid=f"document-{document.pk}-{document.current_version_id}",
            summary=f"{document.get_kind_display()} expires",
            start=document.current_version.expires_on,
            end=document.current_version.expires_on + dt.timedelta(days=1),
        )
        for document in documents
    ]
