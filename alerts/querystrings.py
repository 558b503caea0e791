"""A saved search's query string: checked and normalised before it is saved, and told in words.

The search page's URL is the whole state of a search (placements.search), so a saved search keeps
that query string. The page and the API save it through `checked_querystring`, which refuses what
the search would only ignore with a note: a saved search must select what its owner saw. The list
of saved searches says each one in words (`in_words_many`) without a query per saved search.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from django.http import QueryDict
from django.utils.translation import gettext as _

from placements import search as catalogue
from placements.models import Specialty

from .models import SavedSearch
from .services import MATCHABLE, SavedSearchError, saved_search_parse

# As long as the saved search's column: every filter at once is well under it (the text is at most 200).
MAX_QUERYSTRING_LENGTH = SavedSearch._meta.get_field("querystring").max_length or 1000
# Parameters that say how results are shown, not which listings: accepted, not kept.
_DISPLAY_ONLY = {"page", "sort"}


class QuerystringError(ValueError):
    """A query string that cannot be saved; `messages` says why, each in words for the user."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


def filters_for(user: Any) -> list[catalogue.SearchFilter]:
    return [*catalogue.FILTERS, *catalogue.extra_filters_for(user)]


def checked_querystring(raw: str, *, user: Any, strict: bool = True) -> tuple[str, catalogue.SearchParams]:
    """The query string as the search page writes it (known parameters, sorted), and its parse.

    Raises QuerystringError when a value cannot be used, when nothing narrows the search (a saved
    search for every placement would alert about each new one) and, with `strict` (the API), when a
    parameter is not one of the search's. The page passes strict=False: its URL may carry others
    (tracking parameters, an old link's), which the search ignores too."""
    raw = (raw or "").strip().lstrip("?")
    if len(raw) > MAX_QUERYSTRING_LENGTH:
        raise QuerystringError(
            [_("The search is too long to save (%(max)d characters at most).") % {"max": MAX_QUERYSTRING_LENGTH}]
        )
    filters = filters_for(user)
    data = QueryDict(raw)
    errors: list[str] = []
    if strict:
        known = {flt.param for flt in filters} | _DISPLAY_ONLY
        for name in data:
            if name not in known:
                errors.append(
                    _("“%(name)s” is not a search parameter (use %(known)s).")
                    % {"name": name[:40], "known": ", ".join(sorted(known - _DISPLAY_ONLY))}
                )
    params = catalogue.parse_params(data, extra_filters=filters[len(catalogue.FILTERS) :])
    errors += [str(note).removeprefix(_("Ignored") + " ") for note in params.notes]
    if not errors:
        errors = unsaveable(params, user=user)
    if errors:
        raise QuerystringError(errors)
    return canonical(params), params


def canonical(params: catalogue.SearchParams) -> str:
    """What a saved search keeps: the filters, sorted, without sort and page (as the engine does)."""
    return params.querystring(sort=None, page=None)


def unsaveable(params: catalogue.SearchParams, *, user: Any) -> list[str]:
    """Why these (valid) values cannot be saved; [] if they can. No query unless a filter is one
    the alerts cannot watch, which the engine itself then words."""
    if not params.values:
        return [_("Search for something or choose a filter first: this search would match every placement.")]
    if all(param in MATCHABLE for param in params.values):
        return []
    try:
        saved_search_parse(owner=user, querystring=params.querystring())
    except SavedSearchError as exc:
        return [exc.message]
    return []


def in_words(params: catalogue.SearchParams, filters: Iterable[catalogue.SearchFilter]) -> str:
    """“cardiology” · Texas · Open for applications now: the filters as the search page shows them."""
    parts = []
    for flt in filters:
        if flt.param not in params.values:
            continue
        value = params.values[flt.param]
        if flt.param == "q":
            parts.append(f"“{value}”")
        elif flt.param == "fee_max":
            parts.append(_("total cost up to $%(amount)s") % {"amount": f"{value:,.0f}"})
        elif flt.param == "start_month":
            parts.append(_("starting in %(month)s") % {"month": value.strftime("%B %Y")})
        elif flt.facet == "flag":
            parts.append(str(flt.label))
        elif isinstance(value, Specialty):
            parts.append(value.name)
        else:
            parts.append(str(flt.choices.get(value, value)))
    return " · ".join(parts) or _("Every placement")


def in_words_many(querystrings: Sequence[str], *, user: Any) -> list[str]:
    """`in_words` of each saved query string, with every specialty they name read in one query."""
    slugs = {value for qs in querystrings for name, value in parse_qsl(qs) if name == "specialty"}
    specialties = {s.slug: s for s in Specialty.objects.filter(slug__in=slugs)} if slugs else {}

    def by_slug(raw: str) -> Specialty:
        if raw not in specialties:
            raise catalogue.InvalidValue(_("“%(value)s” is not a specialty we know") % {"value": raw[:40]})
        return specialties[raw]

    filters = [dataclasses.replace(f, parse=by_slug) if f.param == "specialty" else f for f in filters_for(user)]
    return [in_words(_parsed(QueryDict(qs), filters), filters) for qs in querystrings]


def _parsed(data: QueryDict, filters: Sequence[catalogue.SearchFilter]) -> catalogue.SearchParams:
    # parse_params always reads the specialty with a query of its own: here `filters` bring theirs.
    params = catalogue.SearchParams()
    for flt in filters:
        raw = data.get(flt.param) or ""
        if raw:
            try:
                params.values[flt.param] = flt.parse(raw)
            except catalogue.InvalidValue:
                continue  # saved before the value stopped existing (a renamed specialty): not said
    return params
