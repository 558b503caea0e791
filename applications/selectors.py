"""Reads for one page each, with everything the page shows fetched in a fixed number of queries."""
from __future__ import annotations

from typing import Any

from django.db.models import Avg, Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, When
from django.shortcuts import get_object_or_404

from applicants.models import ApplicantProfile
from placements.models import Listing, Session

from .forms import SORTS
from .models import Application, ApplicationEvent, Review, Score


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
            "answers__question", "notes__author", "checklist", "documents__current_version",
            Prefetch("scores", queryset=Score.objects.select_related("scorer")),
        ),
        pk=pk,
    )


def queue(user: Any, filters: dict[str, Any]) -> QuerySet[Application]:
    """The coordinator's queue, filtered and sorted; one query whatever its size."""
    average = Score.objects.filter(application=OuterRef("pk")).values("application").annotate(avg=Avg("value")).values("avg")
    profiles = ApplicantProfile.objects.filter(user=OuterRef("applicant_id"))
    applications = (
        Application.objects.for_coordinator(user)
        .select_related("applicant", "session__listing")
        .annotate(
            avg_score=Subquery(average),
            step2=Subquery(profiles.values("step2ck_score")[:1]),
            graduation_year=Subquery(profiles.values("graduation_year")[:1]),
            visa=Subquery(profiles.values("planned_visa")[:1]),
        )
    )
    if filters.get("q"):
        applications = applications.filter(Q(applicant__full_name__icontains=filters["q"]) | Q(applicant__email__icontains=filters["q"]))
    exact = {"listing": "session__listing_id", "session": "session_id", "status": "status",
             "graduation_year": "graduation_year", "visa": "visa", "step2_min": "step2__gte", "step2_max": "step2__lte"}
    applications = applications.filter(**{lookup: filters[key] for key, lookup in exact.items() if filters.get(key)})
    if filters.get("eligible"):
        applications = applications.filter(eligible_at_submit={"yes": True, "no": False, "unknown": None}[filters["eligible"]])
    sort = filters.get("sort") or "-submitted"
    field = SORTS.get(sort.lstrip("-"), "submitted_at")
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


def listing_review_summary(listing_id: int) -> dict[str, Any]:
    """What verified completers said about a listing, aggregated, plus the visible reviews."""
    reviews = Review.objects.filter(listing_id=listing_id, hidden=False)
    summary = reviews.aggregate(
        count=Count("pk"), hands_on=Avg("hands_on"), average_cost=Avg("real_total_cost"),
        letters=Sum(Case(When(letter_received=True, then=1), default=0)),
    )
    summary["reviews"] = list(reviews.select_related("replied_by")[:20])
    return summary
