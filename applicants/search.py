"""The applicants app's part of the placements search: the "only where I am eligible" filter and
an eligibility badge on each result. Registered in ApplicantsConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, user_has_role
from placements import search as catalogue
from placements.models import Listing

from .eligibility import eligible_listings_q, evaluate_listings, evaluate_many
from .models import ApplicantProfile

ELIGIBLE_PARAM = "eligible"


def applicant_profile_of(user: Any) -> ApplicantProfile | None:
    """The signed-in applicant's profile (an empty, unsaved one if they never filled it); None for others."""
    if not user_has_role(user, Role.APPLICANT):
        return None
    try:
        return user.applicant_profile  # cached on the user object after the first read
    except ApplicantProfile.DoesNotExist:
        return ApplicantProfile(user=user)


def _ticked(raw: str) -> bool:
    if raw.lower() in {"1", "true", "on", "yes"}:
        return True
    raise catalogue.InvalidValue(_("use 1 to turn it on"))


def _eligible_q(ctx: catalogue.SearchContext) -> Q:
    profile = applicant_profile_of(ctx.user)
    # Only an applicant has an answer; for anyone else the filter matches nothing, and says so (0).
    return eligible_listings_q(profile) if profile is not None else Q(pk__in=[])


def _apply(queryset: QuerySet[Listing], value: bool, ctx: catalogue.SearchContext) -> QuerySet[Listing]:
    return queryset.filter(_eligible_q(ctx))


ELIGIBLE_FILTER = catalogue.SearchFilter(
    ELIGIBLE_PARAM,
    _("Only where I am eligible"),
    _ticked,
    _apply,
    "flag",
    flag_q=_eligible_q,
    offered_to=lambda user: user_has_role(user, Role.APPLICANT),
)


def annotate_eligibility(listings: list[Listing], user: Any) -> None:
    """Set `listing.eligibility` on the page's listings for a signed-in applicant (a fixed number of queries)."""
    profile = applicant_profile_of(user)
    if profile is None:
        return
    results = evaluate_listings(profile, listings)
    for listing in listings:
        listing.eligibility = results.get(listing.pk)


def sessions_eligibility(user: Any, sessions: Any) -> dict[int, Any]:
    """The engine's answer per session for a signed-in applicant; {} for anyone else."""
    profile = applicant_profile_of(user)
    return evaluate_many(profile, sessions) if profile is not None else {}


def register() -> None:
    catalogue.register_filter(ELIGIBLE_FILTER)
    catalogue.register_annotator(annotate_eligibility)
