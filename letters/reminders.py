"""Reminder kinds about letters of recommendation: to the writer before the letter is due, and to
the applicant when it is late; awaited letters in the calendar feed. Registered into notifications'
registries when portal's AppConfig.ready() imports this module.

A request's due date (`LetterRequest.due_at`) is the earliest application deadline among the
drafts it is assigned to (letters.services.letter_requests_refresh_due). A request assigned to no
draft is needed by nothing yet, so nobody is reminded of it; nor is one of a deactivated account
(a deleted account's requests are erased with it: letters.personal_data).

The writer has no account and no time zone. We read their dates in the zone of the rotation they
supervised when the request names one (they work there), else in the applicant's zone (their
deadline; often the writer's country too), else the portal's; the e-mail names the zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from notifications import calendar, emails, kinds
from notifications.calendar import CalendarEvent
from notifications.kinds import SLACK, Due, InApp, ReminderKind, Rendered
from notifications.timezones import user_time_zone, zone_or_default

from . import emails as letter_emails
from .models import LetterAssignment, LetterLink, LetterRequest
from .tokens import token_as_issued

WRITER_DAYS_BEFORE = (7, 2)
# A letter late by more than this when first seen (the portal was down; the kind is new) is left
# alone: the applicant has long seen it on their letters page.
LATE_LOOKBACK = dt.timedelta(days=7)
# Not uploaded, and neither declined nor withdrawn by the applicant (revoked): a lapsed link
# (expired) still leaves a late letter the applicant can chase with a new link.
LATE_STATUSES = [LetterRequest.Status.SENT, LetterRequest.Status.OPENED, LetterRequest.Status.EXPIRED]
ROTATION_TZ = "rotation__session__listing__institution__time_zone"
APPLICANT_TZ = "applicant__applicant_profile__time_zone"


def _needed_by_a_draft() -> Exists:
    return Exists(LetterAssignment.objects.filter(letter_request=OuterRef("pk"), application__status="draft"))


def _draft_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=LetterAssignment.objects.filter(application__status="draft")
        .select_related("application__session__listing__institution")
        .order_by("application__session__applications_close_at"),
        to_attr="draft_assignments",
    )


def writer_zone(rotation_zone: str | None, applicant_zone: str | None):
    return zone_or_default(rotation_zone or applicant_zone)


# --- To the writer, 7 and 2 days before the letter is due ---------------------------------------


def letter_writer_due(now: dt.datetime) -> Iterable[Due]:
    rows = (
        LetterRequest.objects.awaiting_writer(now)
        .filter(
            _needed_by_a_draft(),
            current_letter__isnull=True,
            applicant__is_active=True,
            due_at__gt=now,
            due_at__lte=now + dt.timedelta(days=max(WRITER_DAYS_BEFORE)) + SLACK,
        )
        .values_list("id", "writer_email", "due_at", ROTATION_TZ, APPLICANT_TZ)
    )
    for request_id, writer_email, due_at, rotation_zone, applicant_zone in rows.iterator(chunk_size=5000):
        zone = writer_zone(rotation_zone, applicant_zone)
        due = kinds.latest_threshold(
            deadline=due_at.astimezone(zone).date(), today=now.astimezone(zone).date(), days_before=WRITER_DAYS_BEFORE
        )
        if due is not None:
            # Keyed on the address and the day: each threshold once; a moved deadline is a new one.
            yield Due(recipient_id=None, recipient_email=writer_email, subject_id=request_id, due=due, deadline=due_at)


def letter_writer_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    """The requests still awaited and still due when they were found, each with its live link
    (`live_link`), the drafts it is for and the writer's zone: three queries per batch."""
    requests = (
        LetterRequest.objects.awaiting_writer(now)
        .filter(
            pk__in={r.subject_id for r in reminders},
            current_letter__isnull=True,
            due_at__gt=now,
            applicant__is_active=True,
        )
        .select_related("applicant__applicant_profile", "rotation__session__listing__institution")
        .prefetch_related(_draft_assignments())
        .in_bulk()
    )
    links = {link.request_id: link for link in LetterLink.objects.filter(request__in=requests, ended_at__isnull=True)}
    loaded = {}
    for r in reminders:
        letter_request = requests.get(r.subject_id)  # nosec B113: a dict of letter requests, not the HTTP library
        if (
            letter_request is None
            or letter_request.pk not in links
            or not letter_request.draft_assignments
            or letter_request.due_at != r.deadline
            or letter_request.writer_email != r.recipient_email
        ):
            continue
        letter_request.live_link = links[letter_request.pk]
        rotation = letter_request.rotation
        profile = getattr(letter_request.applicant, "applicant_profile", None)
        letter_request.writer_zone = writer_zone(
            rotation.session.listing.institution.time_zone if rotation else None, profile.time_zone if profile else None
        )
        loaded[r.pk] = letter_request
    return loaded


def render_letter_writer(*, reminder: Any, subject: Any) -> Rendered:
    """To the writer, who has no account: their live link (as issued, see letters.tokens), the
    zone chosen for them (writer_zone), replies to the applicant as the invitation did."""
    letter_request = subject
    link = letter_request.live_link
    return emails.render_templated(
        name="letter-writer",
        user=None,
        to=reminder.recipient_email,
        zone=letter_request.writer_zone,
        reply_to=letter_request.applicant.email,
        unsubscribe_kind=reminder.kind,
        context={
            "letter_request": letter_request,
            "applicant_name": letter_request.applicant.get_full_name(),
            "due_at": letter_request.due_at,
            "assignments": letter_request.draft_assignments,
            "url": emails.absolute(reverse("letters:write", args=[token_as_issued(link.key, link.created_at)])),
        },
    )


kinds.register(
    ReminderKind(
        code="letter_writer",
        label="Reminders to letter writers (7 and 2 days before the letter is due)",
        subject_type="letters.letterrequest",
        find_due=letter_writer_due,
        load_subjects=letter_writer_load,
        render=render_letter_writer,
        in_app=None,
        to_address=True,
    )
)


# --- To the applicant, when a letter is late ------------------------------------------------------


def letter_late_due(now: dt.datetime) -> Iterable[Due]:
    rows = LetterRequest.objects.filter(
        _needed_by_a_draft(),
        status__in=LATE_STATUSES,
        current_letter__isnull=True,
        applicant__is_active=True,
        due_at__lte=now,
        due_at__gt=now - LATE_LOOKBACK,
    ).values_list("applicant_id", "id", "due_at", APPLICANT_TZ)
    for applicant_id, request_id, due_at, zone_name in rows.iterator(chunk_size=5000):
        # Keyed on the deadline's local day: once per deadline; a new deadline that passes is new.
        yield Due(
            recipient_id=applicant_id,
            subject_id=request_id,
            due=due_at.astimezone(zone_or_default(zone_name)).date(),
            deadline=due_at,
        )


def letter_late_load(reminders: Sequence[Any], now: dt.datetime) -> Mapping[int, Any]:
    requests = (
        LetterRequest.objects.filter(
            pk__in={r.subject_id for r in reminders},
            status__in=LATE_STATUSES,
            current_letter__isnull=True,
            due_at__lte=now,
        )
        .prefetch_related(_draft_assignments())
        .in_bulk()
    )
    return {
        r.pk: requests[r.subject_id]
        for r in reminders
        if r.subject_id in requests
        and requests[r.subject_id].applicant_id == r.recipient_id
        and requests[r.subject_id].due_at == r.deadline
        and requests[r.subject_id].draft_assignments
    }


def letter_late_in_app(reminder: Any, letter_request: LetterRequest) -> InApp:
    due = timezone.localtime(letter_request.due_at, user_time_zone(reminder.recipient))
    return InApp(
        title=f"The letter from {letter_request.writer_name} is late",
        body=f"It was due on {due:%A} {due.day} {due:%B} for {_programmes(letter_request)}. Remind them, "
        "send a new link, or choose another letter.",
        url=reverse("letters:list"),
    )


def _programmes(letter_request: LetterRequest) -> str:
    return ", ".join(a.application.session.listing.title for a in letter_request.draft_assignments)


kinds.register(
    ReminderKind(
        code="letter_late",
        label="Letters of recommendation not uploaded by their due date",
        subject_type="letters.letterrequest",
        find_due=letter_late_due,
        load_subjects=letter_late_load,
        render=emails.render_letter_late,
        in_app=letter_late_in_app,
        after_deadline=True,
    )
)


# --- Calendar ----------------------------------------------------------------------------------


@calendar.register
def awaited_letters(user: Any) -> Iterable[CalendarEvent]:
    """An applicant's letters still awaited from their writers, on the date they are needed by: the
    earliest deadline of the applications they are assigned to (the writers' reminders use it too)."""
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


# --- Messages caused by a change (recorded by the change; see notifications.outbox) -------------

kinds.register(
    ReminderKind(
        code="letter_request",
        label="Invitations to write a letter (to the writer)",
        subject_type="letters.letterlink",
        find_due=None,
        load_subjects=letter_emails.links_load,
        render=letter_emails.render_letter_request,
        in_app=None,
        transactional=True,
    )
)

kinds.register(
    ReminderKind(
        code="letter_uploaded",
        label="A letter of recommendation arrived",
        subject_type="letters.letter",
        find_due=None,
        load_subjects=letter_emails.uploads_load,
        render=letter_emails.render_letter_uploaded,
        in_app=letter_emails.uploaded_in_app,
        transactional=True,
    )
)

kinds.register(
    ReminderKind(
        code="letter_declined",
        label="A writer declined to write a letter",
        subject_type="letters.letterrequest",
        find_due=None,
        load_subjects=letter_emails.declines_load,
        render=letter_emails.render_letter_declined,
        in_app=letter_emails.declined_in_app,
        transactional=True,
    )
)
