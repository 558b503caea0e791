"""Ending sessions: one at a time from the sessions page, or all of them at once."""

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .services import user_session_end, user_sessions_end


@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        ended_key = user_session_end(user=request.user, session_id=session_id)
    except UserSession.DoesNotExist:
        raise Http404(_("No such session.")) from None
    if ended_key == request.session.session_key:
        get_adapter(request).logout(request)
        return redirect("account_login")
    messages.success(request, _("That session has been signed out."))
    return redirect("usersessions_list")


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    user_sessions_end(user=request.user)
    get_adapter(request).logout(request)
    messages.success(request, _("You have been signed out on every device."))
    return redirect("account_login")
