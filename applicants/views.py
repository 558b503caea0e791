"""Applicants' own pages: profile, documents, matches, saved listings, compare and their data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import applicant_required
from audit import selectors as audit_selectors
from placements.models import Listing
from portal.http import is_htmx

from . import personal_data, selectors
from .completeness import completeness
from .eligibility import evaluate_listings
from .forms import SECTIONS, DeleteAccountForm, DocumentDetailsForm, DocumentUploadForm, ImmunisationsForm
from .models import Document, DocumentVersion, SavedListing
from .ranking import matches_for
from .services import (
    account_delete,
    document_delete,
    document_details_update,
    document_replace,
    document_upload,
    profile_get_or_create,
    profile_update,
    saved_listing_add,
    saved_listing_remove,
)
from .uploads import UploadRefused, attachment_response


def _posted(request: HttpRequest):
    # Not `request.POST or None`: a form whose only input is a file posts an empty QueryDict.
    return request.POST if request.method == "POST" else None


@applicant_required
def profile(request: HttpRequest) -> HttpResponse:
    applicant = profile_get_or_create(user=request.user)
    kinds = selectors.current_document_kinds(request.user)
    return render(
        request,
        "applicants/profile.html",
        {
            "profile": applicant,
            "meter": completeness(applicant, kinds),
            "sections": selectors.profile_summary(applicant),
        },
    )


@applicant_required
def profile_section(request: HttpRequest, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    label, form_class = SECTIONS[section]
    applicant = profile_get_or_create(user=request.user)
    form = form_class(_posted(request), instance=applicant)
    if request.method == "POST" and form.is_valid():
        profile_update(profile=applicant, changes=form.cleaned_data)
        meter = completeness(applicant, selectors.current_document_kinds(request.user))
        message = _("%(section)s saved.") % {"section": label}
        if meter.next_step:
            message += " " + _("Next: %(step)s.") % {"step": meter.next_step.label}
        messages.success(request, message)
        return redirect("applicants:profile")
    return render(
        request,
        "applicants/profile_section.html",
        {"form": form, "section": section, "label": label},
        status=400 if request.method == "POST" else 200,
    )


@applicant_required
def documents(request: HttpRequest) -> HttpResponse:
    return render(request, "applicants/documents.html", {"documents": selectors.documents_with_versions(request.user)})


def _document_form_page(request: HttpRequest, form, immunisations, document) -> HttpResponse:
    return render(
        request,
        "applicants/document_form.html",
        {"form": form, "immunisations": immunisations, "document": document},
        status=400 if request.method == "POST" else 200,
    )


@applicant_required
def document_upload_view(request: HttpRequest) -> HttpResponse:
    data = _posted(request)
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    form = DocumentUploadForm(data, request.FILES or None, initial={"kind": kind})
    immunisations = ImmunisationsForm(data, kind=kind)
    if request.method == "POST" and form.is_valid() & immunisations.is_valid():
        try:
            version = document_upload(
                owner=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                issued_on=form.cleaned_data["issued_on"],
                expires_on=form.cleaned_data["expires_on"],
                immunisations=immunisations.dates(),
            )
        except UploadRefused as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("%(doc)s uploaded.") % {"doc": version.document.get_kind_display()})
            return redirect("applicants:documents")
    return _document_form_page(request, form, immunisations, None)


@applicant_required
def document_replace_view(request: HttpRequest, document_id: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.owned_by(request.user), pk=document_id)
    data = _posted(request)
    current = document.current_version
    initial = {}
    if current is not None:
        initial = {"issued_on": current.issued_on, "expires_on": current.expires_on}
    form = DocumentDetailsForm(data, request.FILES or None, initial=initial)
    immunisations = ImmunisationsForm(
        data,
        kind=document.kind,
        initial={e.immunisation: e.date for e in current.immunisations.all()} if current else {},
    )
    if request.method == "POST" and form.is_valid() & immunisations.is_valid() and not form.cleaned_data["file"]:
        try:
            document_details_update(
                document=document,
                issued_on=form.cleaned_data["issued_on"],
                expires_on=form.cleaned_data["expires_on"],
                immunisations=immunisations.dates(),
            )
        except UploadRefused as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("%(doc)s details saved.") % {"doc": document.get_kind_display()})
            return redirect("applicants:documents")
    elif request.method == "POST" and form.is_valid() & immunisations.is_valid():
        try:
            document_replace(
                document=document,
                upload=form.cleaned_data["file"],
                issued_on=form.cleaned_data["issued_on"],
                expires_on=form.cleaned_data["expires_on"],
                immunisations=immunisations.dates(),
            )
        except UploadRefused as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                _("%(doc)s replaced; the earlier version is kept below.") % {"doc": document.get_kind_display()},
            )
            return redirect("applicants:documents")
    return _document_form_page(request, form, immunisations, document)


@applicant_required
@require_POST
def document_delete_view(request: HttpRequest, document_id: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.owned_by(request.user), pk=document_id)
    document_delete(document=document)
    messages.success(request, _("%(doc)s deleted with all its versions.") % {"doc": document.get_kind_display()})
    return redirect("applicants:documents")


def document_download(request: HttpRequest, version_id: int) -> HttpResponse:
    """The only way a stored file leaves the portal: to someone allowed to see it, as an attachment."""
    version = get_object_or_404(DocumentVersion.objects.visible_to(request.user), pk=version_id)
    return attachment_response(version.file, filename=version.original_name, content_type=version.content_type)


@applicant_required
def matches(request: HttpRequest) -> HttpResponse:
    applicant = profile_get_or_create(user=request.user)
    found = matches_for(applicant)
    saved_ids = set(SavedListing.objects.filter(user=request.user).values_list("listing_id", flat=True))
    return render(
        request,
        "applicants/matches.html",
        {
            "found": found,
            "saved_ids": saved_ids,
            "meter": completeness(applicant, selectors.current_document_kinds(request.user)),
        },
    )


def _published_listing(listing_id: int) -> Listing:
    return get_object_or_404(Listing.objects.published(), pk=listing_id)


@applicant_required
@require_POST
def saved_add(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = _published_listing(listing_id)
    saved_listing_add(user=request.user, listing=listing)
    return _saved_response(request, listing, saved=True)


@applicant_required
@require_POST
def saved_remove(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = get_object_or_404(Listing, pk=listing_id)
    saved_listing_remove(user=request.user, listing=listing)
    return _saved_response(request, listing, saved=False)


def _saved_response(request: HttpRequest, listing: Listing, *, saved: bool) -> HttpResponse:
    if is_htmx(request):
        return render(request, "applicants/_save_button.html", {"listing": listing, "is_saved": saved})
    messages.success(
        request,
        (_("Saved %(title)s.") if saved else _("Removed %(title)s from your saved listings."))
        % {"title": listing.title},
    )
    return redirect(url_has_allowed_host_and_scheme_or(request, request.POST.get("next"), "applicants:saved"))


def url_has_allowed_host_and_scheme_or(request: HttpRequest, target: str | None, fallback: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


@applicant_required
def saved(request: HttpRequest) -> HttpResponse:
    listings = selectors.saved_listings(request.user)
    applicant = profile_get_or_create(user=request.user)
    results = evaluate_listings(applicant, listings)
    rows = [(listing, results.get(listing.pk)) for listing in listings]
    return render(request, "applicants/saved.html", {"rows": rows, "compare_limit": selectors.COMPARE_LIMIT})


@applicant_required
def compare(request: HttpRequest) -> HttpResponse:
    ids = []
    for raw in request.GET.getlist("listing"):
        if raw.isdecimal() and int(raw) not in ids:
            ids.append(int(raw))
    too_many = len(ids) > selectors.COMPARE_LIMIT
    listings = selectors.listings_to_compare(ids)
    applicant = profile_get_or_create(user=request.user)
    results = evaluate_listings(applicant, listings)
    columns = [(listing, results.get(listing.pk)) for listing in listings]
    return render(
        request,
        "applicants/compare.html",
        {
            "columns": columns,
            "too_many": too_many,
            "compare_limit": selectors.COMPARE_LIMIT,
        },
    )


def _my_data_page(request: HttpRequest, form: DeleteAccountForm, *, status: int = 200) -> HttpResponse:
    reads = list(audit_selectors.read_rows(request.user, limit=audit_selectors.READS_SHOWN))
    return render(
        request,
        "applicants/my_data.html",
        {"form": form, "reads": reads, "reads_shown": audit_selectors.READS_SHOWN},
        status=status,
    )


@applicant_required
def my_data(request: HttpRequest) -> HttpResponse:
    return _my_data_page(request, DeleteAccountForm(user=request.user))


@applicant_required
def my_data_export(request: HttpRequest) -> HttpResponse:
    content = personal_data.export_zip(request.user)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="usce-portal-my-data-{timezone.localdate():%Y-%m-%d}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@applicant_required
@require_POST
def account_delete_view(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return _my_data_page(request, form, status=400)
    account_delete(user=request.user)
    logout(request)
    messages.success(request, _("Your account and your data have been deleted."))
    return redirect("home")
