"""Ranking: which listings a text matches, how well (`rank`), and the order of the results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy

from .values import SORTS, SearchContext, SearchParams

# Other apps register here (in their AppConfig.ready): sorts they offer, and order terms put before
# the text rank (e.g. trust's "possibly out of date" last: the text search ranks every match anyway,
# so a leading term costs no index).
EXTRA_SORTS: dict[str, Callable[[QuerySet], QuerySet]] = {}
RELEVANCE_DEMOTIONS: list[Callable[[], Any]] = []


def register_sort(key: str, label: Any, order: Callable[[QuerySet], QuerySet]) -> None:
    """A sort another app offers (e.g. trust's "answers fastest"): its label in SORTS, its order here."""
    SORTS.setdefault(key, label)
    EXTRA_SORTS[key] = order


def register_relevance_demotion(demotion: Callable[[], Any]) -> None:
    if demotion not in RELEVANCE_DEMOTIONS:
        RELEVANCE_DEMOTIONS.append(demotion)


def apply_text(qs: QuerySet, q: str, ctx: SearchContext) -> QuerySet:
    """The listings matching the text `q`, annotated with `rank` (higher: better)."""
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


def order(qs: QuerySet, params: SearchParams) -> QuerySet:
    """The results in the order asked; ties broken by the newest id, so pages never overlap."""
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


def order_keys(qs: QuerySet, params: SearchParams) -> dict[str, tuple[Any, bool, str]]:
    """The keys `order` sorts by, each as (expression, descending, "NULLS FIRST"/"NULLS LAST"/""), by
    alias (o_0, o_1...): to select them beside the rows and sort those rows again as `order` would."""
    keys: dict[str, tuple[Any, bool, str]] = {}
    for i, term in enumerate(order(qs, params).query.order_by):
        if isinstance(term, str):
            expression, descending, nulls = F(term.removeprefix("-")), term.startswith("-"), ""
        elif isinstance(term, OrderBy):
            expression, descending = term.expression, term.descending
            nulls = "NULLS FIRST" if term.nulls_first else "NULLS LAST" if term.nulls_last else ""
        else:  # an expression without a direction: ascending
            expression, descending, nulls = term, False, ""
        keys[f"o_{i}"] = (expression, descending, nulls)
    return keys
