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
