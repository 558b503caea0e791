"""Reads for one page each, with everything the page shows fetched in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import Avg, Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, When, Window
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from placements.models import Listing, Session

from .eligibility_check import Eligibility, eligibility_for
from .forms import SORTS
from .models import Application, ApplicationEvent, ListingQuestion, Review, Score
from .states import SEAT_HOLDING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.filter(internal=False).select_related("actor"),
                to_attr="public_events",
            ),
            "answers__question",
            "checklist",
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
            "answers__question",
            "notes__author",
            "checklist",
            "documents__current_version",
            Prefetch("scores", queryset=Score.objects.select_related("scorer")),
        ),
        pk=pk,
    )


# The queue's computed columns. The profile's are a join (LEFT: an applicant may have no profile), not
# three correlated subqueries, and joined only when a filter, the sort or the page's rows read them.
def _average_score() -> Subquery:
    return Subquery(
        Score.objects.filter(application=OuterRef("pk")).values("application").annotate(avg=Avg("value")).values("avg")
    )


QUEUE_COLUMNS = {
    "avg_score": _average_score,
    "step2": lambda: F("applicant_profile__step2ck_score"),
    "graduation_year": lambda: F("applicant_profile__graduation_year"),
    "visa": lambda: F("applicant_profile__planned_visa"),
}
_EXACT_FILTERS = {
    "listing": "session__listing_id",
    "session": "session_id",
    "status": "status",
    "graduation_year": "graduation_year",
    "visa": "visa",
    "step2_min": "step2__gte",
    "step2_max": "step2__lte",
}


def _queue_filtered(user: Any, filters: dict[str, Any]) -> QuerySet[Application]:
    """The queue's applications, filtered, joining only what the filters read."""
    lookups = {lookup: filters[key] for key, lookup in _EXACT_FILTERS.items() if filters.get(key)}
    needed = {lookup.split("__")[0] for lookup in lookups} & QUEUE_COLUMNS.keys()
    applications = Application.objects.for_coordinator(user).alias(**{name: QUEUE_COLUMNS[name]() for name in needed})
    if filters.get("q"):
        applications = applications.filter(
            Q(applicant__full_name__icontains=filters["q"]) | Q(applicant__email__icontains=filters["q"])
        )
    applications = applications.filter(**lookups)
    if filters.get("eligible"):
        applications = applications.filter(
            eligible_at_submit={"yes": True, "no": False, "unknown": None}[filters["eligible"]]
        )
    return applications


def _queue_ids(filtered: QuerySet[Application], filters: dict[str, Any]) -> QuerySet[Any, Any]:
    """The filtered queue's ids in the chosen order (the sort's column joined only for sorting: not for counting)."""
    sort = filters.get("sort") or "-submitted"
    field = SORTS.get(sort.lstrip("-"), "submitted_at")
    if field in QUEUE_COLUMNS and field not in filtered.query.annotations:
        filtered = filtered.alias(**{field: QUEUE_COLUMNS[field]()})
    # Missing scores and profile values sort last whichever way the column is sorted.
    expression = F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    return filtered.order_by(expression, "pk").values("pk")


def _queue_rows(ids: QuerySet) -> QuerySet[Application]:
    return (
        Application.objects.filter(pk__in=ids)
        .select_related("applicant", "session__listing")
        .only(*QUEUE_FIELDS)
        .annotate(**{name: column() for name, column in QUEUE_COLUMNS.items()})
    )


# What the queue page, its CSV and the API show: the listing's description and search document are
# not read for every row.
QUEUE_FIELDS = [
    "applicant_id",
    "session_id",
    "status",
    "eligible_at_submit",
    "submitted_at",
    "waitlist_position",
    "applicant__full_name",
    "applicant__email",
    "session__start_date",
    "session__listing_id",
    "session__listing__title",
]


def queue(user: Any, filters: dict[str, Any]) -> QuerySet[Application]:
    """The coordinator's whole queue, filtered and sorted, in one query (the CSV export)."""
    ids = _queue_ids(_queue_filtered(user, filters), filters)
    return _queue_rows(ids).order_by(*ids.query.order_by)


class QueuePages:
    """The queue for a paginator (the page and the API): counted and sliced on the ids alone, then only the
    page's rows read with their columns (profile, average score, listing), in the same order.

    Sorting full rows would compute every row's subqueries before the LIMIT; sorting the ids joins
    only the sort's column, then the page's rows are read by primary key. Still one query for the
    count and one for the page (the `IN` holds the sorted, sliced ids as a subquery).
    """

    ordered = True  # for Paginator's unordered-list warning

    def __init__(self, user: Any, filters: dict[str, Any]):
        self.filtered = _queue_filtered(user, filters)
        self.ids = _queue_ids(self.filtered, filters)

    def count(self) -> int:
        return self.filtered.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: int | slice) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return list(_queue_rows(self.ids[index]).order_by(*self.ids.query.order_by))


def coordinator_listings(user: Any) -> QuerySet[Listing]:
    return Listing.objects.of_institutions_coordinated_by(user).order_by("title")


def coordinator_sessions(user: Any) -> QuerySet[Session]:
    return (
        Session.objects.filter(listing__institution_id__in=user.coordinator_institution_ids)
        .select_related("listing")
        .order_by("listing__title", "start_date")
    )


def queue_filter_choices(user: Any) -> dict[str, QuerySet]:
    """The queue filters' listings and sessions, with only what their options show (not each listing's
    description and search document: 150 rows for a busy institution)."""
    return {
        "listings": coordinator_listings(user).only("title"),
        "sessions": coordinator_sessions(user).only("start_date", "listing__title"),
    }


def seat_counts(session_ids: list[int]) -> dict[int, int]:
    rows = (
        Application.objects.filter(session_id__in=session_ids)
        .holding_seats()
        .values("session_id")
        .annotate(n=Count("pk"))
    )
    return {row["session_id"]: row["n"] for row in rows}


def score_summary(scores: Iterable[Score]) -> list[dict[str, Any]]:
    """Per rubric criterion: the average and each coordinator's mark (from prefetched scores)."""
    summary = []
    for criterion in Score.Criterion:
        marks = [s for s in scores if s.criterion == criterion.value]
        average = sum(s.value for s in marks) / len(marks) if marks else None
        summary.append({"label": criterion.label, "average": average, "marks": marks})
    return summary


def listing_review_summary(listing_id: int, *, shown: int = 20) -> dict[str, Any]:
    """What verified completers said about a listing: aggregates over every visible review and
    the latest `shown` of them, in one query (window aggregates are computed before the LIMIT)."""
    whole: dict[str, Any] = {"partition_by": [F("listing_id")]}
    reviews = list(
        Review.objects.filter(listing_id=listing_id, hidden=False)
        .annotate(
            n=Window(Count("pk"), **whole),
            avg_hands_on=Window(Avg("hands_on"), **whole),
            avg_cost=Window(Avg("real_total_cost"), **whole),
            letters=Window(Sum(Case(When(letter_received=True, then=1), default=0)), **whole),
        )
        .order_by("-created_at")[:shown]
    )
    first = reviews[0] if reviews else None
    return {
        "count": first.n if first else 0,
        "hands_on": first.avg_hands_on if first else None,
        "average_cost": first.avg_cost if first else None,
        "letters": first.letters if first else 0,
        "reviews": reviews,
    }


def listing_reviews_part(user: Any, listing: Any) -> dict[str, Any]:
    """The listing page's reviews (placements.selectors.register_listing_page_part)."""
    return {"reviews": listing_review_summary(listing.pk)}


def seats_held_per_session() -> QuerySet[Any, Any]:
    """The seats held on the session OuterRef("pk"), as a subquery (placements' with_seats_left)."""
    return (
        Application.objects.filter(session=OuterRef("pk"), status__in=SEAT_HOLDING)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )


# What else stops an application from being submitted, from the apps above this one (letters: the
# assigned letters), registered in their AppConfig.ready(): check(application) -> messages.
@dataclass(frozen=True)
class MissingItem:
    """One thing that stops a draft from being submitted, and the page (or field) that fixes it."""

    message: str
    fix_url: str = ""
    fix_label: StrOrPromise = ""


@dataclass(frozen=True)
class SubmissionCheck:
    """A check an upper app adds (letters: the assigned letters), with the page that fixes what it finds."""

    problems: Callable[[Application], list[str]]
    fix_url: Callable[[Application], str] | None = None
    fix_label: StrOrPromise = ""


SUBMISSION_CHECKS: list[SubmissionCheck] = []


def register_submission_check(
    check: Callable[[Application], list[str]],
    *,
    fix_url: Callable[[Application], str] | None = None,
    fix_label: StrOrPromise = "",
) -> None:
    if all(registered.problems is not check for registered in SUBMISSION_CHECKS):
        SUBMISSION_CHECKS.append(SubmissionCheck(check, fix_url, fix_label))


def submission_missing_items(application: Application, *, eligibility: Eligibility | None = None) -> list[MissingItem]:
    """Everything that still stops this application from being submitted (profile, documents,
    questions, letters), in words the applicant understands, each with where to fix it.
    `eligibility` is the applicant's for this session when the caller has it already."""
    missing = []
    if not application.personal_statement.strip():
        missing.append(MissingItem(_("Write your personal statement."), "#id_personal_statement", _("Write it below")))
    answered = {a.question_id: a.value.strip() for a in application.answers.all()}
    for question in ListingQuestion.objects.filter(listing_id=application.session.listing_id, required=True):
        if not answered.get(question.pk):
            missing.append(
                MissingItem(
                    _("Answer the question: “%(prompt)s”") % {"prompt": question.prompt},
                    f"#id_q_{question.pk}",
                    _("Answer it below"),
                )
            )
    eligibility = eligibility or eligibility_for(applicant=application.applicant, session=application.session)
    for reason in eligibility.fixes:
        if reason.fix_document:
            url = reverse("applicants:document_upload") + "?" + urlencode({"kind": reason.fix_document})
            missing.append(MissingItem(reason.message, url, _("Upload it")))
        elif reason.fix_section:
            url = reverse("applicants:profile_section", args=[reason.fix_section])
            missing.append(MissingItem(reason.message, url, _("Update your profile")))
        else:
            missing.append(MissingItem(reason.message))
    for check in SUBMISSION_CHECKS:
        url = check.fix_url(application) if check.fix_url else ""
        missing.extend(MissingItem(problem, url, check.fix_label) for problem in check.problems(application))
    return missing


def submission_missing(application: Application) -> list[str]:
    """What still stops this application from being submitted, in words the applicant understands."""
    return [item.message for item in submission_missing_items(application)]
