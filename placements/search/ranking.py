"""Ranking: which listings a text matches, how well (`rank`), and the order of the results."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from .values import SearchContext, SearchParams


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
    if sort == "relevance" and "q" in params.values:
        return qs.order_by(F("rank").desc(), F("published_at").desc(nulls_last=True), "-id")
    # The date sorts read the values stored on the listing (placements.listing_dates) and their
    # partial indexes: computed from the sessions they would sort every matching listing.
    if sort == "deadline":
        return qs.order_by(F("stored_next_deadline").asc(nulls_last=True), "-id")
    if sort == "fee":
        return qs.order_by("total_cost_usd", "-id")
    if sort == "start":
        return qs.order_by(F("stored_next_start").asc(nulls_last=True), "-id")
    return qs.order_by(F("published_at").desc(nulls_last=True), "-id")
