"""The trust app's two messages, one function each, so the outbox (notifications) can take them over
whole: coordinators told of a report on their listing, and the 90-day request to confirm a listing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications.emails import absolute, send_templated
from notifications.services import notifications_create

from .models import ListingReport

REPORT_KIND = "listing_report"
FRESHNESS_KIND = "listing_freshness"


def _coordinators(institution_id: int):
    return list(get_user_model().objects.filter(is_active=True, memberships__institution_id=institution_id))


def tell_coordinators_of_report(*, report_id: int) -> None:
    """An in-app message and an e-mail to each coordinator of the reported listing's institution."""
    report = ListingReport.objects.select_related("listing__institution").filter(pk=report_id).first()
    if report is None:
        return
    listing = report.listing
    coordinators = _coordinators(listing.institution_id)
    url = reverse("placements:listing_edit", args=[listing.pk])
    title = f"Reported as wrong on “{listing.title}”: {report.field_label}"
    notifications_create(recipients=coordinators, kind=REPORT_KIND, title=title[:200], url=url, body=report.note)
    context = {"report": report, "listing": listing, "url": absolute(url)}
    for coordinator in coordinators:
        send_templated(name="listing-report", user=coordinator, unsubscribe_kind=None, context=context)


def ask_coordinators_to_confirm(*, listing) -> None:
    """The 90-day e-mail: a link to the listing's one-click confirmation page."""
    url = reverse("trust:listing_confirm", args=[listing.pk])
    context = {"listing": listing, "url": absolute(url)}
    for coordinator in _coordinators(listing.institution_id):
        send_templated(name="listing-freshness", user=coordinator, unsubscribe_kind=None, context=context)
