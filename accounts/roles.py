"""Role checks shared by HTML views, the API and admin actions.

A signed-in user of the wrong role gets 403 (PermissionDenied), never a 500 or a silent redirect;
anonymous users never reach these checks because LoginRequiredMiddleware sends them to log in.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class Role:
    APPLICANT = "applicant"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


def user_has_role(user: Any, role: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return {
        Role.APPLICANT: user.is_applicant,
        Role.COORDINATOR: user.is_coordinator,
        Role.ADMIN: user.is_admin,
    }[role]


def require_role(user: Any, role: str) -> None:
    if not user_has_role(user, role):
        raise PermissionDenied(f"This page is for {role}s.")


def role_required(role: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any):
            require_role(request.user, role)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


applicant_required = role_required(Role.APPLICANT)
coordinator_required = role_required(Role.COORDINATOR)
admin_required = role_required(Role.ADMIN)
