"""Two-factor authentication is required for coordinators and admins.

allauth offers MFA to everyone but has no setting that makes it mandatory, so the project enforces
it here: a coordinator or admin without a TOTP authenticator can reach only the account pages
(to set one up, or log out) until they have one. Because allauth's login asks for the code of
every user who has an authenticator, and the Django admin's own login form is replaced by allauth's
(portal/urls.py), no way in skips the second factor.
"""

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from portal.http import PROBLEM_CONTENT_TYPE, is_htmx, problem_body

from .roles import user_has_role

# URL names a user who still has to set up MFA may reach: allauth's account, MFA and session pages.
ALLOWED_PREFIXES = ("account_", "mfa_", "usersessions_")
ALLOWED_NAMES = {"healthz", "readyz", "metrics", "accounts:session_end", "accounts:logout_everywhere"}


def mfa_required_for(user) -> bool:
    return any(user_has_role(user, role) for role in settings.PORTAL_MFA_REQUIRED_ROLES)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _is_allowed(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # a 404 shows nothing
    return match.view_name in ALLOWED_NAMES or match.view_name.startswith(ALLOWED_PREFIXES)


class RequireMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # Read by the header (portal.context_processors): while it is true the menu offers only
        # the account pages and the notification bell stays out, so nothing on the set-up page
        # leads to, or asks for, what the user cannot reach yet.
        pending = bool(user.is_authenticated and mfa_required_for(user) and not has_totp(user))
        request.mfa_setup_pending = pending  # type: ignore[attr-defined]
        if pending and not _is_allowed(request.path_info):
            target = reverse("mfa_activate_totp")
            if not request.accepts("text/html"):
                # An API client cannot follow a redirect to a form: say what is wrong, in the API's
                # one error shape (RFC 9457 problem details).
                detail = _("Two-factor authentication is required for your role. Set it up at %(url)s.")
                body = problem_body(status=403, detail=detail % {"url": target}, code="mfa_required")
                return JsonResponse(body, status=403, content_type=PROBLEM_CONTENT_TYPE)
            if is_htmx(request):
                # Background fragments (the notification bell loads on every page, the MFA pages
                # included) must not navigate the browser: a redirect here would pull the user off
                # the very form that sets MFA up. Full page loads are redirected below.
                return HttpResponse(status=403)
            messages.warning(
                request,
                _("Your role gives access to applicants' documents: set up two-factor authentication to continue."),
            )
            return redirect(target)
        return self.get_response(request)
