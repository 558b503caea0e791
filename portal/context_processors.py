from django.http import HttpRequest

from . import navigation as nav


def navigation(request: HttpRequest) -> dict:
    if getattr(request, "mfa_setup_pending", False):
        # Staff setting up two-factor authentication can reach only the account pages until done.
        return {"nav_items": [], "mfa_setup_pending": True}
    return {"nav_items": nav.items_for(request.user)}
