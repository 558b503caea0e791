"""Building the query: the parameters read from the request, and the listings they select."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Listing
from .filters import FILTERS
from .values import SORTS, InvalidValue, SearchContext, SearchFilter, SearchParams


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
    _parse_sort(data, params)
    _parse_page(data, params)
    return params


def _parse_sort(data: Mapping[str, str], params: SearchParams) -> None:
    sort = (data.get("sort") or "").strip()
    if sort in SORTS:
        params.sort = sort
    elif sort:
        params.notes.append(_("Ignored sort: “%(value)s” is not a sort order we know.") % {"value": sort[:40]})


def _parse_page(data: Mapping[str, str], params: SearchParams) -> None:
    page = (data.get("page") or "").strip()
    if not page:
        return
    if page.isdecimal() and 0 < int(page) < 100_000:
        params.page = int(page)
    else:
        params.notes.append(_("Ignored page: “%(value)s” is not a page number.") % {"value": page[:40]})


def searched(base: QuerySet | None = None) -> QuerySet:
    """What a search starts from: the published listings (or `base`), with their total cost."""
    return (Listing.objects.published() if base is None else base).with_total_cost()


def filtered(
    base: QuerySet, params: SearchParams, filters: Sequence[SearchFilter], ctx: SearchContext, skip: str | None = None
) -> QuerySet:
    """`base` narrowed by every filter with a value in `params`, except `skip`'s."""
    qs = base
    for flt in filters:
        if flt.param != skip and flt.param in params.values:
            qs = flt.apply(qs, params.values[flt.param], ctx)
    return qs


def month_choices(today: dt.date | None = None, months: int = 12) -> list[tuple[str, str]]:
    """The next twelve months as (2027-03, "March 2027") for the start-month filter."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    out = []
    for _i in range(months):
        out.append((first.strftime("%Y-%m"), first.strftime("%B %Y")))
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return out
