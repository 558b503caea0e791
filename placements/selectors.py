"""Reads that span several relations for one page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Listing, Session
from .querysets import ListingQuerySet

OTHER_LISTINGS_SHOWN = 6

# What the apps above this one add for the viewer of a listing, registered in their
# AppConfig.ready(): the engine's answer per session (applicants), and parts of the listing page
# (the viewer's eligibility panel, the reviews).
SessionsEligibility = Callable[[Any, Sequence[Session]], dict[int, Any]]
ListingPagePart = Callable[[Any, Listing], dict[str, Any]]
# Parts of the search page outside its cached results region, for one viewer (the applicant's "Save
# this search"): (request, the parsed search, oob) -> HTML. They are rendered with the request (CSRF
# token, user), and on an htmx swap sent along with the region, marked `oob` to replace themselves.
SearchPagePart = Callable[[Any, Callable[[], Any], bool], str]
_SESSIONS_ELIGIBILITY: list[SessionsEligibility] = []
LISTING_PAGE_PARTS: list[ListingPagePart] = []
SEARCH_PAGE_PARTS: list[SearchPagePart] = []


def register_sessions_eligibility(evaluate: SessionsEligibility) -> None:
    _SESSIONS_ELIGIBILITY[:] = [evaluate]


def register_listing_page_part(part: ListingPagePart) -> None:
    if part not in LISTING_PAGE_PARTS:
        LISTING_PAGE_PARTS.append(part)


def register_search_page_part(part: SearchPagePart) -> None:
    if part not in SEARCH_PAGE_PARTS:
        SEARCH_PAGE_PARTS.append(part)


def search_page_parts(*, request: Any, params: Callable[[], Any], oob: bool = False) -> str:
    """The registered parts' HTML for this viewer; `params()` parses the query only if a part asks."""
    return "".join(part(request, params, oob) for part in SEARCH_PAGE_PARTS)


def sessions_eligibility(*, user: Any, sessions: Sequence[Session]) -> dict[int, Any]:
    """{session id: the eligibility engine's answer} for a viewer it judges (an applicant), else {}."""
    return _SESSIONS_ELIGIBILITY[0](user, sessions) if _SESSIONS_ELIGIBILITY else {}


def listing_page_parts(*, user: Any, listing: Listing) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in LISTING_PAGE_PARTS:
        context.update(part(user, listing))
    return context


def listing_for_page(*, pk: int, user: Any) -> Listing:
    """A listing with everything its public page shows, in a fixed number of queries; 404 if the user
    may not see it (drafts are visible to their institution's coordinators and admins only)."""
    sessions = Session.objects.active().with_seats_left().order_by("start_date", "id")
    queryset = (
        Listing.objects.visible_to(user)
        .select_related("institution", "specialty__parent")
        .prefetch_related(
            "accepted_visas",
            "document_requirements",
            "immunisation_requirements",
            Prefetch("sessions", queryset=sessions, to_attr="active_sessions"),
        )
        .with_total_cost()
    )
    return get_object_or_404(queryset, pk=pk)


def other_listings_of_institution(*, listing: Listing) -> QuerySet[Listing]:
    return (
        Listing.objects.published()
        .filter(institution_id=listing.institution_id)
        .exclude(pk=listing.pk)
        .select_related("specialty")
        .order_by("-published_at", "-id")[:OTHER_LISTINGS_SHOWN]
    )


def listings_for_coordinator(*, user: Any) -> ListingQuerySet:
    return (
        Listing.objects.of_institutions_coordinated_by(user)
        .select_related("institution", "specialty")
        .annotate(session_count=Count("sessions", filter=Q(sessions__is_archived=False)))
        .order_by("institution__name", "status", "-updated_at")
    )


def listings_for_moderation(*, status: str) -> QuerySet[Listing]:
    """Every institution's listings in one status, oldest change first (the admins' moderation page)."""
    return (
        Listing.objects.filter(status=status)
        .select_related("institution", "specialty")
        .only(
            "title",
            "status",
            "kind",
            "updated_at",
            "institution__name",
            "institution__verified",
            "institution__state",
            "specialty__name",
        )
        .order_by("updated_at", "pk")
    )


def listing_status_counts() -> dict[str, int]:
    counts = dict(Listing.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in Listing.Status.values}
