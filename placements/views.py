"""Placements pages: the public catalogue (search, listing), and coordinators' listing management."""

from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import coordinator_required
from applications.selectors import listing_review_summary

from . import search as catalogue
from . import search_render_cache
from .forms import AddCoordinatorForm, ListingForm, SessionForm
from .idempotency import PENDING, first_submission
from .models import Institution, Listing, Session
from .selectors import listing_for_page, listings_for_coordinator, other_listings_of_institution
from .services import (
    PlacementsError,
    listing_archive,
    listing_create,
    listing_duplicate,
    listing_reopen,
    listing_submit,
    listing_update,
    membership_add,
    session_archive,
    session_create,
    session_next_cohort,
    session_update,
)
from .timezones import viewer_timezone

# --- Public catalogue -----------------------------------------------------------------------------


def _is_htmx_fragment_request(request: HttpRequest) -> bool:
    # A history restore after a cache miss needs the whole page, not the fragment.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


@login_not_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The catalogue. The URL holds the whole state; htmx swaps only the results region."""
    extra_filters = catalogue.extra_filters_for(request.user)
    viewer_tz = viewer_timezone(request)
    # Parsed only when the results are rendered: a cached answer does not need it (parsing looks a
    # specialty's slug up in the database).
    parsed = cache(lambda: catalogue.parse_params(request.GET, extra_filters=extra_filters))

    def render_area() -> tuple[str, str]:
        params = parsed()
        result = catalogue.search_listings(
            params, user=request.user, extra_filters=extra_filters, annotators=catalogue.ANNOTATORS
        )
        context = {
            "result": result,
            "params": params,
            "sorts": catalogue.SORTS,
            "months": catalogue.month_choices(),
            "viewer_tz": viewer_tz,
        }
        # Without the request, on purpose: no nonce, CSRF token or user can end up in a cached region.
        # Beside it, the text searched for, which the page's title shows.
        return params.values.get("q", ""), render_to_string("placements/_search_area.html", context)

    if search_render_cache.serves_from_cache(request.user):
        digest = search_render_cache.query_digest(request.GET, [*catalogue.FILTERS, *extra_filters])
        searched, area = search_render_cache.cached_output("page", digest, render_area, extra=viewer_tz.key)
    else:
        searched, area = render_area()
    if _is_htmx_fragment_request(request):
        response = HttpResponse(area)
    else:
        context = {"params": SimpleLazyObject(parsed), "searched": searched, "search_area": mark_safe(area)}  # nosec B308 B703 (render_to_string output)
        response = render(request, "placements/search.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def _search_referrer(request: HttpRequest) -> str:
    """The search this visitor came from (with its filters), else the whole catalogue."""
    referrer = request.headers.get("Referer", "")
    search_path = reverse("placements:search")
    if referrer and url_has_allowed_host_and_scheme(referrer, allowed_hosts={request.get_host()}):
        parsed = urlsplit(referrer)
        if parsed.path == search_path:
            return f"{search_path}?{parsed.query}" if parsed.query else search_path
    return search_path


@login_not_required
@require_GET
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = listing_for_page(pk=pk, user=request.user)
    now = timezone.now()
    context = {
        "listing": listing,
        "back_to_results": _search_referrer(request),
        "sessions": listing.active_sessions,
        "upcoming": [s for s in listing.active_sessions if s.start_date >= now.date()],
        "others": other_listings_of_institution(listing=listing),
        "reviews": listing_review_summary(listing.pk),
        "viewer_tz": viewer_timezone(request),
        "now": now,
        "can_manage": request.user.is_authenticated
        and listing.institution_id in request.user.coordinator_institution_ids,
    }
    for extra in LISTING_CONTEXT:
        context.update(extra(listing, request.user))
    return render(request, "placements/listing.html", context)


# Other apps add to the listing page through here (in their AppConfig.ready), without this app
# importing them: e.g. trust's freshness and corrections. Each returns context entries.
LISTING_CONTEXT: list[Callable[[Listing, Any], dict[str, Any]]] = []


def register_listing_context(extra: Callable[[Listing, Any], dict[str, Any]]) -> None:
    if extra not in LISTING_CONTEXT:
        LISTING_CONTEXT.append(extra)


# --- Coordinators: listings -----------------------------------------------------------------------


def _own_listing(request: HttpRequest, pk: int) -> Listing:
    # Ownership in the query: another institution's listing is a 404, not a hint that it exists.
    return get_object_or_404(
        Listing.objects.of_institutions_coordinated_by(request.user).select_related("institution"), pk=pk
    )


def _own_session(request: HttpRequest, pk: int) -> Session:
    return get_object_or_404(
        Session.objects.filter(listing__institution_id__in=request.user.coordinator_institution_ids).select_related(
            "listing__institution"
        ),
        pk=pk,
    )


def _to_earlier_listing(existing: int) -> HttpResponse:
    if existing == PENDING:
        return redirect("placements:manage_listings")
    return redirect("placements:listing_edit", pk=existing)


@coordinator_required
@require_GET
def manage_listings(request: HttpRequest) -> HttpResponse:
    return render(request, "placements/manage_listings.html", {"listings": listings_for_coordinator(user=request.user)})


@coordinator_required
def listing_new(request: HttpRequest) -> HttpResponse:
    form = ListingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        existing = first_submission(request, "listing-new")
        if existing is not None:
            return _to_earlier_listing(existing)
        try:
            listing = listing_create(
                institution=form.cleaned_data["institution"],
                created_by=request.user,
                fields=form.content(),
                accepted_visas=form.cleaned_data["accepted_visas"],
                document_kinds=form.cleaned_data["document_kinds"],
                immunisations=form.cleaned_data["immunisations"],
            )
        except (PlacementsError, ValidationError) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            first_submission(request, "listing-new", result=listing.pk)
            messages.success(request, "Draft saved. Add its sessions, then publish it.")
            return redirect("placements:listing_edit", pk=listing.pk)
    return render(
        request, "placements/listing_form.html", {"form": form, "listing": None}, status=400 if form.is_bound else 200
    )


@coordinator_required
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _own_listing(request, pk)
    form = ListingForm(request.POST or None, instance=listing, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            listing_update(
                listing=listing,
                actor=request.user,
                fields=form.content(),
                accepted_visas=form.cleaned_data["accepted_visas"],
                document_kinds=form.cleaned_data["document_kinds"],
                immunisations=form.cleaned_data["immunisations"],
            )
        except (PlacementsError, ValidationError) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            if listing.status == Listing.Status.PENDING_REVIEW:
                messages.success(
                    request,
                    "Listing saved. Your institution is not verified yet, so the listing is out of "
                    "search until an administrator reviews the changes.",
                )
            else:
                messages.success(request, "Listing saved.")
            return redirect("placements:listing_edit", pk=listing.pk)
    sessions = listing.sessions.order_by("is_archived", "start_date")
    return render(
        request,
        "placements/listing_form.html",
        {"form": form, "listing": listing, "sessions": sessions, "events": listing.events.select_related("actor")},
        status=400 if form.is_bound else 200,
    )


def _transition_view(service: Any, success: str):
    @coordinator_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        listing = _own_listing(request, pk)
        try:
            service(listing=listing, actor=request.user)
        except PlacementsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success.format(title=listing.title, status=listing.get_status_display()))
        return redirect("placements:listing_edit", pk=listing.pk)

    return view


listing_submit_view = _transition_view(listing_submit, "“{title}” is now {status}.")
listing_archive_view = _transition_view(listing_archive, "“{title}” is archived: it no longer shows in search.")
listing_reopen_view = _transition_view(listing_reopen, "“{title}” is a draft again.")


@coordinator_required
@require_POST
def listing_duplicate_view(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _own_listing(request, pk)
    existing = first_submission(request, f"listing-duplicate-{listing.pk}")
    if existing is not None:
        return _to_earlier_listing(existing)
    copy = listing_duplicate(listing=listing, actor=request.user)
    first_submission(request, f"listing-duplicate-{listing.pk}", result=copy.pk)
    messages.success(request, "Copy saved as a draft. Change what differs, add sessions, then publish it.")
    return redirect("placements:listing_edit", pk=copy.pk)


# --- Coordinators: sessions -----------------------------------------------------------------------


def _session_form_page(
    request: HttpRequest, form: SessionForm, listing: Listing, session: Session | None
) -> HttpResponse:
    return render(
        request,
        "placements/session_form.html",
        {"form": form, "listing": listing, "session": session},
        status=400 if form.is_bound else 200,
    )


@coordinator_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _own_listing(request, pk)
    # Coordinators type times in their institution's zone; the page names it.
    with timezone.override(listing.institution.time_zone):
        initial = {}
        copy_of = request.GET.get("copy")
        if copy_of and copy_of.isdecimal():
            source = Session.objects.filter(pk=int(copy_of), listing=listing).first()
            if source:
                initial = session_next_cohort(session=source)
        form = SessionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            existing = first_submission(request, f"session-new-{listing.pk}")
            if existing is not None:
                return redirect("placements:listing_edit", pk=listing.pk)
            try:
                session = session_create(listing=listing, actor=request.user, fields=form.cleaned_data)
            except (PlacementsError, ValidationError) as exc:
                form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
            else:
                first_submission(request, f"session-new-{listing.pk}", result=session.pk)
                messages.success(request, "Session added.")
                return redirect("placements:listing_edit", pk=listing.pk)
        return _session_form_page(request, form, listing, None)


@coordinator_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _own_session(request, pk)
    listing = session.listing
    with timezone.override(listing.institution.time_zone):
        form = SessionForm(request.POST or None, instance=session)
        if request.method == "POST" and form.is_valid():
            try:
                session_update(session=session, actor=request.user, fields=form.cleaned_data)
            except (PlacementsError, ValidationError) as exc:
                form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, "Session saved.")
                return redirect("placements:listing_edit", pk=listing.pk)
        return _session_form_page(request, form, listing, session)


@coordinator_required
@require_POST
def session_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _own_session(request, pk)
    session_archive(session=session, actor=request.user)
    messages.success(request, "Session archived: applicants no longer see it.")
    return redirect("placements:listing_edit", pk=session.listing_id)


# --- Coordinators: team ---------------------------------------------------------------------------


@coordinator_required
def team(request: HttpRequest) -> HttpResponse:
    """The coordinators of each institution the user coordinates, and a form to add a colleague."""
    institutions = (
        Institution.objects.coordinated_by(request.user).prefetch_related("memberships__user").order_by("name")
    )
    return render(request, "placements/team.html", {"institutions": institutions, "blank_form": AddCoordinatorForm()})


@coordinator_required
def team_add(request: HttpRequest, institution_id: int) -> HttpResponse:
    # Ownership in the query: another institution's id is a 404, not a hint that it exists.
    institution = get_object_or_404(Institution.objects.coordinated_by(request.user), pk=institution_id)
    form = AddCoordinatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_add(
                institution=institution, email=form.cleaned_data["email"], added_by=request.user
            )
        except PlacementsError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"{membership.user.email} is now a coordinator of {institution.name}.")
            return redirect("placements:team")
    institutions = Institution.objects.coordinated_by(request.user).prefetch_related("memberships__user")
    return render(
        request,
        "placements/team.html",
        {
            "institutions": institutions,
            "form": form,
            "form_institution_id": institution.id,
            "blank_form": AddCoordinatorForm(),
        },
        status=400 if request.method == "POST" else 200,
    )
