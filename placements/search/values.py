"""The search's vocabulary: what a filter is, what a parsed query holds, what a search returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200

SORTS = {
    "relevance": _("Best match"),
    "deadline": _("Deadline soonest"),
    "fee": _("Total cost, lowest first"),
    "start": _("Start date soonest"),
    "newest": _("Newest"),
}

# Bucket: (label, lowest weeks, highest weeks or None).
DURATIONS = {
    "up-to-4": (_("Up to 4 weeks"), 1, 4),
    "5-8": (_("5 to 8 weeks"), 5, 8),
    "9-plus": (_("9 weeks or more"), 9, None),
}


def duration_bucket(weeks: int) -> str | None:
    for key, (_label, low, high) in DURATIONS.items():
        if weeks >= low and (high is None or weeks <= high):
            return key
    return None


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
    # apart and refreshed each minute (count_cache).
    time_dependent: bool = False
    # A grouped facet's condition for a value, as a Q on Listing (its `apply` is a filter on it), and
    # the listing's own column its values are read from: with both, PostgreSQL counts the grouped
    # facets with grouping sets (counts.counts_by_grouping_sets); else each is counted on its own.
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
        data = dict(self.raw_valid())
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


# The counts of a search: the total, the flags by parameter, the grouped facets' values by parameter.
Counts = tuple[int, dict[str, FacetValue], dict[str, list[FacetValue]]]
