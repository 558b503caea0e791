from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Notification


def bell(request: HttpRequest) -> dict:
    """The unread count for the header bell: lazy, so pages that never render it pay no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: Notification.objects.for_user(user).unread().count())}
