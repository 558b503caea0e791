"""The trust app's two messages, through the outbox (notifications.outbox) like every e-mail:
coordinators told of a report on their listing (e-mail and in-app), and the 90-day request to
confirm a listing (e-mail). Each is recorded in the transaction of the change that causes it,
one message per coordinator, under a key that makes a repeat of the same change one message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.emails import absolute, render_templated
from notifications.kinds import InApp, ReminderKind, Rendered
from notifications.outbox import message_enqueue
from placements.models import Listing

from .models import ListingReport

REPORT_KIND = "listing_report"
FRESHNESS_KIND = "listing_freshness"


def _coordinator_ids(institution_id: int) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, memberships__institution_id=institution_id)
        .values_list("pk", flat=True)
    )


# --- Recorded by the change ---------------------------------------------------------------------


def tell_coordinators_of_report(*, report_id: int) -> None:
    """An e-mail and an in-app message to each coordinator of the reported listing's institution."""
    report = ListingReport.objects.select_related("listing").filter(pk=report_id).first()
    if report is None:
        return
    for coordinator_id in _coordinator_ids(report.listing.institution_id):
        message_enqueue(
            kind=REPORT_KIND,
            key=f"{REPORT_KIND}:{report.pk}:{coordinator_id}",
            subject_type="trust.listingreport",
            subject_id=report.pk,
            recipient_id=coordinator_id,
        )


def ask_coordinators_to_confirm(*, listing: Listing, now: dt.datetime) -> None:
    """The 90-day e-mail: a link to the listing's one-click confirmation page. The day is in the key:
    the claim in freshness_reminders_send decides how often, the key only that a day sends one."""
    today = timezone.localdate(now)
    for coordinator_id in _coordinator_ids(listing.institution_id):
        message_enqueue(
            kind=FRESHNESS_KIND,
            key=f"{FRESHNESS_KIND}:{listing.pk}:{coordinator_id}:{today:%Y%m%d}",
            subject_type="placements.listing",
            subject_id=listing.pk,
            recipient_id=coordinator_id,
        )


# --- Loaded and rendered by the outbox's workers ------------------------------------------------


def _reports_load(reminders: Sequence[Any], now: Any) -> Mapping[int, Any]:
    reports = (
        ListingReport.objects.filter(pk__in={r.subject_id for r in reminders})
        .select_related("listing__institution")
        .in_bulk()
    )
    return {r.pk: reports[r.subject_id] for r in reminders if r.subject_id in reports}


def _report_url(report: ListingReport) -> str:
    return reverse("placements:listing_edit", args=[report.listing_id])


def _render_report(*, reminder: Any, subject: ListingReport) -> Rendered:
    context = {"report": subject, "listing": subject.listing, "url": absolute(_report_url(subject))}
    return render_templated(name="listing-report", user=reminder.recipient, unsubscribe_kind=None, context=context)


def _report_in_app(reminder: Any, report: ListingReport) -> InApp:
    title = f"Reported as wrong on “{report.listing.title}”: {report.field_label}"
    return InApp(title=title[:200], url=_report_url(report), body=report.note)


def _listings_load(reminders: Sequence[Any], now: Any) -> Mapping[int, Any]:
    listings = Listing.objects.filter(pk__in={r.subject_id for r in reminders}).in_bulk()
    return {r.pk: listings[r.subject_id] for r in reminders if r.subject_id in listings}


def _render_freshness(*, reminder: Any, subject: Listing) -> Rendered:
    url = absolute(reverse("trust:listing_confirm", args=[subject.pk]))
    return render_templated(
        name="listing-freshness",
        user=reminder.recipient,
        unsubscribe_kind=None,
        context={"listing": subject, "url": url},
    )


def register() -> None:
    """Called once from TrustConfig.ready(). Both transactional: coordinators cannot switch them off."""
    kinds.register(
        ReminderKind(
            code=REPORT_KIND,
            label="Reports of wrong information on your listings",
            subject_type="trust.listingreport",
            find_due=None,
            load_subjects=_reports_load,
            render=_render_report,
            in_app=_report_in_app,
            transactional=True,
        )
    )
    kinds.register(
        ReminderKind(
            code=FRESHNESS_KIND,
            label="Requests to confirm a listing's details",
            subject_type="placements.listing",
            find_due=None,
            load_subjects=_listings_load,
            render=_render_freshness,
            in_app=None,
            transactional=True,
        )
    )
