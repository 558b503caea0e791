"""The notification centre over the API: the centre page's queryset and services."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.views_base import ApiView, ListApiView

from .. import services
from ..models import Notification
from .serializers import NotificationSerializer, ReadAllSerializer


class NotificationListApi(ListApiView):
    """The caller's notifications, newest first; `unread=1` for unread ones only."""

    @extend_schema(
        operation_id="notifications_list",
        responses=NotificationSerializer(many=True),
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread ones.")],
    )
    def get(self, request: Request) -> Response:
        notifications = Notification.objects.for_user(request.user)
        if request.query_params.get("unread", "").lower() in {"1", "true"}:
            notifications = notifications.unread()
        return self.paginated(request, notifications, NotificationSerializer)


class NotificationReadApi(ApiView):
    @extend_schema(operation_id="notifications_read", request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Mark one of the caller's notifications read (again is fine)."""
        try:
            notification = services.notification_mark_read(user=request.user, notification_id=pk)
        except Notification.DoesNotExist:
            from rest_framework.exceptions import NotFound

            raise NotFound() from None
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(ApiView):
    @extend_schema(operation_id="notifications_read_all", request=None, responses=ReadAllSerializer)
    def post(self, request: Request) -> Response:
        """Mark all the caller's notifications read."""
        return Response({"marked": services.notification_mark_all_read(user=request.user)})
