"""Reads of the trust app for its pages and for the listing page (through placements' registry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from applications.models import Application
from placements.models import Institution, Listing

from .models import ListingReport, VisaLetter

# A listing its programme has not confirmed for this long is shown as possibly out of date.
STALE_AFTER = dt.timedelta(days=180)
# Coordinators are asked to confirm this long after the last confirmation (or reminder).
REMIND_EVERY = dt.timedelta(days=90)


def confirmed_or_published_on(listing: Listing) -> dt.date | None:
    """The date freshness counts from: the last confirmation, else the publication."""
    if listing.last_verified_on:
        return listing.last_verified_on
    return timezone.localdate(listing.published_at) if listing.published_at else None


def is_stale(listing: Listing, today: dt.date | None = None) -> bool:
    since = confirmed_or_published_on(listing)
    return since is not None and since < (today or timezone.localdate()) - STALE_AFTER


def listing_trust_context(user: Any, listing: Listing) -> dict[str, Any]:
    """For the listing page: freshness, the last correction made after a report (one query)."""
    corrected = (
        ListingReport.objects.filter(listing=listing, status=ListingReport.Status.CORRECTED)
        .order_by("-resolved_at")
        .values_list("resolved_at", flat=True)
        .first()
    )
    return {"possibly_stale": is_stale(listing), "last_correction_at": corrected}


def stale_listings(today: dt.date | None = None) -> QuerySet:
    """Published listings not confirmed (nor published) within STALE_AFTER, the oldest first."""
    limit = (today or timezone.localdate()) - STALE_AFTER
    since = Coalesce("last_verified_on", TruncDate("published_at"))
    return (
        Listing.objects.published()
        .annotate(fresh_since=since)
        .filter(Q(fresh_since__lt=limit))
        .select_related("institution")
        .order_by("fresh_since", "pk")
    )


def listings_due_a_reminder(now: dt.datetime) -> QuerySet:
    """Published listings confirmed (or published) REMIND_EVERY ago or longer, not reminded since."""
    limit = timezone.localdate(now) - REMIND_EVERY
    since = Coalesce("last_verified_on", TruncDate("published_at"))
    return (
        Listing.objects.published()
        .annotate(fresh_since=since)
        .filter(fresh_since__lte=limit)
        .exclude(freshness__reminded_at__gte=now - REMIND_EVERY)
        .order_by("pk")
    )


def open_reports() -> QuerySet[ListingReport]:
    return ListingReport.objects.filter(status=ListingReport.Status.OPEN).select_related(
        "listing__institution", "reporter"
    )


def recent_resolved_reports(limit: int = 20) -> list[ListingReport]:
    return list(
        ListingReport.objects.exclude(status=ListingReport.Status.OPEN)
        .select_related("listing", "resolved_by")
        .order_by("-resolved_at")[:limit]
    )


def coordinator_listing(user: Any, pk: int) -> Listing:
    """A listing of one of the coordinator's institutions, or 404."""
    return get_object_or_404(
        Listing.objects.select_related("institution"), pk=pk, institution_id__in=user.coordinator_institution_ids
    )


def coordinator_application(user: Any, pk: int) -> Application:
    """An application to one of the coordinator's institutions, or 404."""
    return get_object_or_404(
        Application.objects.for_coordinator(user).select_related("applicant", "session__listing__institution"), pk=pk
    )


def application_letters(application: Application) -> list[VisaLetter]:
    return list(VisaLetter.objects.filter(application=application).order_by("-issued_at"))


def institution_page(slug: str) -> tuple[Institution, list[Listing]]:
    institution = get_object_or_404(Institution, slug=slug)
    listings = list(
        Listing.objects.published().filter(institution=institution).select_related("specialty").order_by("title")
    )
    return institution, listings
