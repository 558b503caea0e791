"""The base class for every API view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from rest_framework.views import APIView

from .pagination import Pagination


class ApiView(APIView):
    """DRF authenticates inside the view (token or session) and answers 401/403 itself, so Django's
    LoginRequiredMiddleware, which sees only the session, must let API requests through."""

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


class ListApiView(ApiView):
    """A list endpoint: every list in the API is paginated the same way (`count`, `next`, `previous`, `results`)."""

    # Read by drf-spectacular too: `responses=XSerializer(many=True)` is documented as this page shape.
    pagination_class = Pagination

    def paginated(self, request, items, serializer_class, **context):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(items, request, view=self)
        data = serializer_class(page, many=True, context={"request": request, **context}).data
        return paginator.get_paginated_response(data)
