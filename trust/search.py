"""The catalogue's "answers fastest" sort and "answers within 2 weeks" filter, registered with
placements.search: both read the figures stored on the listing row (trust.responsiveness)."""

from typing import Any

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.search import InvalidValue, SearchFilter

from .selectors import STALE_AFTER

ANSWERS_FASTEST = "answers_fastest"
answers_fastest_label = _("Answers fastest")
# Half of its decided applications were answered within two weeks (the median is at most 14 days).
WITHIN_DAYS = 14


def answers_fastest_order(qs: QuerySet) -> QuerySet:
    """Shortest median first; listings without enough decided applications (no figure) last."""
    return qs.order_by(F("response_median_days").asc(nulls_last=True), stale_last(), "-id")


def stale_last() -> Any:
    """0 for a listing confirmed (or published) within STALE_AFTER, 1 for one possibly out of date."""
    limit = timezone.localdate() - STALE_AFTER
    stale = Q(last_verified_on__lt=limit) | Q(last_verified_on__isnull=True, published_at__date__lt=limit)
    return Case(When(stale, then=Value(1)), default=Value(0)).asc()


def _within_two_weeks_q(ctx) -> Q:
    return Q(response_median_days__lte=WITHIN_DAYS)


def _flag(raw: str) -> bool:
    if raw.lower() in {"1", "true", "on", "yes"}:
        return True
    raise InvalidValue(_("use 1 to turn it on"))


ANSWERS_WITHIN_TWO_WEEKS = SearchFilter(
    "answers_2w",
    _("Answers within 2 weeks"),
    _flag,
    lambda qs, value, ctx: qs.filter(_within_two_weeks_q(ctx)),
    "flag",
    flag_q=_within_two_weeks_q,
)
