"""The search itself: one page of listings matching a query, sorted, with its facet counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Listing
from .counts import PageWanted, cached_counts
from .filters import FILTERS
from .query import filtered, searched
from .ranking import order
from .values import PAGE_SIZE, SearchContext, SearchFilter, SearchParams, SearchResult


def search_listings(
    params: SearchParams,
    *,
    user: Any = None,
    extra_filters: Sequence[SearchFilter] = (),
    annotators: Iterable[Callable[[list[Listing], Any], None]] = (),
    base: QuerySet | None = None,
    page_size: int = PAGE_SIZE,
) -> SearchResult:
    """Published listings matching `params`, sorted, paginated, with facet counts (placements.search.counts).

    A constant number of queries whatever the catalogue's size: the counts, the page's ids, those
    rows and their visas.
    """
    ctx = SearchContext(user=user, now=timezone.now())
    filters = [*FILTERS, *extra_filters]
    base = searched(base)
    qs = filtered(base, params, filters, ctx)

    wanted = PageWanted(params, ctx, page_size)
    total, flags, facets = cached_counts(base, params, filters, extra_filters, user, ctx.now, wanted)
    page = _page(qs, params, total, page_size, ctx, wanted.ids)
    for annotate in annotators:
        annotate(page.object_list, user)
    loosen = _loosen(params, filters) if total == 0 else []
    return SearchResult(params=params, page=page, total=total, facets=facets, flags=flags, loosen=loosen)


def _page(
    qs: QuerySet, params: SearchParams, total: int, page_size: int, ctx: SearchContext, ids: list[int] | None = None
) -> Page:
    # Two steps: the page's ids first (sorted, sliced; or `ids`, read with the counts), then those rows
    # with their session summary, which is computed for the page's twenty rows only, never for every
    # matching one.
    paginator = Paginator(order(qs, params).values_list("pk", flat=True), page_size)
    paginator.__dict__["count"] = total  # already counted: save the COUNT(*) query
    if ids is not None:
        page = paginator.page(params.page)  # the ids were read for this page, which exists (PageWanted)
        page.object_list = ids
    else:
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
    page.object_list = [by_id[pk] for pk in ids]
    return page


def _loosen(params: SearchParams, filters: Sequence[SearchFilter]) -> list[tuple[str, str]]:
    """For an empty result: each active filter's label and the query without it."""
    return [
        (_("Remove “%(label)s”") % {"label": flt.label}, params.querystring(**{flt.param: None}))
        for flt in filters
        if flt.param in params.values
    ]
