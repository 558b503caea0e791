"""Counting the facets: the total, the flags ("how many if ticked") and the grouped facets' values.

Counts are disjunctive: a facet is counted with every filter applied except its own, so picking a
state still shows how many listings the other states have. On PostgreSQL one grouping-sets pass
counts the total, the flags and every facet without an active filter, plus one pass for each facet
with one (`counts_by_grouping_sets`); elsewhere (SQLite) one aggregate, then one query a facet
(`counts_per_facet`). Both give the same counts. `cached_counts` serves them from `count_cache`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from .. import accepted_visas
from ..models import Institution, Listing, Specialty
from . import count_cache, sql
from .filters import FILTERS, duration_q, extra_filters_for
from .query import filtered, parse_params, searched
from .ranking import order_keys
from .values import DURATIONS, Counts, FacetValue, SearchContext, SearchFilter, SearchParams, duration_bucket

# --- Both ways ----------------------------------------------------------------------------------


def counts(
    base: QuerySet, qs: QuerySet, params: SearchParams, filters: Sequence[SearchFilter], ctx: SearchContext
) -> Counts:
    """The total, the flag counts and the grouped facets of the search `qs` (`base` filtered)."""
    groups = [flt for flt in filters if flt.facet == "group"]
    if connections[qs.db].vendor == "postgresql" and all(flt.where and flt.column for flt in groups):
        return counts_by_grouping_sets(base, params, filters, ctx)
    return counts_per_facet(base, qs, params, filters, ctx)


def flag_values(
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


def facet_values(
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


# --- One query a facet (SQLite) -----------------------------------------------------------------


def counts_per_facet(
    base: QuerySet, qs: QuerySet, params: SearchParams, filters: Sequence[SearchFilter], ctx: SearchContext
) -> Counts:
    """One aggregate for the total and the flags, then one query a grouped facet (a pass each)."""
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for flt in filters:
        if flt.facet == "flag" and flt.param not in params.values:
            aggregates[flt.param] = Count("pk", filter=flt.flag_q(ctx))
    counted = qs.order_by().aggregate(**aggregates)
    total = counted.pop("total")
    flags = flag_values(filters, params, total, counted)

    facets: dict[str, list[FacetValue]] = {}
    for flt in filters:
        if flt.facet != "group":
            continue
        facet_qs = filtered(base, params, filters, ctx, skip=flt.param) if flt.param in params.values else qs
        facets[flt.param] = facet_values(flt, params, _group_counts(facet_qs, flt))
    return total, flags, facets


def _group_counts(qs: QuerySet, flt: SearchFilter) -> dict[str, int]:
    if flt.param == "visa":
        through = Listing.accepted_visas.through.objects.filter(listing__in=qs.values("pk"))
        return dict(through.values_list("visa_id").annotate(n=Count("listing_id")).order_by())
    if flt.param == "duration":
        aggregates = {key: Count("pk", filter=duration_q(key)) for key in DURATIONS}
        return qs.order_by().aggregate(**aggregates)
    return dict(qs.order_by().values_list(flt.group_by).annotate(n=Count("pk")))


# --- Grouping sets (PostgreSQL) -----------------------------------------------------------------


def counts_by_grouping_sets(
    base: QuerySet, params: SearchParams, filters: Sequence[SearchFilter], ctx: SearchContext
) -> Counts:
    """One pass over the listings matching every filter for the total, the flags and every facet
    without an active filter, plus one pass for each facet with one (`facet_pass`).

    Facets are grouped by the listing's own columns (from the covering index
    `listing_published_facets` when there is no text), then mapped on the few rows counted
    (`facet_keys`). The text's rank is not computed here: only the page's ordering needs it.
    """
    groups = [flt for flt in filters if flt.facet == "group"]
    active = [flt for flt in groups if flt.param in params.values]
    unticked = [flt for flt in filters if flt.facet == "flag" and flt.param not in params.values]
    by_param: dict[str, dict[str, int]] = {flt.param: {} for flt in groups}

    rows = filtered(base, params, filters, ctx)
    columns = list(dict.fromkeys(flt.column for flt in groups if flt not in active))
    marks = {flt.param: flt.flag_q(ctx) for flt in unticked}
    found = count_grouped(rows, columns, marks)
    if found is None:  # a filter that matches nothing, e.g. "eligible" for a visitor
        found = Grouped(flags={flt.param: 0 for flt in unticked}, by_column={column: {} for column in columns})
    for flt in groups:
        if flt not in active:
            by_param[flt.param] = found.by_column[flt.column]
    for flt in active:
        by_value, names = facet_pass(filtered(base, params, filters, ctx, skip=flt.param), flt.column)
        by_param[flt.param] = by_value
        found.specialty_names.update(names)
    facets = {flt.param: facet_values(flt, params, by_param[flt.param], found.specialty_names) for flt in groups}
    return found.total, flag_values(filters, params, found.total, found.flags), facets


@dataclass
class PageWanted:
    """The page a search will show, asked of the counting pass so that a text's matches are read once
    (`counts_and_page`); `ids` is left None when the counts came from the cache or another path."""

    params: SearchParams
    ctx: SearchContext  # the request's own time (the counts are taken at the start of the minute)
    size: int
    ids: list[int] | None = None

    def valid_for(self, total: int) -> bool:
        """The page asked exists for `total` (else the paginator shows the last one: read it apart)."""
        return self.params.page == 1 or (self.params.page - 1) * self.size < total


def one_pass_applies(params: SearchParams, filters: Sequence[SearchFilter], db: str) -> bool:
    """A text on PostgreSQL, with no grouped facet picked and no time-dependent filter ticked: its
    matches are read from the table (not from a covering index), and the rows counted are the rows
    paged, so one read serves both. With a facet picked, the separate passes read less (measured,
    bench/RESULTS.md): the search itself is narrowed by the facet's index before it is counted and
    ranked, and the facet's own pass reads one column; without a text they are index-only passes."""
    groups = [flt for flt in filters if flt.facet == "group"]
    return (
        connections[db].vendor == "postgresql"
        and "q" in params.values
        and all(flt.where and flt.column for flt in groups)
        and len({flt.column for flt in groups}) == len(groups)
        and not any(flt.param in params.values for flt in groups)
        and not any(flt.time_dependent and flt.param in params.values for flt in filters)
    )


def counts_and_page(
    base: QuerySet, params: SearchParams, filters: Sequence[SearchFilter], ctx: SearchContext, page: PageWanted
) -> Counts:
    """What `counts_by_grouping_sets` counts, and the ids of `page`, from ONE read of the text's matches
    (`sql.one_pass_counts_and_page`): the rows matching every filter but the grouped facets' and the
    time-dependent ones', each with those conditions as booleans, the marks and the sort keys."""
    groups = [flt for flt in filters if flt.facet == "group"]
    active = [flt for flt in groups if flt.param in params.values]
    unticked = [flt for flt in filters if flt.facet == "flag" and flt.param not in params.values]
    timed = [flt for flt in filters if flt.time_dependent and flt.param in params.values and flt.flag_q]
    apart = {flt.param for flt in [*active, *timed]}
    rows = filtered(base, params, [flt for flt in filters if flt.param not in apart], ctx)
    booleans: dict[str, Q] = {f"a_{flt.param}": flt.where(params.values[flt.param], ctx) for flt in active}
    for flt in timed:  # counted at the minute, paged at the request's time: the rows open at either
        counted_q, paged_q = flt.flag_q(ctx), flt.flag_q(page.ctx)
        booleans |= {f"c_{flt.param}": counted_q, f"p_{flt.param}": paged_q}
        rows = rows.filter(counted_q | paged_q)
    booleans |= {f"f_{flt.param}": flt.flag_q(ctx) for flt in unticked}
    sort_keys = order_keys(rows, page.params)
    columns = [flt.column for flt in groups]
    marked = (
        rows.order_by()
        .annotate(**{name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in booleans.items()})
        .annotate(**{alias: expression for alias, (expression, _desc, _nulls) in sort_keys.items()})
        .values("id", *columns, *booleans, *sort_keys)
    )
    try:
        inner_sql, inner_params = marked.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing
        page.ids = []
        total, found = 0, Grouped(flags={flt.param: 0 for flt in unticked}, by_column={c: {} for c in columns})
    else:
        own = {flt.column: f"a_{flt.param}" for flt in active}
        query, query_params = sql.one_pass_counts_and_page(
            inner_sql,
            inner_params,
            columns,
            [flt.param for flt in unticked],
            counted_if=[*own.values(), *[f"c_{flt.param}" for flt in timed]],
            own_condition=own,
            paged_if=[*own.values(), *[f"p_{flt.param}" for flt in timed]],
            order=[(alias, desc, nulls) for alias, (_expression, desc, nulls) in sort_keys.items()],
            limit=page.size,
            offset=(page.params.page - 1) * page.size,
            specialty_table=Specialty._meta.db_table,
            institution_table=Institution._meta.db_table,
        )
        with connections[rows.db].cursor() as cursor:
            cursor.execute(query, query_params)
            result = cursor.fetchall()
        ids = next(row[-1] for row in result if row[0] == -1)
        found = read_grouped(
            [row[:-1] for row in result if row[0] != -1], columns, [flt.param for flt in unticked], own_column_sums=own
        )
        total = found.total
        page.ids = list(ids or []) if page.valid_for(total) else None
    facets = {
        flt.param: facet_values(flt, params, found.by_column[flt.column], found.specialty_names) for flt in groups
    }
    return total, flag_values(filters, params, total, found.flags), facets


def facet_pass(rows: QuerySet, column: str) -> tuple[dict[str, int], dict[str, str]]:
    """One facet's counts over `rows` (the search without that facet's own filter), and the names of
    the specialties counted. Cached on their own under the SQL of `rows`: the pass does not depend on
    the value picked in that facet, so searches that differ only there share it."""
    return count_cache.cached_counts([rows], functools.partial(_count_one_column, rows, column), part=f"facet-{column}")


def _count_one_column(rows: QuerySet, column: str) -> tuple[dict[str, int], dict[str, str]]:
    found = count_grouped(rows, [column], {})
    return (found.by_column[column], found.specialty_names) if found is not None else ({}, {})


@dataclass
class Grouped:
    """What one grouping-sets pass counted."""

    total: int = 0
    flags: dict[str, int] = field(default_factory=dict)  # by mark
    by_column: dict[str, dict[str, int]] = field(default_factory=dict)  # column: {facet key: count}
    specialty_names: dict[str, str] = field(default_factory=dict)  # slug: name, of the specialties counted


def count_grouped(rows: QuerySet, columns: list[str], marks: Mapping[str, Q]) -> Grouped | None:
    """One query, one pass over `rows`: how many there are, how many have each mark, and how many
    have each value of each column. None if `rows` can match nothing."""
    try:
        inner_sql, inner_params = _marked(rows, columns, marks).query.sql_with_params()
    except EmptyResultSet:
        return None
    query, query_params = sql.grouping_sets_counts(
        inner_sql,
        inner_params,
        columns,
        list(marks),
        specialty_table=Specialty._meta.db_table,
        institution_table=Institution._meta.db_table,
    )
    with connections[rows.db].cursor() as cursor:
        cursor.execute(query, query_params)
        return read_grouped(cursor.fetchall(), columns, list(marks))


def _marked(rows: QuerySet, columns: list[str], marks: Mapping[str, Q]) -> QuerySet:
    # Each mark is selected per listing, in the scan's own output (so a subquery in it is planned
    # for the number of listings read), then counted with FILTER.
    return (
        rows.order_by()
        .annotate(**{f"f_{name}": ExpressionWrapper(q, output_field=BooleanField()) for name, q in marks.items()})
        .values(*columns, *[f"f_{name}" for name in marks])
    )


def read_grouped(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[str],
    marks: Sequence[str],
    own_column_sums: Mapping[str, str] | None = None,
) -> Grouped:
    """The counts in the rows of `sql.grouping_sets_counts`, by facet key (see `facet_keys`); with
    `own_column_sums` (`sql.one_pass_counts_and_page`), those columns are counted by their own sum."""
    grouped = Grouped(flags=dict.fromkeys(marks, 0), by_column={column: {} for column in columns})
    own = [column for column in columns if column in (own_column_sums or {})]
    own_sum = {column: 1 + len(marks) + i for i, column in enumerate(own)}
    everything = (1 << len(columns)) - 1
    for row in rows:
        grouping, values, sums = _split_row(row, columns, grouped.specialty_names)
        if grouping == everything:  # the set (): every listing counted once
            grouped.total = sums[0]
            grouped.flags = dict(zip(marks, sums[1:]))
            continue
        at = _counted_column(grouping, len(columns))
        column = columns[at]
        _add(grouped.by_column[column], column, values[at], sums[own_sum.get(column, 0)])
    return grouped


def _split_row(
    row: Sequence[Any], columns: Sequence[str], specialty_names: dict[str, str]
) -> tuple[int, list[Any], list[int]]:
    """(grouping, one value a column, the sums); records the specialty's name beside its slug."""
    width = len(columns) + (sql.SPECIALTY_COLUMN in columns)
    grouping, values, sums = row[0], list(row[1 : 1 + width]), [int(n or 0) for n in row[1 + width :]]
    if sql.SPECIALTY_COLUMN in columns:  # its slug and its name: one column each
        at = columns.index(sql.SPECIALTY_COLUMN)
        slug, name = values[at], values.pop(at + 1)
        if slug is not None:
            specialty_names[slug] = name
    return grouping, values, sums


def _counted_column(grouping: int, width: int) -> int:
    """The position of the column a row of a one-column grouping set counts (its bit is 0)."""
    return next(i for i in range(width) if not grouping & (1 << (width - 1 - i)))


def facet_keys(column: str, value: Any) -> list[str]:
    """The facet values one counted column value adds to: visas by code (",b1b2,j1," adds to two),
    durations by bucket, the state (already mapped in SQL) and the rest as themselves."""
    if column == accepted_visas.FIELD:
        return [code for code in value.strip(",").split(",") if code]
    if column == "duration_weeks":
        bucket = duration_bucket(value)
        return [bucket] if bucket is not None else []
    return [str(value)]


def _add(counts: dict[str, int], column: str, value: Any, n: int) -> None:
    if not n or value is None:
        return
    for key in facet_keys(column, value):
        counts[key] = counts.get(key, 0) + n


# --- Cached -------------------------------------------------------------------------------------

# The time the cache keys of time-dependent counts are built for: the minute is kept beside the value.
_KEY_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class _Counting:
    """One search's counts as `cached_counts` asks for them: at the start of the minute."""

    def __init__(
        self,
        base: QuerySet,
        params: SearchParams,
        filters: Sequence[SearchFilter],
        extra_filters: Sequence[SearchFilter],
        user: Any,
        now: dt.datetime,
        page: PageWanted | None = None,
    ) -> None:
        self.base, self.params, self.filters, self.extra_filters, self.user = base, params, filters, extra_filters, user
        self.page = page
        self.ctx = SearchContext(user=user, now=now.replace(second=0, microsecond=0))
        self.qs = filtered(base, params, filters, self.ctx)
        self.timed = [flt for flt in filters if flt.facet == "flag" and flt.time_dependent]
        self.timed_counts: dict[str, int] = {}  # the time-dependent flags counted with the rest

    def key_queries(self, ctx: SearchContext, counted: Any = None) -> list[Any]:
        """The cache key's queries. The applicant's own answers (their profile) are in the SQL of the
        user-dependent flags."""
        return [
            counted if counted is not None else filtered(self.base, self.params, self.filters, ctx),
            *[
                Listing.objects.filter(flt.flag_q(ctx))
                for flt in self.extra_filters
                if flt.facet == "flag" and flt.flag_q is not None
            ],
        ]

    def count(self) -> Counts:
        if self.page is not None and one_pass_applies(self.params, self.filters, self.qs.db):
            return counts_and_page(self.base, self.params, self.filters, self.ctx, self.page)
        return counts(self.base, self.qs, self.params, self.filters, self.ctx)

    def count_without_timed_flags(self) -> Counts:
        # On a miss the time-dependent flags come in the same aggregate (no extra query), kept apart.
        total, flags, facets = self.count()
        self.timed_counts.update({flt.param: flags.pop(flt.param).count for flt in self.timed})
        return total, flags, facets

    def timed_flag(self, flt: SearchFilter) -> int:
        if flt.param in self.timed_counts:
            return self.timed_counts[flt.param]
        return self.qs.filter(flt.flag_q(self.ctx)).order_by().count()


def cached_counts(
    base: QuerySet,
    params: SearchParams,
    filters: Sequence[SearchFilter],
    extra_filters: Sequence[SearchFilter],
    user: Any,
    now: dt.datetime,
    page: PageWanted | None = None,
) -> Counts:
    """The counts, cached per search (count_cache) for the start of this minute. The page itself is
    read fresh; counts may lag a changing application window by a minute or two. When they are
    counted (not served from the cache) with a text on PostgreSQL, `page`'s ids come from the same
    read of the matches (`counts_and_page`).

    Unless a time-dependent filter ("open now") is ticked, every count but that flag's is the same
    whatever the time: those are cached until the catalogue changes, and the flag apart, per minute.
    """
    run = _Counting(base, params, filters, extra_filters, user, now, page)
    if any(flt.time_dependent and flt.param in params.values for flt in filters):
        key = run.key_queries(SearchContext(user=user, now=_KEY_TIME))
        return count_cache.cached_counts(key, run.count, minute=run.ctx.now)
    counted_sql = count_cache.compiled(run.qs)  # in both keys below
    total, flags, facets = count_cache.cached_counts(
        run.key_queries(run.ctx, counted_sql), run.count_without_timed_flags
    )
    for flt in run.timed:
        count = count_cache.cached_counts(
            [counted_sql], functools.partial(run.timed_flag, flt), minute=run.ctx.now, part=f"flag-{flt.param}"
        )
        flags[flt.param] = FacetValue("1", flt.label, count, False)
    # In the filters' order, as the page lists them.
    flags = {flt.param: flags[flt.param] for flt in filters if flt.param in flags}
    return total, flags, facets


def warm_catalogue_counts() -> None:
    """Count the whole catalogue as the search page counts it for a visitor who is not signed in, into
    the counts' cache (the same key: the same filters, the same SQL). Signed-in applicants' counts
    include their own eligibility and are counted on their first search."""
    visitor = AnonymousUser()
    extra_filters = extra_filters_for(visitor)
    cached_counts(
        searched(None),
        parse_params({}, extra_filters),
        [*FILTERS, *extra_filters],
        extra_filters,
        visitor,
        timezone.now(),
    )
