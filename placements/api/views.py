"""Catalogue API: the same search (`placements.search`) and access helpers (`selectors`) as the pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from api.views_base import ApiView

from .. import search as catalogue
from ..models import Listing, Session
from ..selectors import listing_for_page, sessions_eligibility
from .serializers import ListingDetailSerializer, SearchPageSerializer, SessionSerializer


def _search_parameters() -> list[OpenApiParameter]:
    params = []
    for flt in [*catalogue.FILTERS, *catalogue.EXTRA_FILTERS]:
        params.append(
            OpenApiParameter(
                flt.param,
                OpenApiTypes.STR,
                description=f"{flt.label}. A malformed value is ignored and explained in `notes`.",
                enum=list(flt.choices) or None,
            )
        )
    params.append(OpenApiParameter("sort", OpenApiTypes.STR, enum=list(catalogue.SORTS), description="Sort order."))
    params.append(OpenApiParameter("page", OpenApiTypes.INT, description="Page number (20 per page)."))
    return params


def _page_link(absolute: Callable[[str], str], params: catalogue.SearchParams, number: int) -> str:
    return absolute("?" + params.querystring(page=number))


def _search_body(search: catalogue.CatalogueSearch, absolute: Callable[[str], str]) -> dict:
    """The search's answer as data; `absolute` makes the page links absolute URLs."""
    result, params = search.result(), search.params
    page = result.page
    return SearchPageSerializer(
        {
            "count": result.total,
            "page": page.number,
            "num_pages": page.paginator.num_pages,
            "next": _page_link(absolute, params, page.next_page_number()) if page.has_next() else None,
            "previous": _page_link(absolute, params, page.previous_page_number()) if page.has_previous() else None,
            "notes": [str(note) for note in params.notes],
            "facets": result.facets,
            "flags": result.flags,
            "results": list(page.object_list),
        }
    ).data


def _rendered_body(
    search: catalogue.CatalogueSearch,
    absolute: Callable[[str], str],
    renderer: Any,
    media_type: str,
    renderer_context: dict,
) -> bytes:
    return renderer.render(_search_body(search, absolute), media_type, renderer_context)


class ListingSearchApi(ApiView):
    """Search published listings with the search page's filters, facets and sorts."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="listings_search", parameters=_search_parameters(), responses=SearchPageSerializer)
    def get(self, request: Request) -> Response:
        search = catalogue.CatalogueSearch(request.query_params, request.user, catalogue.EXTRA_FILTERS)
        absolute = request.build_absolute_uri
        if not catalogue.render_cache.serves_from_cache(request.user):
            return Response(_search_body(search, absolute))
        # Cached as the JSON bytes sent, not as data: a hit neither unpickles the data nor encodes it
        # again. The page links are absolute: the scheme and host they are built on are part of the
        # key, and so is the negotiated media type (its parameters, such as `indent`, shape the bytes).
        renderer, media_type = request.accepted_renderer, request.accepted_media_type
        compute = partial(_rendered_body, search, absolute, renderer, media_type, self.get_renderer_context())
        content = search.output("api", compute, extra=f"{request.build_absolute_uri('/')}|{media_type}")
        return HttpResponse(content, content_type=renderer.media_type)


class ListingDetailApi(ApiView):
    """A listing with its requirements and active sessions; for an applicant, eligibility per session."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="listings_retrieve", responses=ListingDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        listing = listing_for_page(pk=pk, user=request.user)
        for session in listing.active_sessions:
            session.listing = listing
        context = {"eligibility": sessions_eligibility(user=request.user, sessions=listing.active_sessions)}
        return Response(ListingDetailSerializer(listing, context=context).data)


class SessionDetailApi(ApiView):
    """One session of a listing the caller may see, with the caller's eligibility (applicants)."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="sessions_retrieve", responses=SessionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        visible = Listing.objects.visible_to(request.user)
        session = get_object_or_404(
            Session.objects.active().with_seats_left().filter(listing__in=visible).select_related("listing"), pk=pk
        )
        context = {"eligibility": sessions_eligibility(user=request.user, sessions=[session])}
        return Response(SessionSerializer(session, context=context).data)
