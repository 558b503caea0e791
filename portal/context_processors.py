from django.http import HttpRequest

from . import navigation as nav


def navigation(request: HttpRequest) -> dict:
    return {"nav_items": nav.items_for(request.user)}
