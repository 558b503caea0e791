"""Applicants' saved searches: "Save this search" on the search page, and "My saved searches"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Role, applicant_required, user_has_role
from placements.idempotency import PENDING, first_submission
from placements.search import SearchParams
from portal.http import is_htmx

from .forms import NAME_MAX_LENGTH, SavedSearchCreateForm, SavedSearchEditForm
from .models import SavedSearch
from .querystrings import canonical, filters_for, in_words, in_words_many, unsaveable
from .services import SavedSearchError, saved_search_create, saved_search_delete, saved_search_update

SAVE_PART = "alerts/_save_search.html"
CREATE_SCOPE = "saved-search-new"
REFUSED = -1  # recorded for a submission token whose save was refused


def _search_url(querystring: str) -> str:
    return f"{reverse('placements:search')}?{querystring}" if querystring else reverse("placements:search")


def _own(request: HttpRequest, pk: int) -> SavedSearch:
    # Ownership in the query: another applicant's saved search is a 404, like one that never was.
    return get_object_or_404(SavedSearch.objects.filter(owner=request.user), pk=pk)


# --- The search page's part (placements.selectors.register_search_page_part) ------------------------


def save_search_part(request: HttpRequest, params: Callable[[], SearchParams], oob: bool) -> str:
    """The "Save this search" control for an applicant, prefilled from the search on screen."""
    if not user_has_role(request.user, Role.APPLICANT):
        return ""
    parsed = params()  # already parsed for the page: the values the page's note did not drop
    problems = unsaveable(parsed, user=request.user)
    form = None
    if not problems:
        name = in_words(parsed, filters_for(request.user))[:NAME_MAX_LENGTH]
        form = SavedSearchCreateForm(initial={"name": name, "querystring": canonical(parsed)}, user=request.user)
    return render_to_string(
        SAVE_PART, {"form": form, "oob": oob, "problems": problems if parsed.values else []}, request=request
    )


def _render_part(
    request: HttpRequest, *, form: SavedSearchCreateForm | None, oob: bool = False, saved: Any = None
) -> str:
    return render_to_string(SAVE_PART, {"form": form, "oob": oob, "saved": saved}, request=request)


@applicant_required
@require_POST
def saved_search_new(request: HttpRequest) -> HttpResponse:
    """Save the search on screen. A double click saves one: the second click finds the first's."""
    form = SavedSearchCreateForm(request.POST, user=request.user, auto_id="save_%s")
    saved: SavedSearch | None = None
    if form.is_valid():
        existing = first_submission(request, CREATE_SCOPE)
        # A repeat of a refused save is tried again: it gets the same refusal, in words.
        if existing is None or existing == REFUSED:
            try:
                saved = saved_search_create(
                    owner=request.user,
                    name=form.cleaned_data["name"],
                    querystring=form.cleaned_data["querystring"],
                    frequency=form.cleaned_data["frequency"],
                )
            except SavedSearchError as exc:
                # The name is taken or the cap reached: said on the form, with what was typed.
                first_submission(request, CREATE_SCOPE, result=REFUSED)
                form.add_error("name" if "name" in exc.message else None, exc.message)
            else:
                first_submission(request, CREATE_SCOPE, result=saved.pk)
        elif existing != PENDING:
            saved = SavedSearch.objects.filter(owner=request.user, pk=existing).first()
    if form.is_valid():
        if is_htmx(request):
            return HttpResponse(_render_part(request, form=None, saved=saved or True))
        messages.success(
            request,
            _("Saved “%(name)s”. We will tell you about new placements that match it.")
            % {"name": form.cleaned_data["name"]},
        )
        return redirect(_search_url(form.cleaned_data["querystring"]))
    if is_htmx(request):
        # 200: htmx swaps only successful answers in; the form comes back with what was typed.
        return HttpResponse(_render_part(request, form=form))
    return render(
        request,
        "alerts/save_search.html",
        {"form": form, "back": _search_url(request.POST.get("querystring", "").lstrip("?"))},
        status=400,
    )


# --- My saved searches -----------------------------------------------------------------------------


def _rows(request: HttpRequest, bound: SavedSearchEditForm | None = None, bound_pk: int | None = None) -> list[dict]:
    searches = list(SavedSearch.objects.filter(owner=request.user).order_by("name", "pk"))
    words = in_words_many([s.querystring for s in searches], user=request.user)
    rows = []
    for search, described in zip(searches, words, strict=True):
        form = (
            bound
            if search.pk == bound_pk
            else SavedSearchEditForm(
                initial={"name": search.name, "frequency": search.frequency}, auto_id=f"s{search.pk}_%s"
            )
        )
        rows.append({"search": search, "words": described, "url": _search_url(search.querystring), "form": form})
    return rows


@applicant_required
@require_GET
def saved_searches(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/saved_searches.html", {"rows": _rows(request)})


@applicant_required
@require_POST
def saved_search_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a saved search or change how often it tells its owner."""
    search = _own(request, pk)
    form = SavedSearchEditForm(request.POST, auto_id=f"s{search.pk}_%s")
    if form.is_valid():
        try:
            saved_search_update(
                saved_search=search, name=form.cleaned_data["name"], frequency=form.cleaned_data["frequency"]
            )
        except SavedSearchError as exc:
            form.add_error("name", exc.message)
    if not form.is_valid():
        return render(request, "alerts/saved_searches.html", {"rows": _rows(request, form, search.pk)}, status=400)
    messages.success(request, _("Saved the changes to “%(name)s”.") % {"name": form.cleaned_data["name"]})
    return redirect("alerts:list")


@applicant_required
@require_POST
def saved_search_pause(request: HttpRequest, pk: int) -> HttpResponse:
    """Pause (paused=1) or resume (paused=0) a saved search."""
    search = _own(request, pk)
    paused = request.POST.get("paused") == "1"
    saved_search_update(saved_search=search, paused=paused)
    message = _("Paused “%(name)s”: it tells you nothing until you resume it.") if paused else _("Resumed “%(name)s”.")
    messages.success(request, message % {"name": search.name})
    return redirect("alerts:list")


@applicant_required
def saved_search_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask to confirm; POST: delete."""
    search = _own(request, pk)
    if request.method == "POST":
        saved_search_delete(saved_search=search)
        messages.success(request, _("Deleted “%(name)s”.") % {"name": search.name})
        return redirect("alerts:list")
    words = in_words_many([search.querystring], user=request.user)[0]
    return render(request, "alerts/saved_search_delete.html", {"search": search, "words": words})
