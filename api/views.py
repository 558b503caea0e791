"""The API tokens settings page: create (the secret is shown once), list and revoke."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import TokenCreateForm
from .models import ApiToken
from .services import api_token_create, api_token_revoke


def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    created_secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, created_secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenCreateForm()
        else:
            status = 400
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created_secret": created_secret,
            "tokens": ApiToken.objects.of_user(request.user).active(),
        },
        status=status,
    )
    # The page may hold a secret shown once: never cache it anywhere.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if api_token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("Token revoked. Clients using it can no longer sign in."))
    else:
        messages.error(request, _("That token does not exist or was already revoked."))
    return redirect("api:tokens")
