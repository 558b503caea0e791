"""Reminder kinds about applications: an offer's deadline, tomorrow's interview, the pre-arrival
checklist, and the coordinators' daily digest. Set-based like every source (see sources.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from applications.models import Application, ChecklistItem, InterviewSlot
from placements.models import Institution, InstitutionMembership

from . import emails, kinds
from .kinds import Due, InApp, ReminderKind
from .sources import SLACK, first_url
from .timezones import zone_or_default

TZ = "applicant__applicant_profile__time_zone"
OFFER_NOTICE = dt.timedelta(hours=48)
PRE_ARRIVAL_DAYS_BEFORE = (30, 7)
DIGEST_HOUR = 7  # coordinators get yesterday's arrivals from 07:00 in their institution's zone


# --- An offer's response deadline, 48 hours before (transactional) ----------------------------


def offer_deadline_due(now: dt.datetime) -> Iterable[Due]:
    rows = Application.objects.filter(
        status="offered", offer_expires_at__gt=now, offer_expires_at__lte=now + OFFER_NOTICE
    ).values_list("applicant_id", "id", "offer_expires_at", TZ)
    for applicant_id, application_id, expires_at, zone_name in rows.iterator(chunk_size=5000):
        # Keyed on the deadline's local day: a new offer with a new deadline is a new reminder.
        due = expires_at.astimezone(zone_or_default(zone_name)).date()
        yield Due(recipient_id=applicant_id, subject_id=application_id, due=due, deadline=expires_at)


def offer_deadline_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    offers = (
        Application.objects.filter(pk__in={r.subject_id for r in reminders}, status="offered", offer_expires_at__gt=now)
        .select_related("session__listing__institution")
        .in_bulk()
    )
    return {
        r.pk: offers[r.subject_id]
        for r in reminders
        if r.subject_id in offers and offers[r.subject_id].offer_expires_at == r.deadline
    }


def offer_deadline_in_app(reminder: Any, application: Application) -> InApp:
    return InApp(
        title=f"Answer your offer for {application.session.listing.title} within 48 hours",
        body="If you do not accept or decline by the deadline, the seat goes to the next person on the waitlist.",
        url=application.get_absolute_url(),
    )


kinds.register(
    ReminderKind(
        code="offer_deadline",
        label="Offer response deadlines (48 hours before)",
        subject_type="applications.application",
        find_due=offer_deadline_due,
        load_subjects=offer_deadline_load,
        send=emails.send_offer_deadline,
        in_app=offer_deadline_in_app,
        transactional=True,
    )
)


# --- An interview tomorrow (transactional) ------------------------------------------------------


def interview_tomorrow_due(now: dt.datetime) -> Iterable[Due]:
    rows = InterviewSlot.objects.filter(
        application__isnull=False, starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=2) + SLACK
    ).values_list("application__applicant_id", "id", "starts_at", f"application__{TZ}")
    for applicant_id, slot_id, starts_at, zone_name in rows.iterator(chunk_size=5000):
        zone = zone_or_default(zone_name)
        day_before = starts_at.astimezone(zone).date() - dt.timedelta(days=1)
        if now.astimezone(zone).date() >= day_before:
            yield Due(recipient_id=applicant_id, subject_id=slot_id, due=day_before, deadline=starts_at)


def interview_tomorrow_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    slots = (
        InterviewSlot.objects.filter(
            pk__in={r.subject_id for r in reminders}, starts_at__gt=now, application__isnull=False
        )
        .select_related("application__session__listing__institution")
        .in_bulk()
    )
    return {
        r.pk: slots[r.subject_id]
        for r in reminders
        if r.subject_id in slots
        and slots[r.subject_id].application.applicant_id == r.recipient_id
        and slots[r.subject_id].starts_at == r.deadline
    }


def interview_tomorrow_in_app(reminder: Any, slot: InterviewSlot) -> InApp:
    return InApp(
        title=f"Interview tomorrow: {slot.application.session.listing.title}",
        body=f"Where: {slot.where}",
        url=slot.application.get_absolute_url(),
    )


kinds.register(
    ReminderKind(
        code="interview_tomorrow",
        label="Interviews (the day before)",
        subject_type="applications.interviewslot",
        find_due=interview_tomorrow_due,
        load_subjects=interview_tomorrow_load,
        send=emails.send_interview_tomorrow,
        in_app=interview_tomorrow_in_app,
        transactional=True,
    )
)


# --- The pre-arrival checklist, 30 and 7 days before the start --------------------------------


def pre_arrival_due(now: dt.datetime) -> Iterable[Due]:
    today = now.date()
    rows = Application.objects.filter(
        status__in=["accepted", "enrolled"],
        session__start_date__gt=today - SLACK,
        session__start_date__lte=today + dt.timedelta(days=max(PRE_ARRIVAL_DAYS_BEFORE)) + SLACK,
    ).values_list("applicant_id", "id", "session__start_date", TZ)
    for applicant_id, application_id, start, zone_name in rows.iterator(chunk_size=5000):
        local_today = now.astimezone(zone_or_default(zone_name)).date()
        due = kinds.latest_threshold(deadline=start, today=local_today, days_before=PRE_ARRIVAL_DAYS_BEFORE)
        if due is not None and local_today < start:
            yield Due(recipient_id=applicant_id, subject_id=application_id, due=due)


def pre_arrival_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    open_items = Prefetch(
        "checklist", queryset=ChecklistItem.objects.filter(done_at__isnull=True), to_attr="open_items"
    )
    accepted = (
        Application.objects.filter(
            pk__in={r.subject_id for r in reminders},
            status__in=["accepted", "enrolled"],
            session__start_date__gt=now.date() - SLACK,
        )
        .select_related("session__listing__institution")
        .prefetch_related(open_items)
        .in_bulk()
    )
    return {r.pk: accepted[r.subject_id] for r in reminders if r.subject_id in accepted}


def pre_arrival_in_app(reminder: Any, application: Application) -> InApp:
    left = len(application.open_items)
    return InApp(
        title=f"{application.session.listing.title} starts on {application.session.start_date:%d %b %Y}",
        body=f"{left} step{'s' if left != 1 else ''} of your pre-arrival checklist left."
        if left
        else "Your pre-arrival checklist is complete.",
        url=application.get_absolute_url(),
    )


kinds.register(
    ReminderKind(
        code="pre_arrival",
        label="Pre-arrival checklist (30 and 7 days before you start)",
        subject_type="applications.application",
        find_due=pre_arrival_due,
        load_subjects=pre_arrival_load,
        send=emails.send_pre_arrival,
        in_app=pre_arrival_in_app,
    )
)


# --- The coordinators' daily digest of what arrived ------------------------------------------


@dataclass(frozen=True)
class Digest:
    institution: Institution
    day: dt.date
    applications: list[Application]


def _yesterday_window(day: dt.date, zone_name: str) -> tuple[dt.datetime, dt.datetime]:
    zone = zone_or_default(zone_name)
    start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, dt.datetime.combine(day, dt.time(), tzinfo=zone)


def coordinator_digest_due(now: dt.datetime) -> Iterable[Due]:
    arrivals = Application.objects.filter(
        submitted_at__gte=now - dt.timedelta(hours=50), submitted_at__lt=now
    ).values_list("session__listing__institution_id", "session__listing__institution__time_zone", "submitted_at")
    due_today: dict[int, dt.date] = {}
    for institution_id, zone_name, submitted_at in arrivals.iterator(chunk_size=5000):
        local_now = now.astimezone(zone_or_default(zone_name))
        start, end = _yesterday_window(local_now.date(), zone_name)
        if local_now.hour >= DIGEST_HOUR and start <= submitted_at < end:
            due_today[institution_id] = local_now.date()
    members = InstitutionMembership.objects.filter(institution_id__in=due_today).values_list(
        "user_id", "institution_id"
    )
    for user_id, institution_id in members:
        yield Due(recipient_id=user_id, subject_id=institution_id, due=due_today[institution_id])


def coordinator_digest_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    institution_ids = {r.subject_id for r in reminders}
    institutions = Institution.objects.filter(pk__in=institution_ids).in_bulk()
    earliest = min(r.due for r in reminders) - dt.timedelta(days=2)
    arrivals = list(
        Application.objects.filter(
            session__listing__institution_id__in=institution_ids,
            submitted_at__gte=dt.datetime.combine(earliest, dt.time(), tzinfo=dt.UTC),
        )
        .select_related("applicant", "session__listing")
        .order_by("submitted_at")
    )
    digests = {}
    for r in reminders:
        institution = institutions.get(r.subject_id)
        if institution is None:
            continue
        start, end = _yesterday_window(r.due, institution.time_zone)
        arrived = [
            a for a in arrivals if a.session.listing.institution_id == institution.pk and start <= a.submitted_at < end
        ]
        if arrived:
            digests[r.pk] = Digest(institution=institution, day=r.due - dt.timedelta(days=1), applications=arrived)
    return digests


def coordinator_digest_in_app(reminder: Any, digest: Digest) -> InApp:
    count = len(digest.applications)
    return InApp(
        title=f"{count} new application{'s' if count != 1 else ''} for {digest.institution.name} on {digest.day:%d %b}",
        url=first_url(("applications:queue", [])),
    )


kinds.register(
    ReminderKind(
        code="coordinator_digest",
        label="Daily digest of new applications (coordinators)",
        subject_type="placements.institution",
        find_due=coordinator_digest_due,
        load_subjects=coordinator_digest_load,
        send=emails.send_coordinator_digest,
        in_app=coordinator_digest_in_app,
        for_role="coordinator",
    )
)
