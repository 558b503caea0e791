"""Multi-relation reads for applicants' pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from placements.choices import USState
from placements.models import Listing

from .eligibility import evaluate_many
from .forms import SECTIONS
from .models import ApplicantProfile, Document, DocumentVersion, SavedListing
from .search import applicant_profile_of


def current_document_kinds(user: Any) -> set[str]:
    return set(Document.objects.owned_by(user).filter(current_version__isnull=False).values_list("kind", flat=True))


def documents_with_versions(user: Any) -> list[Document]:
    """Every document of the user with all versions (newest first) and what each proves: 3 queries."""
    versions = DocumentVersion.objects.order_by("-number").prefetch_related("immunisations")
    documents = list(
        Document.objects.owned_by(user)
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("kind", "created_at")
    )
    for document in documents:
        # The current version from the prefetched list, so its immunisations cost no query.
        document.current = next((v for v in document.versions.all() if v.pk == document.current_version_id), None)
    return documents


def _display(profile: ApplicantProfile, name: str) -> str:
    if name == "full_name":
        return profile.user.full_name
    if name == "specialties_of_interest":
        return ", ".join(s.name for s in profile.specialties_of_interest.all())
    if name == "preferred_states":
        return ", ".join(USState(code).label for code in profile.preferred_states if code in USState.values)
    if name == "budget_usd" and profile.budget_usd is not None:
        return f"${profile.budget_usd:,.0f}"
    value = getattr(profile, f"get_{name}_display", lambda: getattr(profile, name))()
    if isinstance(value, dt.date):
        return f"{value.day} {value:%b %Y}"
    return "" if value is None else str(value)


def profile_summary(profile: ApplicantProfile) -> list[dict[str, Any]]:
    """Each section with its label and the applicant's answers, for the read-only profile page."""

    sections = []
    for key, (label, form_class) in SECTIONS.items():
        names = (["full_name"] if key == "about" else []) + list(form_class.Meta.fields)  # type: ignore[attr-defined]  # each section's form declares Meta
        rows = [(_field_label(name), _display(profile, name)) for name in names]
        sections.append({"key": key, "label": label, "rows": rows})
    return sections


def _field_label(name: str) -> str:
    if name == "full_name":
        return str(_("Full name"))
    label = str(ApplicantProfile._meta.get_field(name).verbose_name)  # type: ignore[union-attr]  # a concrete field
    return label[:1].upper() + label[1:]


COMPARE_LIMIT = 3


def saved_listings(user: Any) -> list[Any]:
    """Saved listings that are still published, with what their cards show: 2 queries."""

    return [
        saved.listing
        for saved in SavedListing.objects.filter(user=user, listing__status="published")
        .select_related("listing__institution", "listing__specialty")
        .order_by("-created_at")
    ]


def listings_to_compare(ids: list[int]) -> list[Any]:
    """Up to COMPARE_LIMIT published listings, in the order asked, with visas prefetched."""

    wanted = ids[:COMPARE_LIMIT]
    found = {
        listing.pk: listing
        for listing in Listing.objects.published()
        .filter(pk__in=wanted)
        .select_related("institution", "specialty")
        .prefetch_related("accepted_visas")
    }
    return [found[pk] for pk in wanted if pk in found]


def listing_eligibility_panel(user: Any, listing: Any) -> dict[str, Any]:
    """The public listing page's eligibility panel: the engine's answer for each session still
    taking applications, for a signed-in applicant. Uses the sessions and requirements the listing
    page already prefetched: two queries for the applicant's documents, one for the profile."""
    profile = applicant_profile_of(user)
    if profile is None:
        return {"eligibility": {"show": False}}
    now = timezone.now()
    sessions = getattr(listing, "active_sessions", None)
    if sessions is None:
        sessions = list(listing.sessions.filter(is_archived=False))
    open_sessions = [s for s in sessions if s.applications_close_at > now and s.start_date > now.date()]
    for session in open_sessions:
        session.listing = listing
    results = evaluate_many(profile, open_sessions)
    is_saved = SavedListing.objects.filter(user=user, listing=listing).exists()
    return {"eligibility": {"show": True, "results": [results[s.pk] for s in open_sessions], "is_saved": is_saved}}
