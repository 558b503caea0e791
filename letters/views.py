"""Letters' pages: the applicant's requests, the writer's link (no account) and the letter files."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import applicant_required, coordinator_required
from applicants.uploads import attachment_response
from applications.models import Application
from portal.http import is_htmx

from . import selectors
from .forms import AssignmentForm, DeclineForm, LetterRequestForm, LetterUploadForm
from .models import LetterRequest
from .services import (
    LetterError,
    LinkRefused,
    letter_assignments_set,
    letter_link_resolve,
    letter_read_record,
    letter_request_create,
    letter_request_decline,
    letter_request_mark_opened,
    letter_request_resend,
    letter_request_revoke,
    letter_upload,
)


def _pdf_response(letter_request: LetterRequest) -> FileResponse:
    filename = f"letter-{letter_request.writer_name}.pdf".replace(" ", "-")
    return attachment_response(letter_request.current_letter.file, filename=filename, content_type="application/pdf")


# --- The applicant -------------------------------------------------------------------------


@applicant_required
def letter_list(request: HttpRequest) -> HttpResponse:
    return render(request, "letters/list.html", selectors.applicant_letters_page(request.user))


@applicant_required
def letter_new(request: HttpRequest) -> HttpResponse:
    form = LetterRequestForm(request.POST or None, applicant=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letter_request_create(
                applicant=request.user,
                writer_name=data["writer_name"],
                writer_email=data["writer_email"],
                writer_title=data["writer_title"],
                writer_institution=data["writer_institution"],
                relationship=data["relationship"],
                message=data["message"],
                waived=data["waiver"],
                rotation=data["rotation"],
            )
        except LetterError as exc:
            form.add_error("writer_email", str(exc))
        else:
            messages.success(request, _("Your request was sent to %(email)s.") % {"email": data["writer_email"]})
            return redirect("letters:list")
    context = {"form": form, "link_days": settings.LETTERS_LINK_DAYS}
    return render(request, "letters/new.html", context, status=400 if form.errors else 200)


def _own_request(request: HttpRequest, request_id: int) -> LetterRequest:
    # Ownership in the query: somebody else's request is a 404, not a hint that it exists.
    return get_object_or_404(
        LetterRequest.objects.of_applicant(request.user).select_related("current_letter"), pk=request_id
    )


def _act_on_own_request(request: HttpRequest, request_id: int, service, success: str) -> HttpResponse:
    letter_request = _own_request(request, request_id)
    try:
        service(letter_request=letter_request, actor=request.user)
    except LetterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success % {"name": letter_request.writer_name, "email": letter_request.writer_email})
    return redirect("letters:list")


@applicant_required
@require_POST
def letter_resend(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act_on_own_request(
        request, request_id, letter_request_resend, _("A new link was sent to %(email)s; the old one no longer works.")
    )


@applicant_required
@require_POST
def letter_revoke(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act_on_own_request(
        request,
        request_id,
        letter_request_revoke,
        _("The request to %(name)s was revoked; their link no longer works."),
    )


@applicant_required
def letter_download(request: HttpRequest, request_id: int) -> HttpResponse:
    letter_request = _own_request(request, request_id)
    if letter_request.waived:
        raise PermissionDenied(_("You waived your right to read this letter: only programmes can read it."))
    if not letter_request.has_file:
        raise PermissionDenied(_("No letter has been uploaded for this request yet."))
    return _pdf_response(letter_request)


# --- The writer (no account: the signed link is the credential) -----------------------------


def writer_link(view: Callable) -> Callable:
    """Public view reached by the writer's token: resolve it, or show why the link no longer works.

    The view is then called with the request the token leads to, instead of the token alone.
    """

    @login_not_required
    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        try:
            letter_request = letter_link_resolve(token=token)
        except LinkRefused as exc:
            status = 404 if exc.reason == LinkRefused.INVALID else 410
            return render(request, "letters/link_refused.html", {"reason": exc.reason}, status=status)
        return view(request, token, letter_request)

    return wrapped


def _writer_page(
    request: HttpRequest,
    token: str,
    letter_request: LetterRequest,
    *,
    upload_form=None,
    decline_form=None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "token": token,
        "letter_request": letter_request,
        "locked": selectors.letter_is_locked(letter_request),
        "programmes": selectors.programmes_for_writer(letter_request),
        "rotation": selectors.rotation_for_writer(letter_request),
        "upload_form": upload_form or LetterUploadForm(),
        "decline_form": decline_form or DeclineForm(),
    }
    return render(request, "letters/write.html", context, status=status)


@writer_link
def letter_write(request: HttpRequest, token: str, letter_request: LetterRequest) -> HttpResponse:
    letter_request_mark_opened(letter_request=letter_request)
    return _writer_page(request, token, letter_request)


@require_POST
@writer_link
def letter_write_upload(request: HttpRequest, token: str, letter_request: LetterRequest) -> HttpResponse:
    form = LetterUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            letter_upload(letter_request=letter_request, upload=form.cleaned_data["file"], checked=form.checked)
        except LetterError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Thank you: your letter was received."))
            return redirect("letters:write", token=token)
    return _writer_page(request, token, letter_request, upload_form=form, status=400)


@require_POST
@writer_link
def letter_write_decline(request: HttpRequest, token: str, letter_request: LetterRequest) -> HttpResponse:
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            letter_request_decline(letter_request=letter_request, message=form.cleaned_data["message"])
        except LetterError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "letters/link_refused.html", {"reason": LinkRefused.DECLINED, "just_now": True})
    return _writer_page(request, token, letter_request, decline_form=form, status=400)


# --- Assignment (the applicant) ------------------------------------------------------------


@applicant_required
def letter_assign(request: HttpRequest, application_id: int) -> HttpResponse:

    application = get_object_or_404(
        Application.objects.of_applicant(request.user).select_related("session__listing__institution"),
        pk=application_id,
    )
    page = selectors.assignment_page(application)
    # Not `request.POST or None`: unticking every box posts nothing, and that is a real choice.
    form = AssignmentForm(
        request.POST if request.method == "POST" else None,
        letter_requests=page["letter_requests"],
        assigned_ids=page["assigned_ids"],
    )
    if request.method == "POST" and form.is_valid():
        try:
            chosen = letter_assignments_set(
                application=application,
                letter_request_ids=[r.pk for r in form.cleaned_data["letters"]],
                actor=request.user,
            )
        except LetterError as exc:
            form.add_error("letters", str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d letter assigned to %(listing)s.",
                    "%(count)d letters assigned to %(listing)s.",
                    len(chosen),
                )
                % {"count": len(chosen), "listing": application.session.listing.title},
            )
            return redirect("letters:assign", application_id=application.pk)
    context = {
        **page,
        "application": application,
        "listing": application.session.listing,
        "form": form,
        "editable": application.status == application.Status.DRAFT,
        "problems": selectors.assignment_problems(application),
    }
    return render(request, "letters/assign.html", context, status=400 if form.errors else 200)


# --- Coordinators ----------------------------------------------------------------------------


def _coordinated_application(request: HttpRequest, application_id: int):

    # Only applications to the coordinator's own institutions, drafts excluded: anything else is a 404.
    return get_object_or_404(
        Application.objects.for_coordinator(request.user).select_related("applicant", "session__listing__institution"),
        pk=application_id,
    )


@coordinator_required
def packet_letters(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _coordinated_application(request, application_id)
    context = {"application": application, "letter_requests": selectors.packet_letters(application)}
    template = "letters/packet.html#letters" if is_htmx(request) else "letters/packet.html"
    return render(request, template, context)


@coordinator_required
def packet_letter_read(request: HttpRequest, application_id: int, request_id: int) -> HttpResponse:
    application = _coordinated_application(request, application_id)
    # Assigned to this application now, with a file: an unassigned letter is a 404 like any other.
    letter_request = get_object_or_404(
        LetterRequest.objects.filter(assignments__application=application, current_letter__isnull=False).select_related(
            "current_letter"
        ),
        pk=request_id,
    )
    letter_read_record(letter=letter_request.current_letter, application=application, reader=request.user)
    return _pdf_response(letter_request)
