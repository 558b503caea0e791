"""The catalogue's "answers fastest" sort and "answers within 2 weeks" filter, registered with
placements.search: both read the figures stored on the listing row (trust.responsiveness)."""

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from placements.search import InvalidValue, SearchFilter

ANSWERS_FASTEST = "answers_fastest"
answers_fastest_label = _("Answers fastest")
# Half of its decided applications were answered within two weeks (the median is at most 14 days).
WITHIN_DAYS = 14


def answers_fastest_order(qs: QuerySet) -> QuerySet:
    """Shortest median first; listings without enough decided applications (no figure) last."""
    return qs.order_by(F("response_median_days").asc(nulls_last=True), "-id")


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
