"""Placements pages: the public catalogue (search, listing), and coordinators' listing management."""

from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
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

from accounts.roles import admin_required, coordinator_required
from portal.http import is_htmx
from portal.middleware import strips_nul_from_query

from . import search as catalogue
from .forms import AddCoordinatorForm, ListingForm, SessionForm
from .idempotency import PENDING, first_submission
from .models import Institution, Listing, Session
from .selectors import (
    listing_for_page,
    listing_page_parts,
    listing_status_counts,
    listings_for_coordinator,
    listings_for_moderation,
    other_listings_of_institution,
    search_page_parts,
)
from .services import (
    PlacementsError,
    listing_archive,
    listing_create,
    listing_duplicate,
    listing_publish,
    listing_reopen,
    listing_submit,
    listing_unpublish,
    listing_update,
    membership_add,
    session_archive,
    session_create,
    session_next_cohort,
    session_update,
)
from .viewer_timezone import viewer_timezone

# --- Public catalogue -----------------------------------------------------------------------------


def results_area(search: catalogue.CatalogueSearch, viewer_tz: Any) -> tuple[str, str]:
    """The search page's results region, and the text searched for (the page's title shows it).
    Rendered without the request, on purpose: no nonce, CSRF token or user can end up in a cached region."""
    context = {
        "result": search.result(),
        "params": search.params,
        "sorts": catalogue.SORTS,
        "months": catalogue.month_choices(),
        "viewer_tz": viewer_tz,
    }
    return search.params.values.get("q", ""), render_to_string("placements/_search_area.html", context)


@login_not_required
@require_GET
@strips_nul_from_query
def search(request: HttpRequest) -> HttpResponse:
    """The catalogue. The URL holds the whole state; htmx swaps only the results region."""
    found = catalogue.CatalogueSearch(request.GET, request.user, catalogue.extra_filters_for(request.user))
    viewer_tz = viewer_timezone(request)
    searched, area = found.output("page", partial(results_area, found, viewer_tz), extra=viewer_tz.key)
    if is_htmx(request):
        # The viewer's own parts follow the shared region, each swapping itself out of band.
        response = HttpResponse(area + search_page_parts(request=request, params=found.parse, oob=True))
    else:
        context = {
            "params": SimpleLazyObject(found.parse),
            "searched": searched,
            "search_area": mark_safe(area),  # nosec B308 B703 (render_to_string output)
            "viewer_parts": mark_safe(search_page_parts(request=request, params=found.parse)),  # nosec B308 B703
        }
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
        "viewer_tz": viewer_timezone(request),
        "now": now,
        "can_manage": request.user.is_authenticated
        and listing.institution_id in request.user.coordinator_institution_ids,
        **listing_page_parts(user=request.user, listing=listing),
    }
    return render(request, "placements/listing.html", context)


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
    try:
        session_archive(session=session, actor=request.user)
    except PlacementsError as exc:
        messages.error(request, str(exc))
        return redirect("placements:listing_edit", pk=session.listing_id)
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


MODERATION_PAGE = 50


@admin_required
def moderation(request: HttpRequest) -> HttpResponse:
    """Admins: every institution's listings by status, to publish or unpublish through the rules."""
    status = request.GET.get("status", Listing.Status.PENDING_REVIEW)
    if status not in Listing.Status.values:
        status = Listing.Status.PENDING_REVIEW
    page = Paginator(listings_for_moderation(status=status), MODERATION_PAGE).get_page(request.GET.get("page"))
    counts = listing_status_counts()
    tabs = [{"status": value, "label": label, "count": counts[value]} for value, label in Listing.Status.choices]
    return render(request, "placements/moderation.html", {"page": page, "status": status, "tabs": tabs})


@admin_required
@require_POST
def moderation_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    listing = get_object_or_404(Listing, pk=pk)
    service, done = {
        "publish": (listing_publish, "published"),
        "unpublish": (listing_unpublish, "sent back to review"),
    }[action]
    try:
        service(listing=listing, actor=request.user)
    except PlacementsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{listing.title}” {done}.")
    back = request.POST.get("status", "")
    return redirect(f"{reverse('placements:moderation')}?status={back if back in Listing.Status.values else ''}")
