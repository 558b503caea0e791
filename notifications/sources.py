"""The reminder kinds and their set-based sources (registered into kinds.KINDS at start-up).

Each source is one query over every recipient, reading the recipient's time zone in the same
query, so a tick costs the same few queries for ten applicants or a hundred thousand. Dates are
compared in the recipient's zone: 'the window closes in 3 days' means their calendar days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Exists, F, OuterRef
from django.urls import NoReverseMatch, reverse

from applicants.models import Document, SavedListing
from applications.models import Application
from placements.models import Session

from . import emails, kinds
from .kinds import Due, InApp, ReminderKind
from .timezones import zone_or_default

WINDOW_DAYS_BEFORE = (14, 3, 1)
DOCUMENT_DAYS_BEFORE = (30, 7)
# Zones run from UTC-12 to UTC+14: a day of slack each side lets SQL narrow the rows and Python
# decide per recipient.
SLACK = dt.timedelta(days=1)


def first_url(*candidates: tuple[str, Sequence[Any]], fallback: str = "notifications:list") -> str:
    """The first of the named pages that exists: other apps add detail pages in parallel."""
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return reverse(fallback)


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
