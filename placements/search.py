"""Catalogue search: parse query parameters tolerantly, filter, rank, sort and count facets.

The HTML search page and the REST API both call `search_listings`. Each filter is a `SearchFilter`
that parses its own parameter; a malformed value is dropped with a note the page shows, never a 500.

Extension points (used by other apps, keep them stable):
- `extra_filters`: more `SearchFilter`s, e.g. the applicants app's "only where I am eligible"; they
  parse their own parameter, appear in `params.values`, and narrow the queryset with the user at hand.
- `annotators`: callables `(listings, user) -> None` run on the current page's listings only, e.g. to
  set `listing.eligibility` for a badge rendered by `placements/_result_extra.html`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection, connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import accepted_visas, search_counts
from .choices import USState, VisaStatus
from .models import Institution, Listing, Session, Specialty

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200

SORTS = {
    "relevance": _("Best match"),
    "deadline": _("Deadline soonest"),
    "fee": _("Total cost, lowest first"),
    "start": _("Start date soonest"),
    "newest": _("Newest"),
}

DURATIONS = {
    "up-to-4": (_("Up to 4 weeks"), 1, 4),
    "5-8": (_("5 to 8 weeks"), 5, 8),
    "9-plus": (_("9 weeks or more"), 9, None),
}


class InvalidValue(ValueError):
    """A parameter value that cannot be used; its message is shown in the ignored-parameter note."""


@dataclass
class SearchContext:
    user: Any
    now: dt.datetime


@dataclass
class SearchFilter:
    """One query parameter: how to parse it, how it narrows listings, and how its facet counts.

    `facet` is "group" (counts per value of `group_by`), "flag" (one count: how many match when ticked)
    or "" (no facet, e.g. the text query or the maximum fee).
    """

    param: str
    label: str
    parse: Callable[[str], Any]
    apply: Callable[[QuerySet, Any, SearchContext], QuerySet]
    facet: str = ""
    group_by: str = ""
    choices: Mapping[str, str] = field(default_factory=dict)
    flag_q: Callable[[SearchContext], Q] | None = None
    # Who the search page offers it to (None: everyone). A filter only one role can answer, such as
    # "only where I am eligible", is not shown to others as a checkbox that can only give 0.
    offered_to: Callable[[Any], bool] | None = None
    # Its answer moves with the clock (ctx.now), not only with the catalogue: its counts are cached
    # apart and refreshed each minute (placements.search_counts).
    time_dependent: bool = False
    # A grouped facet's condition for a value, as a Q on Listing (its `apply` is a filter on it), and
    # the listing's own column its values are read from: with both, PostgreSQL counts the grouped
    # facets with grouping sets (`_counts_by_grouping_sets`); else each is counted on its own.
    where: Callable[[Any, SearchContext], Q] | None = None
    column: str = ""


@dataclass
class SearchParams:
    values: dict[str, Any] = field(default_factory=dict)  # parsed, valid values by parameter name
    raw: dict[str, str] = field(default_factory=dict)  # what the user sent, for re-filling the form
    notes: list[str] = field(default_factory=list)  # "ignored parameter" messages
    sort: str = "relevance"
    page: int = 1

    @property
    def active(self) -> dict[str, Any]:
        return {k: v for k, v in self.values.items() if k != "q"}

    def querystring(self, **changes: Any) -> str:
        """The URL query for these parameters, with some changed (None removes one). Sorted, stable."""
        from urllib.parse import urlencode

        data = {k: v for k, v in self.raw_valid().items()}
        if self.sort != "relevance":
            data["sort"] = self.sort
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = str(value)
        return urlencode(sorted(data.items()))

    def raw_valid(self) -> dict[str, str]:
        return {k: self.raw[k] for k in self.values if k in self.raw}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    params: SearchParams
    page: Page
    total: int
    facets: dict[str, list[FacetValue]]
    flags: dict[str, FacetValue]
    loosen: list[tuple[str, str]]  # (label, querystring without that filter), for the empty state


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


# --- Filters ------------------------------------------------------------------------------------


def _apply_text(qs: QuerySet, q: str, ctx: SearchContext) -> QuerySet:
    if connection.vendor == "postgresql":
        query = SearchQuery(q, search_type="websearch", config="english")
        return qs.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    # SQLite fallback: every word must appear somewhere; a title match ranks first.
    for word in q.split():
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(specialty__name__icontains=word)
            | Q(specialty__parent__name__icontains=word)
            | Q(institution__name__icontains=word)
            | Q(institution__city__icontains=word)
        )
    return qs.annotate(
        rank=Case(
            When(title__icontains=q, then=Value(2)),
            When(specialty__name__icontains=q, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


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
    # "This listing names that visa", read from the listing's own copy of its visas (",b1b2,j1,";
    # placements.accepted_visas) instead of a probe of the m2m table per listing. A listing naming no
    # visa ("") does not name this one: unlike the eligibility rule, the filter does not match it.
    return Q(**{f"{accepted_visas.FIELD}__contains": f",{code},"})


def _state_q(state: str, ctx: SearchContext) -> Q:
    # The institutions' ids rather than a join: the counts read institution_id from the covering
    # index and need no join per listing (the state facet is grouped by institution, then by state).
    institutions = Institution.objects.filter(state=state).values("pk")
    if connection.vendor != "postgresql":
        return Q(institution_id__in=institutions)
    # "= ANY(ARRAY(SELECT ...))", not "IN (SELECT ...)": PostgreSQL plans IN as a join, and beside a
    # text term it then chose a nested loop that ran the term's full-text index scan once per
    # institution of the state (66 times for Arizona: 124 ms); the array is one set, read once (6 ms).
    return Q(_EqualsAny(F("institution_id"), ArraySubquery(institutions)))


class _EqualsAny(Func):
    """`column = ANY(array)` as a condition (PostgreSQL)."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def _where_filter(where: Callable[[Any, SearchContext], Q]) -> Callable[[QuerySet, Any, SearchContext], QuerySet]:
    return lambda qs, value, ctx: qs.filter(where(value, ctx))


def _open_now_q(ctx: SearchContext) -> Q:
    """Open for applications now: a live session whose window holds `ctx.now`, read on the listing.

    A published listing stores the next deadline and the earliest opening of its live sessions
    closing after the time they were computed (placements.listing_dates). While that deadline is
    still ahead, those sessions are exactly the ones closing after now (the earliest of them closes
    later), so the listing is open now exactly when the stored opening has passed: a read of its own
    columns, from the facets' covering index, instead of a pass over the catalogue's ~60,000 open
    sessions. No deadline stored: no live session closes later, so none is open.

    A deadline that has passed marks a row the minute's refresh has not reached yet: those few
    (found by the deadline sort's index) are answered from their sessions, as one small set, so the
    answer is never wrong meanwhile. A set, not a probe per listing: the planner costs a correlated
    probe for every listing read (it cannot know the branch is rarely reached) and then prefers a
    bitmap scan of the table to the covering index, ~3 times slower. The set holds published
    listings only (the refresh keeps only those, and the search reads only those): a draft's passed
    deadline reads as "not open" until it is published, which recomputes it.

    Values computed after `ctx.now` (a session written within the counts' minute, whose `now` is the
    minute's start) can leave out a session that shut in between: the counts lag the clock by that
    minute already (placements.search_counts); the page's own `now` is the request's.
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


def _duration_q(bucket: str) -> Q:
    _label, low, high = DURATIONS[bucket]
    return Q(duration_weeks__gte=low) & (Q(duration_weeks__lte=high) if high else Q())


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
        param, label, parse, _where_filter(where), "group", group_by, dict(choices or {}), where=where, column=column
    )


FILTERS: list[SearchFilter] = [
    SearchFilter("q", _("Search"), _text, _apply_text),
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
        _choice({k: v[0] for k, v in DURATIONS.items()}, _("duration")),
        lambda v, ctx: _duration_q(v),
        "duration_weeks",
        "duration",
        {k: v[0] for k, v in DURATIONS.items()},
    ),
    SearchFilter("fee_max", _("Maximum total cost"), _money, lambda qs, v, ctx: qs.filter(total_cost_usd__lte=v)),
    SearchFilter("start_month", _("Starting in"), _month, _start_month),
    SearchFilter(
        "open_now",
        _("Open for applications now"),
        _flag,
        lambda qs, v, ctx: qs.filter(_open_now_q(ctx)),
        "flag",
        flag_q=_open_now_q,
        time_dependent=True,
    ),
    SearchFilter(
        "no_ecfmg",
        _("No ECFMG certificate needed"),
        _flag,
        lambda qs, v, ctx: qs.filter(requires_ecfmg_certification=False),
        "flag",
        flag_q=lambda ctx: Q(requires_ecfmg_certification=False),
    ),
    SearchFilter(
        "lor",
        _("Letter of recommendation offered"),
        _flag,
        lambda qs, v, ctx: qs.filter(lor_offered=True),
        "flag",
        flag_q=lambda ctx: Q(lor_offered=True),
    ),
]


def _printable(raw: str) -> str:
    # Control characters (NUL above all: PostgreSQL refuses it in text) never belong in a search.
    return "".join(ch for ch in raw if ch >= " ").strip()


def parse_params(data: Mapping[str, str], extra_filters: Sequence[SearchFilter] = ()) -> SearchParams:
    """Read the query parameters we know; drop malformed ones with a note. Unknown names are ignored
    silently (tracking parameters, old links): they cannot change the results, so nothing to explain."""
    params = SearchParams()
    for flt in [*FILTERS, *extra_filters]:
        raw = _printable(data.get(flt.param) or "")
        if not raw:
            continue
        params.raw[flt.param] = raw
        try:
            params.values[flt.param] = flt.parse(raw)
        except InvalidValue as exc:
            params.notes.append(_("Ignored %(label)s: %(reason)s.") % {"label": flt.label, "reason": exc})
    sort = (data.get("sort") or "").strip()
    if sort in SORTS:
        params.sort = sort
    elif sort:
        params.notes.append(_("Ignored sort: “%(value)s” is not a sort order we know.") % {"value": sort[:40]})
    page = (data.get("page") or "").strip()
    if page:
        if page.isdecimal() and 0 < int(page) < 100_000:
            params.page = int(page)
        else:
            params.notes.append(_("Ignored page: “%(value)s” is not a page number.") % {"value": page[:40]})
    return params


def _filtered(
    base: QuerySet, params: SearchParams, filters: Sequence[SearchFilter], ctx: SearchContext, skip: str | None = None
) -> QuerySet:
    qs = base
    for flt in filters:
        if flt.param != skip and flt.param in params.values:
            qs = flt.apply(qs, params.values[flt.param], ctx)
    return qs


def _group_counts(qs: QuerySet, flt: SearchFilter) -> dict[str, int]:
    if flt.param == "visa":
        through = Listing.accepted_visas.through.objects.filter(listing__in=qs.values("pk"))
        return dict(through.values_list("visa_id").annotate(n=Count("listing_id")).order_by())
    if flt.param == "duration":
        aggregates = {key: Count("pk", filter=_duration_q(key)) for key in DURATIONS}
        return qs.order_by().aggregate(**aggregates)
    return dict(qs.order_by().values_list(flt.group_by).annotate(n=Count("pk")))


def _order(qs: QuerySet, params: SearchParams) -> QuerySet:
    sort = params.sort
    if sort in EXTRA_SORTS:
        return EXTRA_SORTS[sort](qs)
    if sort == "relevance" and "q" in params.values:
        demoted = [demotion() for demotion in RELEVANCE_DEMOTIONS]
        return qs.order_by(*demoted, F("rank").desc(), F("published_at").desc(nulls_last=True), "-id")
    # The date sorts read the values stored on the listing (placements.listing_dates) and their
    # partial indexes: computed from the sessions they would sort every matching listing.
    if sort == "deadline":
        return qs.order_by(F("stored_next_deadline").asc(nulls_last=True), "-id")
    if sort == "fee":
        return qs.order_by("total_cost_usd", "-id")
    if sort == "start":
        return qs.order_by(F("stored_next_start").asc(nulls_last=True), "-id")
    return qs.order_by(F("published_at").desc(nulls_last=True), "-id")


def _counts(
    base: QuerySet, qs: QuerySet, params: SearchParams, filters: Sequence[SearchFilter], ctx: SearchContext
) -> tuple[int, dict[str, FacetValue], dict[str, list[FacetValue]]]:
    """The total, the flag counts and the grouped facets of a search.

    On PostgreSQL, one pass over the matching listings for all of them, plus one for each facet with
    an active filter (`_counts_by_grouping_sets`).
    Elsewhere (SQLite), or if a registered group facet cannot be counted that way: one aggregate for
    the total and the flags, then one query a facet (`_counts_per_facet`). Both give the same counts
    (tests/placements/test_search_count_paths.py compares them)."""
    groups = [flt for flt in filters if flt.facet == "group"]
    if connections[qs.db].vendor == "postgresql" and all(flt.where and flt.column for flt in groups):
        return _counts_by_grouping_sets(base, params, filters, ctx)
    return _counts_per_facet(base, qs, params, filters, ctx)


def _flags(
    filters: Sequence[SearchFilter], params: SearchParams, total: int, counted: Mapping[str, int]
) -> dict[str, FacetValue]:
    flags: dict[str, FacetValue] = {}
    for flt in filters:
        if flt.facet != "flag":
            continue
        # Ticked: how many there would be with it unticked is what the user weighs.
        count = total if flt.param in params.values else counted[flt.param]
        flags[flt.param] = FacetValue("1", flt.label, count, flt.param in params.values)
    return flags


def _facet(
    flt: SearchFilter, params: SearchParams, counts: Mapping[str, int], specialty_names: Mapping[str, str] | None = None
) -> list[FacetValue]:
    """A grouped facet's values from its counts by key: the values counted or selected, in the
    choices' order (specialties: by name, named from `specialty_names` or the database)."""
    selected = params.values.get(flt.param)
    selected_key = selected.slug if isinstance(selected, Specialty) else selected
    if flt.param == "specialty":
        if specialty_names is None:
            specialty_names = (
                dict(Specialty.objects.filter(slug__in=counts).values_list("slug", "name")) if counts else {}
            )
        labels = {slug: name for slug, name in specialty_names.items() if counts.get(slug)}
        if selected is not None:
            labels[selected.slug] = selected.name
    else:
        labels = dict(flt.choices)
    values = [
        FacetValue(key, str(label), counts.get(key) or 0, key == selected_key)
        for key, label in labels.items()
        if counts.get(key) or key == selected_key
    ]
    if flt.param == "specialty":
        values.sort(key=lambda v: v.label)
    return values


def _counts_per_facet(
    base: QuerySet, qs: QuerySet, params: SearchParams, filters: Sequence[SearchFilter], ctx: SearchContext
) -> tuple[int, dict[str, FacetValue], dict[str, list[FacetValue]]]:
    """One aggregate for the total and the flags, then one query a grouped facet (a pass each)."""
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for flt in filters:
        if flt.facet == "flag" and flt.param not in params.values:
            aggregates[flt.param] = Count("pk", filter=flt.flag_q(ctx))
    counted = qs.order_by().aggregate(**aggregates)
    total = counted.pop("total")
    flags = _flags(filters, params, total, counted)

    facets: dict[str, list[FacetValue]] = {}
    for flt in filters:
        if flt.facet != "group":
            continue
        facet_qs = _filtered(base, params, filters, ctx, skip=flt.param) if flt.param in params.values else qs
        facets[flt.param] = _facet(flt, params, _group_counts(facet_qs, flt))
    return total, flags, facets


def _duration_bucket(weeks: int) -> str | None:
    for key, (_label, low, high) in DURATIONS.items():
        if weeks >= low and (high is None or weeks <= high):
            return key
    return None


def _counts_by_grouping_sets(
    base: QuerySet, params: SearchParams, filters: Sequence[SearchFilter], ctx: SearchContext
) -> tuple[int, dict[str, FacetValue], dict[str, list[FacetValue]]]:
    """The counts of a search with `GROUP BY GROUPING SETS` (PostgreSQL): one pass over the listings
    matching every filter for the total, the flags and every facet without an active filter, plus
    one pass for each facet with one (counted with every filter but its own: disjunctive counts).

    Facets are grouped by the listing's own columns (from the covering index
    `listing_published_facets` when there is no text), then mapped on the few rows counted: the
    state by institution, then summed by state; the visas by the listing's list of codes
    (",b1b2,j1,"), summed by code; the duration by weeks, summed by bucket. The text's rank is not
    computed here: only the page's ordering needs it.

    (One pass over the listings missing at most one active filter, with a per-listing mark for each
    filter and COUNT(*) FILTER, was measured slower when a filter is active: every set's hash table
    then sees every listing of that wider set, and the flags are tested on all of them.)
    """
    groups = [flt for flt in filters if flt.facet == "group"]
    active = [flt for flt in groups if flt.param in params.values]
    unticked = [flt for flt in filters if flt.facet == "flag" and flt.param not in params.values]
    counts: dict[str, dict[str, int]] = {flt.param: {} for flt in groups}
    specialty_names: dict[str, str] = {}

    rows = _filtered(base, params, filters, ctx)
    columns = list(dict.fromkeys(flt.column for flt in groups if flt not in active))
    marks = {flt.param: flt.flag_q(ctx) for flt in unticked}
    found = _count_grouped(rows, columns, marks, specialty_names)
    if found is None:  # a filter that matches nothing, e.g. "eligible" for a visitor
        total, counted_flags = 0, {flt.param: 0 for flt in unticked}
    else:
        total, counted_flags, by_column = found
        for flt in groups:
            if flt not in active:
                counts[flt.param] = by_column[flt.column]
    for flt in active:
        by_value, names = _facet_pass(_filtered(base, params, filters, ctx, skip=flt.param), flt.column)
        counts[flt.param] = by_value
        specialty_names.update(names)
    facets = {flt.param: _facet(flt, params, counts[flt.param], specialty_names) for flt in groups}
    return total, _flags(filters, params, total, counted_flags), facets


def _facet_pass(rows: QuerySet, column: str) -> tuple[dict[str, int], dict[str, str]]:
    """One facet's counts over `rows` (the search without that facet's own filter), and the names of
    the specialties counted. Cached on their own, under the SQL of `rows`: the pass does not depend on
    the value picked in that facet, so searches that differ only there share it (the same text in
    another state reads the state counts the first one made), and it is the costly pass of a search
    with a text and a filter: every listing matching the text."""

    def count() -> tuple[dict[str, int], dict[str, str]]:
        names: dict[str, str] = {}
        found = _count_grouped(rows, [column], {}, names)
        return (found[2][column] if found is not None else {}), names

    return search_counts.cached_counts([rows], count, part=f"facet-{column}")


def _count_grouped(
    rows: QuerySet, columns: list[str], marks: Mapping[str, Q], specialty_names: dict[str, str]
) -> tuple[int, dict[str, int], dict[str, dict[str, int]]] | None:
    """One query, one pass over `rows`: how many there are, how many have each mark, and how many
    have each value of each column (facet keys: see `_counts_by_grouping_sets`). None if `rows`
    can match nothing. Fills `specialty_names` (slug: name) for the specialties counted."""
    connection_ = connections[rows.db]
    qn = connection_.ops.quote_name
    # Each mark is selected per listing, in the scan's own output (so a subquery in it is planned
    # for the number of listings read), then counted with FILTER.
    rows = (
        rows.order_by()
        .annotate(**{f"f_{name}": ExpressionWrapper(q, output_field=BooleanField()) for name, q in marks.items()})
        .values(*columns, *[f"f_{name}" for name in marks])
    )
    try:
        inner_sql, inner_params = rows.query.sql_with_params()
    except EmptyResultSet:
        return None
    # (::boolean: a condition that can match nothing, e.g. "eligible" for a visitor, is selected as 0.)
    aggregates = ["COUNT(*)", *[f"COUNT(*) FILTER (WHERE r.f_{name}::boolean)" for name in marks]]
    grouped = ", ".join(f"r.{qn(column)}" for column in columns)
    sets = ", ".join(["()", *[f"(r.{qn(column)})" for column in columns]])
    counted = ", ".join(f"{aggregate} AS n{i}" for i, aggregate in enumerate(aggregates))
    # Identifiers are the listing's own column names, quoted; every value is in inner_params.
    counting = (
        f"SELECT GROUPING({grouped}) AS g, {grouped}, {counted} "  # nosec B608
        f"FROM ({inner_sql}) r GROUP BY GROUPING SETS ({sets})"
    )
    # Then, on the few rows counted: specialties by slug (with their names), institutions by state.
    keys = [f"c.{qn(column)}" for column in columns]
    joins = ""
    if "specialty_id" in columns:
        joins += f" LEFT JOIN {qn(Specialty._meta.db_table)} s ON s.id = c.specialty_id"
        keys[columns.index("specialty_id")] = "s.slug, s.name"
    if "institution_id" in columns:
        joins += f" LEFT JOIN {qn(Institution._meta.db_table)} i ON i.id = c.institution_id"
        keys[columns.index("institution_id")] = "i.state"
    sums = ", ".join(f"SUM(c.n{i})" for i in range(len(aggregates)))
    sql = f"SELECT c.g, {', '.join(keys)}, {sums} FROM ({counting}) c{joins} GROUP BY c.g, {', '.join(keys)}"  # nosec B608
    with connection_.cursor() as cursor:
        cursor.execute(sql, inner_params)
        found = cursor.fetchall()

    total, flags = 0, {name: 0 for name in marks}
    by_column: dict[str, dict[str, int]] = {column: {} for column in columns}
    width = len(columns) + ("specialty_id" in columns)
    for row in found:
        grouping, values, sums_of_row = row[0], list(row[1 : 1 + width]), [int(n or 0) for n in row[1 + width :]]
        if "specialty_id" in columns:  # its slug and its name: one column each
            at = columns.index("specialty_id")
            slug, name = values[at], values.pop(at + 1)
            if slug is not None:
                specialty_names[slug] = name
        if grouping == (1 << len(columns)) - 1:  # the set (): every listing counted once
            total = sums_of_row[0]
            flags = dict(zip(marks, sums_of_row[1:]))
            continue
        at = next(i for i in range(len(columns)) if not grouping & (1 << (len(columns) - 1 - i)))
        column, value, n = columns[at], values[at], sums_of_row[0]
        if not n or value is None:
            continue
        counts = by_column[column]
        if column == accepted_visas.FIELD:
            for code in value.strip(",").split(","):
                if code:
                    counts[code] = counts.get(code, 0) + n
        elif column == "duration_weeks":
            bucket = _duration_bucket(value)
            if bucket is not None:
                counts[bucket] = counts.get(bucket, 0) + n
        else:
            counts[str(value)] = counts.get(str(value), 0) + n
    return total, flags, by_column


# The time the cache keys of time-dependent counts are built for: the minute is kept beside the value.
_KEY_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _cached_counts(
    base: QuerySet,
    params: SearchParams,
    filters: Sequence[SearchFilter],
    extra_filters: Sequence[SearchFilter],
    user: Any,
    now: dt.datetime,
) -> tuple[int, dict[str, FacetValue], dict[str, list[FacetValue]]]:
    """The counts, cached per search (placements.search_counts) for the start of this minute. The
    page itself is read fresh; counts may lag a changing application window by a minute or two.

    Unless a time-dependent filter ("open now") is ticked, every count but that flag's is the same
    whatever the time: those are cached until the catalogue changes, and the flag apart, per minute.
    """
    count_ctx = SearchContext(user=user, now=now.replace(second=0, microsecond=0))
    counted_qs = _filtered(base, params, filters, count_ctx)

    def key_queries(ctx: SearchContext, filtered: Any = None) -> list[Any]:
        # The applicant's own answers (their profile) are in the SQL of the user-dependent flags.
        return [
            filtered if filtered is not None else _filtered(base, params, filters, ctx),
            *[
                Listing.objects.filter(flt.flag_q(ctx))
                for flt in extra_filters
                if flt.facet == "flag" and flt.flag_q is not None
            ],
        ]

    if any(flt.time_dependent and flt.param in params.values for flt in filters):
        return search_counts.cached_counts(
            key_queries(SearchContext(user=user, now=_KEY_TIME)),
            lambda: _counts(base, counted_qs, params, filters, count_ctx),
            minute=count_ctx.now,
        )
    counted_sql = search_counts.compiled(counted_qs)  # in both keys below
    timed = [flt for flt in filters if flt.facet == "flag" and flt.time_dependent]
    counted_now: dict[str, int] = {}

    def count_all() -> tuple[int, dict[str, FacetValue], dict[str, list[FacetValue]]]:
        # On a miss the time-dependent flags come in the same aggregate (no extra query), kept apart.
        total, flags, facets = _counts(base, counted_qs, params, filters, count_ctx)
        counted_now.update({flt.param: flags.pop(flt.param).count for flt in timed})
        return total, flags, facets

    total, flags, facets = search_counts.cached_counts(key_queries(count_ctx, counted_sql), count_all)
    for flt in timed:
        count = search_counts.cached_counts(
            [counted_sql],
            lambda: (
                counted_now[flt.param]
                if flt.param in counted_now
                else counted_qs.filter(flt.flag_q(count_ctx)).order_by().count()
            ),
            minute=count_ctx.now,
            part=f"flag-{flt.param}",
        )
        flags[flt.param] = FacetValue("1", flt.label, count, False)
    # In the filters' order, as the page lists them.
    flags = {flt.param: flags[flt.param] for flt in filters if flt.param in flags}
    return total, flags, facets


def search_listings(
    params: SearchParams,
    *,
    user: Any = None,
    extra_filters: Sequence[SearchFilter] = (),
    annotators: Iterable[Callable[[list[Listing], Any], None]] = (),
    base: QuerySet | None = None,
    page_size: int = PAGE_SIZE,
) -> SearchResult:
    """Published listings matching `params`, sorted, paginated, with facet counts.

    A constant number of queries whatever the catalogue size: the counts (on PostgreSQL one query,
    plus one per facet with an active filter; elsewhere one aggregate and one query a facet; see
    `_counts`), the page's ids, those rows and their visas.
    Facet counts are disjunctive: a facet is counted with every filter applied except its own, so
    picking a state still shows how many listings the other states have.
    """
    ctx = SearchContext(user=user, now=timezone.now())
    filters = [*FILTERS, *extra_filters]
    base = _searched(base)
    qs = _filtered(base, params, filters, ctx)

    total, flags, facets = _cached_counts(base, params, filters, extra_filters, user, ctx.now)

    # Two steps: the page's ids first (sorted, sliced), then those rows with their session summary.
    # Computing the summary subqueries for every matching row only to keep twenty cost seconds at
    # 100,000 listings.
    ordered = _order(qs, params)
    paginator = Paginator(ordered.values_list("pk", flat=True), page_size)
    paginator.__dict__["count"] = total  # already counted above: save the COUNT(*) query
    page = paginator.get_page(params.page)
    ids = list(page.object_list)
    rows = (
        (
            Listing.objects.filter(pk__in=ids)
            .with_total_cost()
            .with_session_summary(ctx.now)
            .select_related("institution", "specialty")
            .prefetch_related("accepted_visas")
        )
        if ids
        else []
    )
    by_id = {listing.pk: listing for listing in rows}
    listings = [by_id[pk] for pk in ids]
    page.object_list = listings
    for annotate in annotators:
        annotate(listings, user)

    loosen = []
    if total == 0:
        for flt in filters:
            if flt.param in params.values:
                loosen.append((_("Remove “%(label)s”") % {"label": flt.label}, params.querystring(**{flt.param: None})))
    return SearchResult(params=params, page=page, total=total, facets=facets, flags=flags, loosen=loosen)


def _searched(base: QuerySet | None) -> QuerySet:
    return (Listing.objects.published() if base is None else base).with_total_cost()


def warm_catalogue_counts() -> None:
    """Count the whole catalogue as the search page counts it for a visitor who is not signed in, into
    the counts' cache (the same key: the same filters, the same SQL). Signed-in applicants' counts
    include their own eligibility and are counted on their first search."""
    from django.contrib.auth.models import AnonymousUser

    visitor = AnonymousUser()
    extra_filters = extra_filters_for(visitor)
    _cached_counts(
        _searched(None),
        parse_params({}, extra_filters),
        [*FILTERS, *extra_filters],
        extra_filters,
        visitor,
        timezone.now(),
    )


def month_choices(today: dt.date | None = None, months: int = 12) -> list[tuple[str, str]]:
    """The next twelve months as (2027-03, "March 2027") for the start-month filter."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    out = []
    for _i in range(months):
        out.append((first.strftime("%Y-%m"), first.strftime("%B %Y")))
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return out


# Other apps register here (in their AppConfig.ready) so every caller of the search page and the API
# gets them without editing this app: e.g. the applicants app's "only where I am eligible" filter.
EXTRA_FILTERS: list[SearchFilter] = []
ANNOTATORS: list[Callable[[list[Listing], Any], None]] = []
EXTRA_SORTS: dict[str, Callable[[QuerySet], QuerySet]] = {}
# Order expressions put before the text rank (e.g. trust's "possibly out of date" last): the text
# search ranks every match anyway, so a leading term costs no index.
RELEVANCE_DEMOTIONS: list[Callable[[], Any]] = []


def register_filter(flt: SearchFilter) -> None:
    if all(existing.param != flt.param for existing in [*FILTERS, *EXTRA_FILTERS]):
        EXTRA_FILTERS.append(flt)


def extra_filters_for(user: Any) -> list[SearchFilter]:
    """The registered filters the search page offers this user."""
    return [flt for flt in EXTRA_FILTERS if flt.offered_to is None or flt.offered_to(user)]


def register_sort(key: str, label: Any, order: Callable[[QuerySet], QuerySet]) -> None:
    """A sort another app offers (e.g. trust's "answers fastest"): its label in SORTS, its order here."""
    SORTS.setdefault(key, label)
    EXTRA_SORTS[key] = order


def register_relevance_demotion(demotion: Callable[[], Any]) -> None:
    if demotion not in RELEVANCE_DEMOTIONS:
        RELEVANCE_DEMOTIONS.append(demotion)


def register_annotator(annotator: Callable[[list[Listing], Any], None]) -> None:
    if annotator not in ANNOTATORS:
        ANNOTATORS.append(annotator)
