"""Reads for one page each, with everything the page shows fetched in a fixed number of queries."""
from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from placements.models import Listing, Session

from .forms import SORTS
from .models import Application, ApplicationEvent, Score


def applicant_applications(user: Any) -> QuerySet[Application]:
    return (
        Application.objects.of_applicant(user)
        .select_related("session__listing__institution", "interview_slot")
        .order_by("-updated_at")
    )


def applicant_application(user: Any, pk: int) -> Application:
    """The applicant's own application, or 404 (another applicant's is indistinguishable from none)."""
    return get_object_or_404(
        Application.objects.of_applicant(user)
        .select_related("session__listing__institution", "applicant", "interview_slot")
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.filter(internal=False).select_related("actor"), to_attr="public_events"),
            "answers__question", "checklist",
        ),
        pk=pk,
    )


def coordinator_application(user: Any, pk: int) -> Application:
    """An application to one of the coordinator's institutions, or 404."""
    return get_object_or_404(
        Application.objects.for_coordinator(user)
        .select_related("session__listing__institution", "applicant", "interview_slot")
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
            "answers__question", "notes__author", "checklist",
            Prefetch("scores", queryset=Score.objects.select_related("scorer")),
        ),
        pk=pk,
    )


def _profile_model():
    try:
        from applicants.models import ApplicantProfile
    except ImportError:
        return None
    return ApplicantProfile


def queue(user: Any, filters: dict[str, Any]) -> QuerySet[Application]:
    """The coordinator's queue, filtered and sorted; one query whatever its size."""
    average = Score.objects.filter(application=OuterRef("pk")).values("application").annotate(avg=Avg("value")).values("avg")
    applications = (
        Application.objects.for_coordinator(user)
        .select_related("applicant", "session__listing")
        .annotate(avg_score=Subquery(average))
    )
    profile = _profile_model()
    if profile is not None:
        profiles = profile.objects.filter(user=OuterRef("applicant_id"))
        applications = applications.annotate(
            step2=Subquery(profiles.values("step2ck_score")[:1]),
            graduation_year=Subquery(profiles.values("graduation_year")[:1]),
            visa=Subquery(profiles.values("planned_visa")[:1]),
        )
    if filters.get("q"):
        applications = applications.filter(Q(applicant__full_name__icontains=filters["q"]) | Q(applicant__email__icontains=filters["q"]))
    if filters.get("listing"):
        applications = applications.filter(session__listing_id=filters["listing"])
    if filters.get("session"):
        applications = applications.filter(session_id=filters["session"])
    if filters.get("status"):
        applications = applications.filter(status=filters["status"])
    eligible = filters.get("eligible")
    if eligible:
        applications = applications.filter(eligible_at_submit={"yes": True, "no": False, "unknown": None}[eligible])
    if profile is not None:
        if filters.get("step2_min"):
            applications = applications.filter(step2__gte=filters["step2_min"])
        if filters.get("step2_max"):
            applications = applications.filter(step2__lte=filters["step2_max"])
        if filters.get("graduation_year"):
            applications = applications.filter(graduation_year=filters["graduation_year"])
        if filters.get("visa"):
            applications = applications.filter(visa=filters["visa"])
    sort = filters.get("sort") or "-submitted"
    field = SORTS.get(sort.lstrip("-"), "submitted_at")
    if field in {"step2", "graduation_year"} and profile is None:
        field = "submitted_at"
    # Missing scores and profile values sort last whichever way the column is sorted.
    expression = F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    return applications.order_by(expression, "pk")


def coordinator_listings(user: Any) -> QuerySet[Listing]:
    return Listing.objects.of_institutions_coordinated_by(user).order_by("title")


def coordinator_sessions(user: Any) -> QuerySet[Session]:
    return Session.objects.filter(listing__institution_id__in=user.coordinator_institution_ids).select_related("listing").order_by("listing__title", "start_date")


def seat_counts(session_ids: list[int]) -> dict[int, int]:
    rows = Application.objects.filter(session_id__in=session_ids).holding_seats().values("session_id").annotate(n=Count("pk"))
    return {row["session_id"]: row["n"] for row in rows}


def score_summary(scores) -> list[dict[str, Any]]:
    """Per rubric criterion: the average and each coordinator's mark (from prefetched scores)."""
    summary = []
    for criterion in Score.Criterion:
        marks = [s for s in scores if s.criterion == criterion.value]
        average = sum(s.value for s in marks) / len(marks) if marks else None
        summary.append({"label": criterion.label, "average": average, "marks": marks})
    return summary
