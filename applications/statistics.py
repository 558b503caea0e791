"""The programme dashboard's figures over the last 12 months: the funnel (received -> decided ->
offered -> accepted), how long decisions took, and how full the sessions that started each month
were. A fixed number of queries whatever the volume (aggregates in the database); the HTML page
draws them as inline SVG and the API returns the same numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from placements.models import Session

from .models import Application
from .states import Status

ACCEPTED = [Status.ACCEPTED, Status.ENROLLED, Status.COMPLETED]
# Days from submission to decision (an offer or a rejection), as bins: (label, from, before).
DECISION_BINS = [
    ("0–2 days", 0, 3),
    ("3–7 days", 3, 8),
    ("8–14 days", 8, 15),
    ("15–30 days", 15, 31),
    ("31+ days", 31, None),
]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: int  # of the largest bar (or, for the fill rate, of the seats), for drawing


@dataclass(frozen=True)
class DashboardFigures:
    since: dt.date
    funnel: list[Bar]
    decision_days: list[Bar]
    fill_by_month: list[Bar]  # value: percent of seats taken; label: the month

    def as_dict(self) -> dict[str, Any]:
        def bars(items: list[Bar], key: str) -> list[dict[str, Any]]:
            return [{"label": b.label, key: b.value} for b in items]

        return {
            "since": self.since,
            "funnel": bars(self.funnel, "count"),
            "days_to_decision": bars(self.decision_days, "count"),
            "fill_rate_by_month": bars(self.fill_by_month, "percent"),
        }


def _scaled(pairs: list[tuple[str, int]]) -> list[Bar]:
    top = max((v for _label, v in pairs), default=0) or 1
    return [Bar(label, value, round(100 * value / top)) for label, value in pairs]


def _month_starts(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for back in range(11, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(dt.date(year, month + 1, 1))
    return months


def dashboard_figures(*, institution_ids: Any, now: dt.datetime | None = None) -> DashboardFigures:
    """Three queries: the funnel and the decision times in one aggregate, seats and places taken by month."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    months = _month_starts(today)
    since = months[0]
    received = Application.objects.filter(
        session__listing__institution_id__in=institution_ids, submitted_at__date__gte=since
    ).annotate(took=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()))
    decided = Q(decided_at__isnull=False)
    counts = received.aggregate(
        received=Count("pk"),
        decided=Count("pk", filter=decided),
        offered=Count("pk", filter=Q(offer_expires_at__isnull=False)),
        accepted=Count("pk", filter=Q(status__in=ACCEPTED)),
        **{
            f"bin{n}": Count(
                "pk",
                filter=decided
                & Q(took__gte=dt.timedelta(days=low))
                & (Q(took__lt=dt.timedelta(days=high)) if high is not None else Q()),
            )
            for n, (_label, low, high) in enumerate(DECISION_BINS)
        },
    )
    funnel = _scaled([(label, counts[key]) for key, label in FUNNEL])
    decision_days = _scaled([(label, counts[f"bin{n}"]) for n, (label, _l, _h) in enumerate(DECISION_BINS)])

    sessions = Session.objects.filter(
        listing__institution_id__in=institution_ids, start_date__gte=since, start_date__lte=today
    )
    seats = dict(
        sessions.annotate(month=TruncMonth("start_date"))
        .order_by()
        .values("month")
        .annotate(n=Sum("seats"))
        .values_list("month", "n")
    )
    taken = dict(
        Application.objects.filter(session__in=sessions, status__in=ACCEPTED)
        .annotate(month=TruncMonth("session__start_date"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    fill = []
    for month in months:
        total = seats.get(month) or 0
        rate = round(100 * (taken.get(month) or 0) / total) if total else 0
        fill.append(Bar(month.strftime("%b %Y"), rate, min(rate, 100)))
    return DashboardFigures(since=since, funnel=funnel, decision_days=decision_days, fill_by_month=fill)


FUNNEL = [("received", "Received"), ("decided", "Decided"), ("offered", "Offered"), ("accepted", "Accepted")]
