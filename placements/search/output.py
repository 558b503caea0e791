"""One request's search, as the search page and the API compute and cache their output."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

from . import render_cache
from .filters import ANNOTATORS, FILTERS
from .query import parse_params
from .results import search_listings
from .values import SearchFilter, SearchParams, SearchResult

T = TypeVar("T")


class CatalogueSearch:
    """The query string, the viewer and the filters offered to them. The query is parsed only when
    the output is computed: a cached output does not need it (parsing looks a specialty's slug up)."""

    def __init__(self, query: Mapping[str, str], user: Any, extra_filters: Sequence[SearchFilter]) -> None:
        self.query, self.user, self.extra_filters = query, user, list(extra_filters)

    @cached_property
    def params(self) -> SearchParams:
        return parse_params(self.query, extra_filters=self.extra_filters)

    def parse(self) -> SearchParams:
        return self.params

    def result(self) -> SearchResult:
        return search_listings(self.params, user=self.user, extra_filters=self.extra_filters, annotators=ANNOTATORS)

    def output(self, kind: str, compute: Callable[[], T], *, extra: str = "") -> T:
        """`compute()`, from the rendered-output cache when this viewer's output is everyone's."""
        if not render_cache.serves_from_cache(self.user):
            return compute()
        digest = render_cache.query_digest(self.query, [*FILTERS, *self.extra_filters])
        return render_cache.cached_output(kind, digest, compute, extra=extra)
