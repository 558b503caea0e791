"""Private iCalendar feeds: every dated thing a user cares about, for the calendar they use.

Apps add dates through `register`; each provider answers for one user with one query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime | None = None
    description: str = ""
    url: str = ""


Provider = Callable[[Any], Iterable[CalendarEvent]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def build_calendar(user: Any) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//USCE Portal//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "USCE Portal")
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0]
    stamp = timezone.now()
    for provider in PROVIDERS:
        for item in provider(user):
            event = Event()
            event.add("uid", f"{item.uid}@{host}")
            event.add("dtstamp", stamp)
            event.add("summary", item.summary)
            event.add("dtstart", item.start)
            if item.end is not None:
                event.add("dtend", item.end)
            if item.description:
                event.add("description", item.description)
            if item.url:
                event.add("url", item.url)
            cal.add_component(event)
    return cal.to_ical()


@register
def coordinated_sessions(user: Any) -> Iterable[CalendarEvent]:
    """A coordinator's own sessions: the dates they run and when their application window closes."""
    from placements.models import Session

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


@register
def saved_listing_deadlines(user: Any) -> Iterable[CalendarEvent]:
    """An applicant's saved listings: when each open session's window closes, and its dates."""
    from applicants.models import SavedListing
    from placements.models import Session

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


@register
def document_expiries(user: Any) -> Iterable[CalendarEvent]:
    from applicants.models import Document

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


@register
def application_dates(user: Any) -> Iterable[CalendarEvent]:
    """An applicant's interviews, offer deadlines and the sessions they were accepted to."""
    from applications.models import Application

    applications = Application.objects.filter(
        applicant=user, status__in=["interview", "offered", "accepted", "enrolled"]
    ).select_related("session__listing", "interview_slot")
    events = []
    for application in applications:
        title = application.session.listing.title
        slot = getattr(application, "interview_slot", None)
        if slot is not None:
            events.append(
                CalendarEvent(
                    uid=f"interview-{slot.pk}",
                    summary=f"Interview: {title}",
                    start=slot.starts_at,
                    end=slot.ends_at,
                    description=slot.where,
                )
            )
        if application.status == "offered" and application.offer_expires_at:
            events.append(
                CalendarEvent(
                    uid=f"offer-{application.pk}",
                    summary=f"Answer the offer: {title}",
                    start=application.offer_expires_at,
                    end=application.offer_expires_at,
                )
            )
        if application.status in ("accepted", "enrolled"):
            session = application.session
            events.append(
                CalendarEvent(
                    uid=f"placement-{application.pk}",
                    summary=title,
                    start=session.start_date,
                    end=session.end_date + dt.timedelta(days=1),
                )
            )
    return events


@register
def awaited_letters(user: Any) -> Iterable[CalendarEvent]:
    """An applicant's letters still awaited from their writers, on the date they are needed by: the
    earliest deadline of the applications they are assigned to (the writers' reminders use it too)."""
    from letters.models import LetterRequest

    requests = LetterRequest.objects.filter(
        applicant=user, status__in=LetterRequest.AWAITING_WRITER, due_at__gt=timezone.now()
    ).only("pk", "writer_name", "due_at")
    return [
        CalendarEvent(
            uid=f"letter-{letter_request.pk}-due",
            summary=f"Letter due from {letter_request.writer_name}",
            start=letter_request.due_at,
            end=letter_request.due_at,
        )
        for letter_request in requests
    ]
