"""Catalogue search: parse the query tolerantly, filter, rank, sort, count the facets, cache.

The search page and the REST API both call `search_listings`; docs/search.md maps the modules.

Extension points (used by other apps, keep them stable):
- `register_filter`: more `SearchFilter`s, e.g. the applicants app's "only where I am eligible"; they
  parse their own parameter, appear in `params.values`, and narrow the queryset with the user at hand.
- `register_sort`, `register_relevance_demotion`: sorts another app offers (trust's "answers
  fastest") and order terms put before the text rank (stale listings last).
- `register_annotator`: callables `(listings, user) -> None` run on the current page's listings only,
  e.g. to set `listing.eligibility` for a badge rendered by `placements/_result_extra.html`.

Stored columns the search reads on the listing, each with one writer:
- `search_vector`: the PostgreSQL trigger `placements_listing_search_vector` (every insert and
  update of a listing, bulk loads included; renamed institutions and specialties touch their
  listings so that it runs). SQLite has none: the search matches with icontains there.
- `accepted_visa_codes`: `placements.accepted_visas.refresh`, from the m2m table, after every change
  to it and after any save that wrote the column; loaders write `accepted_visas.as_text` of the rows
  they copy, with the row.
- `stored_next_deadline`, `stored_next_start`, `stored_opens_at`: `placements.listing_dates`; on
  PostgreSQL its rule runs in the session trigger `placements_session_listing_dates` for session
  writes; `recompute` for the clock (every minute), publication and SQLite; loaders write
  `of_sessions` of the sessions they copy, with the row.
"""

from .count_cache import catalogue_changed
from .counts import warm_catalogue_counts
from .filters import (
    ANNOTATORS,
    EXTRA_FILTERS,
    FILTERS,
    extra_filters_for,
    register_annotator,
    register_filter,
)
from .output import CatalogueSearch
from .query import month_choices, parse_params
from .ranking import register_relevance_demotion, register_sort
from .results import search_listings
from .values import (
    DURATIONS,
    MAX_QUERY_LENGTH,
    PAGE_SIZE,
    SORTS,
    FacetValue,
    InvalidValue,
    SearchContext,
    SearchFilter,
    SearchParams,
    SearchResult,
)

__all__ = [
    "ANNOTATORS",
    "DURATIONS",
    "EXTRA_FILTERS",
    "FILTERS",
    "MAX_QUERY_LENGTH",
    "PAGE_SIZE",
    "SORTS",
    "CatalogueSearch",
    "FacetValue",
    "InvalidValue",
    "SearchContext",
    "SearchFilter",
    "SearchParams",
    "SearchResult",
    "catalogue_changed",
    "extra_filters_for",
    "month_choices",
    "parse_params",
    "register_annotator",
    "register_filter",
    "register_relevance_demotion",
    "register_sort",
    "search_listings",
    "warm_catalogue_counts",
]
