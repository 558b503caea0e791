"""Saved searches over the API: the pages' checks (querystrings), the engine's services."""

from __future__ import annotations

from collections.abc import Sequence

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsApplicant
from api.views_base import ApiView, ListApiView

from ..models import SavedSearch
from ..querystrings import in_words_many
from ..services import saved_search_create, saved_search_delete, saved_search_update
from .serializers import SavedSearchCreateSerializer, SavedSearchSerializer, SavedSearchUpdateSerializer

APPLICANT = [IsAuthenticated, IsApplicant]


def _own(request: Request, pk: int) -> SavedSearch:
    return get_object_or_404(SavedSearch.objects.filter(owner=request.user), pk=pk)


def _descriptions(request: Request, searches: Sequence[SavedSearch]) -> dict[int, str]:
    words = in_words_many([s.querystring for s in searches], user=request.user)
    return {search.pk: described for search, described in zip(searches, words, strict=True)}


def _one(request: Request, search: SavedSearch) -> dict:
    context = {"request": request, "descriptions": _descriptions(request, [search])}
    return SavedSearchSerializer(search, context=context).data


class SavedSearchListApi(ListApiView):
    permission_classes = APPLICANT

    @extend_schema(operation_id="saved_searches_list", responses=SavedSearchSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The caller's saved searches, by name."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            SavedSearch.objects.filter(owner=request.user).order_by("name", "pk"), request, view=self
        )
        context = {"request": request, "descriptions": _descriptions(request, page)}
        return paginator.get_paginated_response(SavedSearchSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="saved_searches_create",
        request=SavedSearchCreateSerializer,
        responses={201: SavedSearchSerializer},
        examples=[
            OpenApiExample(
                "Cardiology in Texas, at once",
                value={
                    "name": "Cardiology in Texas",
                    "querystring": "specialty=cardiovascular-disease&state=TX",
                    "frequency": "immediate",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        """Save a search; new placements matching it are announced at its frequency."""
        body = SavedSearchCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        search = saved_search_create(owner=request.user, **body.validated_data)
        return Response(_one(request, search), status=201)


class SavedSearchDetailApi(ApiView):
    permission_classes = APPLICANT

    @extend_schema(operation_id="saved_searches_retrieve", responses=SavedSearchSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_one(request, _own(request, pk)))

    @extend_schema(
        operation_id="saved_searches_update", request=SavedSearchUpdateSerializer, responses=SavedSearchSerializer
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Rename it, change its frequency, or pause (`paused: true`) and resume it."""
        search = _own(request, pk)
        body = SavedSearchUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data:
            search = saved_search_update(saved_search=search, **body.validated_data)
        return Response(_one(request, search))

    @extend_schema(
        operation_id="saved_searches_delete", request=None, responses={204: OpenApiResponse(description="Deleted.")}
    )
    def delete(self, request: Request, pk: int) -> Response:
        saved_search_delete(saved_search=_own(request, pk))
        return Response(status=204)
