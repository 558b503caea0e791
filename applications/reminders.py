"""This app's reminder kinds and calendar dates (registered into notifications' registries when
portal's AppConfig.ready() imports this module): application windows closing, documents to renew,
an offer's deadline, tomorrow's interview, the pre-arrival checklist, the coordinators' digest.

Each source is one query over every recipient, reading the recipient's time zone in the same
query, so a tick costs the same few queries for ten applicants or a hundred thousand. Dates are
compared in the recipient's zone: 'the window closes in 3 days' means their calendar days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch

from applicants.models import Document, SavedListing
from notifications import calendar, emails, kinds
from notifications.calendar import CalendarEvent
from notifications.kinds import SLACK, Due, InApp, ReminderKind, first_url
from notifications.timezones import zone_or_default
from placements.models import Institution, InstitutionMembership, Session

from . import notifications as application_messages
from .models import Application, ChecklistItem, InterviewSlot

WINDOW_DAYS_BEFORE = (14, 3, 1)
DOCUMENT_DAYS_BEFORE = (30, 7)


# --- Application window closing, for saved listings and drafts --------------------------------


def _sent_application(user_ref: str, session_ref: str) -> Exists:
    """An application past draft: whoever sent one needs no reminder to apply."""
    return Exists(
        Application.objects.filter(applicant_id=OuterRef(user_ref), session_id=OuterRef(session_ref)).exclude(
            status="draft"
        )
    )


def window_closing_due(now: dt.datetime) -> Iterable[Due]:
    horizon = now + dt.timedelta(days=max(WINDOW_DAYS_BEFORE)) + SLACK
    saved = (
        SavedListing.objects.filter(
            listing__status="published",
            listing__sessions__applications_open_at__lte=horizon,
            listing__sessions__applications_close_at__gt=now,
            listing__sessions__applications_close_at__lte=horizon,
        )
        .exclude(_sent_application("user_id", "listing__sessions__id"))
        .values_list(
            "user_id",
            "listing__sessions__id",
            "listing__sessions__applications_close_at",
            "user__applicant_profile__time_zone",
        )
    )
    drafts = Application.objects.filter(
        status="draft",
        session__listing__status="published",
        session__applications_close_at__gt=now,
        session__applications_close_at__lte=horizon,
    ).values_list(
        "applicant_id", "session_id", "session__applications_close_at", "applicant__applicant_profile__time_zone"
    )
    seen = set()
    for rows in (saved, drafts):
        for user_id, session_id, closes_at, zone_name in rows.iterator(chunk_size=5000):
            zone = zone_or_default(zone_name)
            due = kinds.latest_threshold(
                deadline=closes_at.astimezone(zone).date(),
                today=now.astimezone(zone).date(),
                days_before=WINDOW_DAYS_BEFORE,
            )
            # Saved and drafted: one reminder (the ledger's key would merge them anyway).
            if due is not None and (user_id, session_id) not in seen:
                seen.add((user_id, session_id))
                yield Due(recipient_id=user_id, subject_id=session_id, due=due, deadline=closes_at)


def window_closing_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    sessions = (
        Session.objects.filter(
            pk__in={r.subject_id for r in reminders}, applications_close_at__gt=now, listing__status="published"
        )
        .select_related("listing__institution")
        .in_bulk()
    )
    recipients = {r.recipient_id for r in reminders}
    saved = set(SavedListing.objects.filter(user_id__in=recipients).values_list("user_id", "listing_id"))
    applied = {
        (applicant_id, session_id): status
        for applicant_id, session_id, status in Application.objects.filter(
            applicant_id__in=recipients, session_id__in=sessions
        ).values_list("applicant_id", "session_id", "status")
    }

    def still_due(r: Any) -> bool:
        session = sessions.get(r.subject_id)
        if session is None:
            return False
        status = applied.get((r.recipient_id, session.pk))
        return status == "draft" or (status is None and (r.recipient_id, session.listing_id) in saved)

    return {r.pk: sessions[r.subject_id] for r in reminders if still_due(r)}


def window_closing_in_app(reminder: Any, session: Session) -> InApp:
    return InApp(
        title=f"Applications for {session.listing.title} close soon",
        body=f"{session.listing.institution.name}: the session starting {session.start_date:%d %b %Y} "
        f"takes applications until {reminder.deadline:%d %b %Y}.",
        url=first_url(("placements:listing", [session.listing_id])),
    )


kinds.register(
    ReminderKind(
        code="window_closing",
        label="Application windows closing for listings you saved or drafts you started (14, 3 and 1 days before)",
        subject_type="placements.session",
        find_due=window_closing_due,
        load_subjects=window_closing_load,
        render=emails.render_window_closing,
        in_app=window_closing_in_app,
    )
)


# --- A document expiring -----------------------------------------------------------------------


def document_expiring_due(now: dt.datetime) -> Iterable[Due]:
    today = now.date()
    rows = Document.objects.filter(
        current_version__expires_on__gte=today - SLACK,
        current_version__expires_on__lte=today + dt.timedelta(days=max(DOCUMENT_DAYS_BEFORE)) + SLACK,
    ).values_list("owner_id", "id", "current_version__expires_on", "owner__applicant_profile__time_zone")
    for owner_id, document_id, expires_on, zone_name in rows.iterator(chunk_size=5000):
        due = kinds.latest_threshold(
            deadline=expires_on,
            today=now.astimezone(zone_or_default(zone_name)).date(),
            days_before=DOCUMENT_DAYS_BEFORE,
        )
        if due is not None:
            yield Due(recipient_id=owner_id, subject_id=document_id, due=due)


def document_expiring_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    documents = (
        Document.objects.filter(
            pk__in={r.subject_id for r in reminders}, current_version__expires_on__gte=now.date() - SLACK
        )
        .select_related("current_version")
        .in_bulk()
    )
    # Still due only while the current version expires within the reminder's horizon: a renewed
    # document (a new version expiring later) silences the older reminder.
    horizon = dt.timedelta(days=max(DOCUMENT_DAYS_BEFORE))
    return {
        r.pk: documents[r.subject_id]
        for r in reminders
        if r.subject_id in documents and documents[r.subject_id].current_version.expires_on <= r.due + horizon
    }


def document_expiring_in_app(reminder: Any, document: Document) -> InApp:
    expires_on = document.current_version.expires_on
    return InApp(
        title=f"Your {document.get_kind_display()} expires on {expires_on:%d %b %Y}",
        body="Upload a renewed copy so your applications stay complete.",
        url=first_url(("applicants:documents", [])),
    )


kinds.register(
    ReminderKind(
        code="document_expiring",
        label="Documents about to expire (30 and 7 days before)",
        subject_type="applicants.document",
        find_due=document_expiring_due,
        load_subjects=document_expiring_load,
        render=emails.render_document_expiring,
        in_app=document_expiring_in_app,
    )
)


# --- A document that expires before a session the applicant applied to starts ------------------

APPLIED = ["submitted", "under_review", "interview", "waitlisted", "offered", "accepted", "enrolled"]


def document_before_start_due(now: dt.datetime) -> Iterable[Due]:
    """Documents sent with a live application that will have expired when its session starts.
    Those expiring within 30 days are left to `document_expiring`: one message, not two."""
    rows = (
        Document.objects.filter(
            current_version__expires_on__gt=now.date() + dt.timedelta(days=max(DOCUMENT_DAYS_BEFORE)) - SLACK,
            applications__status__in=APPLIED,
            applications__session__start_date__gt=F("current_version__expires_on"),
        )
        .values_list("owner_id", "id", "current_version__expires_on", "owner__applicant_profile__time_zone")
        .distinct()
    )
    horizon = dt.timedelta(days=max(DOCUMENT_DAYS_BEFORE))
    for owner_id, document_id, expires_on, zone_name in rows.iterator(chunk_size=5000):
        if expires_on > now.astimezone(zone_or_default(zone_name)).date() + horizon:
            # Keyed on the expiry day: once per version, however many applications carry it.
            yield Due(recipient_id=owner_id, subject_id=document_id, due=expires_on)


def document_before_start_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    documents = (
        Document.objects.filter(pk__in={r.subject_id for r in reminders}).select_related("current_version").in_bulk()
    )
    first_start = {}
    for document_id, start in (
        Application.objects.filter(documents__in=documents, status__in=APPLIED)
        .values_list("documents", "session__start_date")
        .order_by("session__start_date")
    ):
        first_start.setdefault(document_id, start)
    loaded = {}
    for r in reminders:
        document = documents.get(r.subject_id)
        expires_on = document.current_version.expires_on if document and document.current_version else None
        start = first_start.get(r.subject_id)
        if expires_on == r.due and start and start > expires_on:
            document.session_start = start
            loaded[r.pk] = document
    return loaded


def document_before_start_in_app(reminder: Any, document: Document) -> InApp:
    return InApp(
        title=f"Your {document.get_kind_display()} expires before your placement starts",
        body=f"It expires on {document.current_version.expires_on:%d %b %Y}; the session starts on "
        f"{document.session_start:%d %b %Y}. Upload a renewed copy.",
        url=first_url(("applicants:documents", [])),
    )


kinds.register(
    ReminderKind(
        code="document_before_start",
        label="Documents that expire before a placement you applied to starts",
        subject_type="applicants.document",
        find_due=document_before_start_due,
        load_subjects=document_before_start_load,
        render=emails.render_document_before_start,
        in_app=document_before_start_in_app,
    )
)


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
        render=emails.render_offer_deadline,
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
        render=emails.render_interview_tomorrow,
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
        render=emails.render_pre_arrival,
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
        render=emails.render_coordinator_digest,
        in_app=coordinator_digest_in_app,
        for_role="coordinator",
    )
)


# --- Calendar ----------------------------------------------------------------------------------


@calendar.register
def application_dates(user: Any) -> Iterable[CalendarEvent]:
    """An applicant's interviews, offer deadlines and the sessions they were accepted to."""
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


# --- Messages caused by a change (recorded by the change; see notifications.outbox) -------------

kinds.register(
    ReminderKind(
        code=application_messages.KIND,
        label="Changes to your applications",
        subject_type=application_messages.SUBJECT_TYPE,
        find_due=None,
        load_subjects=application_messages.events_load,
        render=application_messages.event_render,
        in_app=application_messages.event_in_app,
        transactional=True,
    )
)
