"""This app's reminder kinds (registered into notifications' registry when portal's AppConfig.ready()
imports this module): new listings and sessions matching a saved search, a saved listing's window
opening, seats coming free on a full session. Each has its own switch on the preferences page and
the one-click unsubscribe link every switchable kind's e-mail carries.

Each source first runs its matcher (alerts.matching: a few set-based statements writing the alert
ledger), then yields the ledger rows due: every immediate alert not yet in the outbox, and for
daily and weekly searches one digest per applicant and day, due from 07:00 in their time zone
(weekly: on Mondays). A digest's alerts are stamped with its day when it is found due, once, so an
alert found later goes into the next digest; its outbox subject is its first alert.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q

from applicants.models import SavedListing
from applications.models import Application
from applications.states import SEAT_HOLDING
from notifications import kinds
from notifications.kinds import Due, InApp, ReminderKind, first_url
from notifications.models import Reminder
from notifications.timezones import zone_or_default

from . import emails, matching
from .models import Alert, Frequency

SUBJECT_TYPE = "alerts.alert"
DIGEST_HOUR = 7  # digests go out from 07:00 in the applicant's zone
WEEKLY_DIGEST_WEEKDAY = 0  # Monday
IMMEDIATE_LOOKBACK = dt.timedelta(days=2)  # older unsent alerts would expire unsent anyway
DIGEST_LOOKBACK = dt.timedelta(days=3)
MATCH_EVENTS = (Alert.Event.NEW_LISTING, Alert.Event.NEW_SESSION)
TZ = "owner__applicant_profile__time_zone"

SEARCH_MATCH = "saved_search_match"
WINDOW_OPEN = "window_open"
SEATS_FREE = "seats_free"


@dataclass
class AlertBatch:
    """What one message is about: one alert, or a digest's alerts (several listings)."""

    alerts: list[Alert]
    digest: bool = False
    frequency: str = Frequency.IMMEDIATE

    @property
    def first(self) -> Alert:
        return self.alerts[0]


def _not_in_outbox(code: str) -> Exists:
    return Exists(
        Reminder.objects.filter(
            recipient_id=OuterRef("owner_id"), kind=code, subject_type=SUBJECT_TYPE, subject_id=OuterRef("pk")
        )
    )


def _immediate_due(code: str, events: Sequence[str], now: dt.datetime) -> Iterable[Due]:
    rows = (
        Alert.objects.filter(frequency=Frequency.IMMEDIATE, event__in=events, created_at__gte=now - IMMEDIATE_LOOKBACK)
        .exclude(_not_in_outbox(code))
        .order_by()
        .values_list("owner_id", "pk", "created_at", TZ)
    )
    for owner_id, alert_id, created_at, zone_name in rows.iterator(chunk_size=5000):
        yield Due(
            recipient_id=owner_id, subject_id=alert_id, due=created_at.astimezone(zone_or_default(zone_name)).date()
        )


def _digest_day(frequency: str, zone_name: str | None, now: dt.datetime) -> dt.date | None:
    local = now.astimezone(zone_or_default(zone_name))
    if local.hour < DIGEST_HOUR:
        return None
    if frequency == Frequency.WEEKLY and local.weekday() != WEEKLY_DIGEST_WEEKDAY:
        return None
    return local.date()


def _digests_due(now: dt.datetime) -> Iterable[Due]:
    digests = [Frequency.DAILY, Frequency.WEEKLY]
    waiting = (
        Alert.objects.filter(frequency__in=digests, digest_due__isnull=True, created_at__lte=now)
        .order_by()
        .values_list("owner_id", "frequency", TZ)
        .distinct()
    )
    owners_by_day: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for owner_id, frequency, zone_name in waiting.iterator(chunk_size=5000):
        day = _digest_day(frequency, zone_name, now)
        if day is not None:
            owners_by_day[(frequency, day)].append(owner_id)
    for (frequency, day), owners in owners_by_day.items():
        for start in range(0, len(owners), 5000):
            chunk = owners[start : start + 5000]
            # One digest per applicant, frequency and day: an alert found after today's digest was
            # stamped waits for tomorrow's (or next week's), never joins a digest already sent.
            already = Alert.objects.filter(frequency=frequency, digest_due=day, owner_id__in=chunk).values("owner_id")
            Alert.objects.filter(
                frequency=frequency, digest_due__isnull=True, created_at__lte=now, owner_id__in=chunk
            ).exclude(owner_id__in=already).update(digest_due=day)
    # Every digest of the last days (the tick skips those already in the outbox with one read), so
    # a tick that stopped between the stamp and the outbox loses nothing.
    groups = (
        Alert.objects.filter(frequency__in=digests, digest_due__gte=(now - DIGEST_LOOKBACK).date())
        .order_by()
        .values("owner_id", "frequency", "digest_due")
        .annotate(first=Min("pk"))
        .values_list("owner_id", "first", "digest_due")
    )
    for owner_id, first, day in groups.iterator(chunk_size=5000):
        yield Due(recipient_id=owner_id, subject_id=first, due=day)


def _search_match_due(now: dt.datetime) -> Iterable[Due]:
    matching.match_saved_searches(now=now)
    yield from _immediate_due(SEARCH_MATCH, MATCH_EVENTS, now)
    yield from _digests_due(now)


def _window_open_due(now: dt.datetime) -> Iterable[Due]:
    matching.match_windows_opening(now=now)
    yield from _immediate_due(WINDOW_OPEN, (Alert.Event.WINDOW_OPEN,), now)


def _seats_free_due(now: dt.datetime) -> Iterable[Due]:
    matching.match_seats_free(now=now)
    yield from _immediate_due(SEATS_FREE, (Alert.Event.SEATS_FREE,), now)


# --- Loading: what is still worth saying, in a fixed number of queries ---------------------------


def _load(
    reminders: Sequence[Any], now: dt.datetime, still_relevant: Callable[[list[Alert], dt.datetime], set[int]]
) -> Mapping[int, AlertBatch]:
    subjects = (
        Alert.objects.filter(pk__in={r.subject_id for r in reminders})
        .select_related("listing__institution", "session", "saved_search")
        .in_bulk()
    )
    digest_keys = {
        (a.owner_id, a.frequency, a.digest_due) for a in subjects.values() if a.frequency != Frequency.IMMEDIATE
    }
    grouped: dict[tuple, list[Alert]] = defaultdict(list)
    if digest_keys:
        members = (
            Alert.objects.filter(
                owner_id__in={k[0] for k in digest_keys},
                frequency__in={k[1] for k in digest_keys},
                digest_due__in={k[2] for k in digest_keys},
            )
            .select_related("listing__institution", "session", "saved_search")
            .order_by("created_at", "pk")
        )
        for alert in members:
            grouped[(alert.owner_id, alert.frequency, alert.digest_due)].append(alert)
    everything = list(subjects.values()) + [a for alerts in grouped.values() for a in alerts]
    keep = still_relevant(everything, now) if everything else set()
    loaded: dict[int, AlertBatch] = {}
    for r in reminders:
        alert = subjects.get(r.subject_id)
        if alert is None or alert.owner_id != r.recipient_id:
            continue
        if alert.frequency == Frequency.IMMEDIATE:
            if alert.pk in keep:
                loaded[r.pk] = AlertBatch(alerts=[alert])
        else:
            alerts = [a for a in grouped[(alert.owner_id, alert.frequency, alert.digest_due)] if a.pk in keep]
            if alerts:
                loaded[r.pk] = AlertBatch(alerts=alerts, digest=True, frequency=alert.frequency)
    return loaded


def _applied(alerts: list[Alert]) -> set[tuple[int, int]]:
    """(applicant, listing) pairs with an application sent (past draft): nothing more to say."""
    return set(
        Application.objects.filter(
            applicant_id__in={a.owner_id for a in alerts}, session__listing_id__in={a.listing_id for a in alerts}
        )
        .exclude(status="draft")
        .values_list("applicant_id", "session__listing_id")
    )


def _listing_live(alert: Alert) -> bool:
    return alert.listing.status == "published" and (alert.session is None or not alert.session.is_archived)


def _search_match_relevant(alerts: list[Alert], now: dt.datetime) -> set[int]:
    applied = _applied(alerts)
    return {
        a.pk
        for a in alerts
        if _listing_live(a)
        and (a.owner_id, a.listing_id) not in applied
        # A search paused or deleted since: silent.
        and a.saved_search is not None
        and not a.saved_search.paused
    }


def _window_open_relevant(alerts: list[Alert], now: dt.datetime) -> set[int]:
    applied = _applied(alerts)
    saved = set(
        SavedListing.objects.filter(
            user_id__in={a.owner_id for a in alerts}, listing_id__in={a.listing_id for a in alerts}
        ).values_list("user_id", "listing_id")
    )
    return {
        a.pk
        for a in alerts
        if _listing_live(a)
        and (a.owner_id, a.listing_id) in saved
        and (a.owner_id, a.listing_id) not in applied
        and a.session is not None
        and a.session.applications_close_at > now
    }


def _seats_free_relevant(alerts: list[Alert], now: dt.datetime) -> set[int]:
    sessions = {a.session_id for a in alerts}
    taken: dict[int, int] = defaultdict(int)
    waitlisted: set[tuple[int, int]] = set()
    for applicant_id, session_id, status in Application.objects.filter(
        Q(session_id__in=sessions, status__in=SEAT_HOLDING)
        | Q(session_id__in=sessions, applicant_id__in={a.owner_id for a in alerts}, status="waitlisted")
    ).values_list("applicant_id", "session_id", "status"):
        if status in SEAT_HOLDING:
            taken[session_id] += 1
        else:
            waitlisted.add((applicant_id, session_id))
    applied = _applied(alerts)
    return {
        a.pk
        for a in alerts
        if _listing_live(a)
        and a.session is not None
        and a.session.is_open_for_applications(now)
        and taken[a.session_id] < a.session.seats
        and ((a.owner_id, a.session_id) in waitlisted or (a.owner_id, a.listing_id) not in applied)
    }


def _listing_url(alert: Alert) -> str:
    return first_url(("placements:listing", [alert.listing_id]))


def _search_match_in_app(reminder: Any, batch: AlertBatch) -> InApp:
    if batch.digest:
        count = len(batch.alerts)
        names = sorted({a.saved_search.name for a in batch.alerts if a.saved_search})
        return InApp(
            title=f"{count} new match{'es' if count != 1 else ''} for your saved searches",
            body="; ".join(f"{a.listing.title} ({a.listing.institution.state})" for a in batch.alerts[:10])
            + (f" and {count - 10} more" if count > 10 else "")
            + (f". Searches: {', '.join(names)}." if names else ""),
            url=first_url(("alerts:list", []), ("placements:search", [])),
        )
    alert = batch.first
    what = "New session" if alert.event == Alert.Event.NEW_SESSION else "New listing"
    search = alert.saved_search.name if alert.saved_search else ""
    return InApp(
        title=f"{what} for “{search}”: {alert.listing.title}"[:200],
        body=f"{alert.listing.institution.name}, {alert.listing.institution.city}, {alert.listing.institution.state}"
        + (f"; session starting {alert.session.start_date:%d %b %Y}" if alert.session else ""),
        url=_listing_url(alert),
    )


def _window_open_in_app(reminder: Any, batch: AlertBatch) -> InApp:
    alert = batch.first
    return InApp(
        title=f"Applications are open: {alert.listing.title}"[:200],
        body=f"{alert.listing.institution.name}: the session starting {alert.session.start_date:%d %b %Y} takes "
        f"applications until {alert.session.applications_close_at:%d %b %Y}.",
        url=_listing_url(alert),
    )


def _seats_free_in_app(reminder: Any, batch: AlertBatch) -> InApp:
    alert = batch.first
    return InApp(
        title=f"A seat came free: {alert.listing.title}"[:200],
        body=f"{alert.listing.institution.name}: the session starting {alert.session.start_date:%d %b %Y} "
        "was full and has a place again.",
        url=_listing_url(alert),
    )


kinds.register(
    ReminderKind(
        code=SEARCH_MATCH,
        label="New listings and sessions matching your saved searches",
        subject_type=SUBJECT_TYPE,
        find_due=_search_match_due,
        load_subjects=lambda reminders, now: _load(reminders, now, _search_match_relevant),
        render=emails.render_search_match,
        in_app=_search_match_in_app,
    )
)
kinds.register(
    ReminderKind(
        code=WINDOW_OPEN,
        label="Application windows opening for listings you saved",
        subject_type=SUBJECT_TYPE,
        find_due=_window_open_due,
        load_subjects=lambda reminders, now: _load(reminders, now, _window_open_relevant),
        render=emails.render_window_open,
        in_app=_window_open_in_app,
    )
)
kinds.register(
    ReminderKind(
        code=SEATS_FREE,
        label="Seats coming free on full sessions you saved or are waitlisted on",
        subject_type=SUBJECT_TYPE,
        find_due=_seats_free_due,
        load_subjects=lambda reminders, now: _load(reminders, now, _seats_free_relevant),
        render=emails.render_seats_free,
        in_app=_seats_free_in_app,
    )
)
