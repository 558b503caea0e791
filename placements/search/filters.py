"""The search's filters: how each query parameter is parsed and how it narrows the listings, and the
registry through which other apps add theirs (`register_filter`, `register_annotator`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .. import accepted_visas
from ..choices import USState, VisaStatus
from ..models import Institution, Listing, Session, Specialty
from .ranking import apply_text
from .values import DURATIONS, MAX_QUERY_LENGTH, InvalidValue, SearchContext, SearchFilter

# --- Parsers ------------------------------------------------------------------------------------


def _choice(choices: Mapping[str, str], what: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise InvalidValue(_("“%(value)s” is not a %(what)s we know") % {"value": raw[:40], "what": what})
        return raw

    return parse


def _flag(raw: str) -> bool:
    if raw.lower() in {"1", "true", "on", "yes"}:
        return True
    raise InvalidValue(_("use 1 to turn it on"))


def _money(raw: str) -> Decimal:
    try:
        value = Decimal(raw.replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise InvalidValue(_("“%(value)s” is not an amount in dollars") % {"value": raw[:40]}) from None
    if not value.is_finite() or value < 0 or value > 10_000_000:
        raise InvalidValue(_("“%(value)s” is not an amount in dollars") % {"value": raw[:40]})
    return value


def _month(raw: str) -> dt.date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", raw)
    if match:
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    raise InvalidValue(_("“%(value)s” is not a month like 2027-03") % {"value": raw[:40]})


def _text(raw: str) -> str:
    return " ".join(raw.split())[:MAX_QUERY_LENGTH]


def _specialty(raw: str) -> Specialty:
    specialty = Specialty.objects.filter(slug=raw).first() if re.fullmatch(r"[-a-z0-9]{1,140}", raw) else None
    if specialty is None:
        raise InvalidValue(_("“%(value)s” is not a specialty we know") % {"value": raw[:40]})
    return specialty


# --- Conditions ---------------------------------------------------------------------------------


def _start_month(qs: QuerySet, month: dt.date, ctx: SearchContext) -> QuerySet:
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    return qs.filter(
        Exists(
            Session.objects.filter(
                listing=OuterRef("pk"), is_archived=False, start_date__gte=month, start_date__lt=next_month
            )
        )
    )


def _names_visa_q(code: str, ctx: SearchContext) -> Q:
    # Read from the listing's own copy of its visas (",b1b2,j1,"; placements.accepted_visas), not
    # probed in the m2m table per listing. A listing naming no visa ("") does not name this one:
    # unlike the eligibility rule, the filter does not match it.
    return Q(**{f"{accepted_visas.FIELD}__contains": f",{code},"})


class _EqualsAny(Func):
    """`column = ANY(array)` as a condition (PostgreSQL)."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def _state_q(state: str, ctx: SearchContext) -> Q:
    # The institutions' ids rather than a join: the counts read institution_id from the covering
    # index and need no join per listing (the state facet is grouped by institution, then by state).
    institutions = Institution.objects.filter(state=state).values("pk")
    if connection.vendor != "postgresql":
        return Q(institution_id__in=institutions)
    # "= ANY(ARRAY(SELECT ...))", not "IN (SELECT ...)": PostgreSQL plans IN as a join and may run a
    # text term's index scan once per institution of the state; the array is one set, read once.
    return Q(_EqualsAny(F("institution_id"), ArraySubquery(institutions)))


def open_now_q(ctx: SearchContext) -> Q:
    """Open for applications now: a live session whose window holds `ctx.now`, read on the listing.

    While a listing's stored next deadline (placements.listing_dates) is ahead, the sessions it was
    computed from are exactly those closing after now, so the listing is open exactly when its stored
    opening has passed: a read of its own columns, from the facets' covering index. No deadline
    stored: none is open. A stored deadline that has passed marks a row the minute's refresh has not
    reached yet: those few are answered from their sessions, as one set (not a probe per listing,
    which turns the planner away from the covering index). The set holds published listings only, as
    the refresh does: a draft's passed deadline reads "not open" until publishing recomputes it.
    """
    fresh = Q(stored_next_deadline__gt=ctx.now) & Q(stored_opens_at__lte=ctx.now)
    stale = Listing.objects.published().filter(stored_next_deadline__lte=ctx.now).order_by().values("pk")
    open_sessions = (
        Session.objects.filter(
            listing__in=stale, is_archived=False, applications_open_at__lte=ctx.now, applications_close_at__gt=ctx.now
        )
        .order_by()
        .values("listing_id")
    )
    return fresh | (Q(stored_next_deadline__lte=ctx.now) & Q(pk__in=open_sessions))


def duration_q(bucket: str) -> Q:
    _label, low, high = DURATIONS[bucket]
    return Q(duration_weeks__gte=low) & (Q(duration_weeks__lte=high) if high else Q())


# --- The filters --------------------------------------------------------------------------------


class _WhereFilter:
    """A grouped facet's `apply`: the queryset filtered by its condition for the value."""

    def __init__(self, where: Callable[[Any, SearchContext], Q]) -> None:
        self.where = where

    def __call__(self, qs: QuerySet, value: Any, ctx: SearchContext) -> QuerySet:
        return qs.filter(self.where(value, ctx))


def _group(
    param: str,
    label: str,
    parse: Callable[[str], Any],
    where: Callable[[Any, SearchContext], Q],
    column: str,
    group_by: str,
    choices: Mapping[str, str] | None = None,
) -> SearchFilter:
    return SearchFilter(
        param, label, parse, _WhereFilter(where), "group", group_by, dict(choices or {}), where=where, column=column
    )


def _open_now(qs: QuerySet, value: bool, ctx: SearchContext) -> QuerySet:
    return qs.filter(open_now_q(ctx))


def _no_ecfmg_q(ctx: SearchContext) -> Q:
    return Q(requires_ecfmg_certification=False)


def _lor_q(ctx: SearchContext) -> Q:
    return Q(lor_offered=True)


def _flag_filter(param: str, label: str, flag_q: Callable[[SearchContext], Q]) -> SearchFilter:
    return SearchFilter(param, label, _flag, lambda qs, v, ctx: qs.filter(flag_q(ctx)), "flag", flag_q=flag_q)


_DURATION_CHOICES = {k: v[0] for k, v in DURATIONS.items()}

FILTERS: list[SearchFilter] = [
    SearchFilter("q", _("Search"), _text, apply_text),
    _group(
        "kind",
        _("Type"),
        _choice(dict(Listing.Kind.choices), _("placement type")),
        lambda v, ctx: Q(kind=v),
        "kind",
        "kind",
        dict(Listing.Kind.choices),
    ),
    _group("specialty", _("Specialty"), _specialty, lambda v, ctx: Q(specialty=v), "specialty_id", "specialty__slug"),
    _group(
        "state",
        _("State"),
        _choice(dict(USState.choices), _("US state")),
        _state_q,
        "institution_id",
        "institution__state",
        dict(USState.choices),
    ),
    _group(
        "hands_on",
        _("Hands-on level"),
        _choice(dict(Listing.HandsOn.choices), _("hands-on level")),
        lambda v, ctx: Q(hands_on_level=v),
        "hands_on_level",
        "hands_on_level",
        dict(Listing.HandsOn.choices),
    ),
    _group(
        "visa",
        _("Accepted visa"),
        _choice(dict(VisaStatus.choices), _("visa status")),
        _names_visa_q,
        accepted_visas.FIELD,
        "visa",
        dict(VisaStatus.choices),
    ),
    _group(
        "duration",
        _("Duration"),
        _choice(_DURATION_CHOICES, _("duration")),
        lambda v, ctx: duration_q(v),
        "duration_weeks",
        "duration",
        _DURATION_CHOICES,
    ),
    SearchFilter("fee_max", _("Maximum total cost"), _money, lambda qs, v, ctx: qs.filter(total_cost_usd__lte=v)),
    SearchFilter("start_month", _("Starting in"), _month, _start_month),
    SearchFilter(
        "open_now",
        _("Open for applications now"),
        _flag,
        _open_now,
        "flag",
        flag_q=open_now_q,
        time_dependent=True,
    ),
    _flag_filter("no_ecfmg", _("No ECFMG certificate needed"), _no_ecfmg_q),
    _flag_filter("lor", _("Letter of recommendation offered"), _lor_q),
]


# --- The registry -------------------------------------------------------------------------------

# Other apps register here (in their AppConfig.ready) so every caller of the search page and the API
# gets them without editing this app: e.g. the applicants app's "only where I am eligible" filter.
EXTRA_FILTERS: list[SearchFilter] = []
ANNOTATORS: list[Callable[[list[Listing], Any], None]] = []


def register_filter(flt: SearchFilter) -> None:
    if all(existing.param != flt.param for existing in [*FILTERS, *EXTRA_FILTERS]):
        EXTRA_FILTERS.append(flt)


def extra_filters_for(user: Any) -> list[SearchFilter]:
    """The registered filters the search page offers this user."""
    return [flt for flt in EXTRA_FILTERS if flt.offered_to is None or flt.offered_to(user)]


def register_annotator(annotator: Callable[[list[Listing], Any], None]) -> None:
    if annotator not in ANNOTATORS:
        ANNOTATORS.append(annotator)
