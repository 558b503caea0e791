"""The eligibility panel on the public listing page (a page the placements app owns)."""

from typing import Any

from django import template
from django.utils import timezone

from ..eligibility import evaluate_many
from ..models import SavedListing
from ..search import applicant_profile_of

register = template.Library()


@register.inclusion_tag("applicants/_listing_eligibility.html", takes_context=True)
def listing_eligibility(context: dict[str, Any], listing: Any) -> dict[str, Any]:
    """The engine's answer for each session still taking applications, for a signed-in applicant.

    Uses the sessions and requirements the listing page already prefetched: two queries for the
    applicant's documents, one for the profile.
    """
    request = context.get("request")
    profile = applicant_profile_of(getattr(request, "user", None))
    if profile is None:
        return {"show": False}
    now = timezone.now()
    sessions = getattr(listing, "active_sessions", None)
    if sessions is None:
        sessions = list(listing.sessions.filter(is_archived=False))
    open_sessions = [s for s in sessions if s.applications_close_at > now and s.start_date > now.date()]
    for session in open_sessions:
        session.listing = listing
    results = evaluate_many(profile, open_sessions)
    is_saved = SavedListing.objects.filter(user=request.user, listing=listing).exists()
    return {
        "show": True,
        "results": [results[s.pk] for s in open_sessions],
        "listing": listing,
        "request": request,
        "is_saved": is_saved,
        "csrf_token": context.get("csrf_token"),
    }
