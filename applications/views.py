"""Applicant-facing pages: apply, track, answer offers, interviews, certificate, review."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import applicant_required
from applicants.models import Document
from placements.models import Session

from . import selectors, services
from .documents import certificate_pdf, interview_ics
from .eligibility_check import applicant_time_zone, eligibility_for
from .errors import ApplicationError, TryAgain
from .forms import ApplicationForm, InterviewRequestForm, ReviewForm
from .models import Certificate, ListingQuestion, Review
from .states import Actor, Status, targets_for

APPLICANT_MOVES = {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN}


def try_again(request: HttpRequest, exc: TryAgain, back: str) -> HttpResponse:
    """A lock timed out: say so (409) and offer the way back; nothing was changed."""
    return render(request, "applications/try_again.html", {"message": exc.message, "back": back}, status=409)


def _tz(user) -> str:
    return applicant_time_zone(user) or settings.TIME_ZONE


@applicant_required
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = [(a, a.next_step()) for a in selectors.applicant_applications(request.user)]
    return render(request, "applications/dashboard.html", {"rows": rows, "tz": _tz(request.user)})


@applicant_required
def apply(request: HttpRequest, session_id: int) -> HttpResponse:
    """The session, the applicant's eligibility for it, and a button that starts the draft."""
    session = get_object_or_404(Session.objects.published().select_related("listing__institution"), pk=session_id)
    if request.method == "POST":
        try:
            application = services.application_start(applicant=request.user, session=session)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("applications:detail", application.pk)
    existing = session.applications.filter(applicant=request.user).first()
    return render(
        request,
        "applications/apply.html",
        {
            "session": session,
            "existing": existing,
            "eligibility": eligibility_for(applicant=request.user, session=session),
            "is_open": session.is_open_for_applications(),
            "tz": _tz(request.user),
        },
    )


def _application_form(application, data=None) -> ApplicationForm:
    questions = ListingQuestion.objects.filter(listing_id=application.session.listing_id)
    answers = {a.question_id: a.value for a in application.answers.all()}
    initial = {
        "personal_statement": application.personal_statement,
        "documents": list(application.documents.values_list("pk", flat=True)),
        **{f"q_{k}": v for k, v in answers.items()},
    }
    documents = Document.objects.owned_by(application.applicant_id).filter(current_version__isnull=False)
    return ApplicationForm(data, questions=questions, documents=documents, initial=initial)


def _save_draft(request: HttpRequest, application, form: ApplicationForm):
    return services.application_save_draft(
        application=application,
        applicant=request.user,
        personal_statement=form.cleaned_data["personal_statement"],
        answers=form.answers(),
        documents=form.cleaned_data["documents"],
    )


@applicant_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.applicant_application(request.user, pk)
    return _render_detail(request, application)


def _render_detail(request, application, *, form=None, missing=None, status=200) -> HttpResponse:
    context = {
        "application": application,
        "timeline": application.public_events,
        "next_step": application.next_step(),
        "tz": _tz(request.user),
        "moves": [s for s in targets_for(application.status, Actor.APPLICANT) if s in APPLICANT_MOVES],
        "missing": missing,
    }
    if application.status == Status.DRAFT:
        context["form"] = form or _application_form(application)
        context["eligibility"] = eligibility_for(applicant=request.user, session=application.session)
        context["missing_items"] = selectors.submission_missing_items(application, eligibility=context["eligibility"])
    if application.status == Status.INTERVIEW and not getattr(application, "interview_slot", None):
        context["slots"] = application.session.interview_slots.filter(application=None).order_by("starts_at")
        context["request_form"] = InterviewRequestForm()
    if application.status == Status.COMPLETED:
        context["certificate"] = Certificate.objects.filter(application=application).first()
        context["review"] = Review.objects.filter(application=application).first()
    return render(request, "applications/detail.html", context, status=status)


@applicant_required
@require_POST
def autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: save the draft as the applicant types; answers a short status line."""
    application = selectors.applicant_application(request.user, pk)
    form = _application_form(application, request.POST)
    if not form.is_valid():
        return render(request, "applications/detail.html#autosave", {"saved": False, "form": form}, status=400)
    try:
        _save_draft(request, application, form)
    except ApplicationError as exc:
        return render(request, "applications/detail.html#autosave", {"saved": False, "error": exc.message}, status=409)
    return render(request, "applications/detail.html#autosave", {"saved": True})


@applicant_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what the form holds, then submit. A second click finds it submitted and says so."""
    application = selectors.applicant_application(request.user, pk)
    if application.status != Status.DRAFT:
        messages.info(request, _("This application was already submitted."))
        return redirect("applications:detail", pk)
    form = _application_form(application, request.POST)
    if not form.is_valid():
        return _render_detail(request, application, form=form, status=400)
    try:
        _save_draft(request, application, form)
        if request.POST.get("action") == "save":
            messages.success(request, _("Draft saved."))
            return redirect("applications:detail", pk)
        services.application_move(
            application_id=pk, to_status=Status.SUBMITTED, actor=request.user, role=Actor.APPLICANT
        )
    except TryAgain as exc:
        return try_again(request, exc, application.get_absolute_url())
    except ApplicationError as exc:
        application = selectors.applicant_application(request.user, pk)
        if application.status != Status.DRAFT:
            # A double click whose other request submitted it meanwhile: the browser shows this
            # answer, so it must say what happened, not that the (successful) submit failed.
            messages.info(request, _("This application was already submitted."))
            return redirect("applications:detail", pk)
        messages.error(request, exc.message)
        return _render_detail(request, application, form=form, missing=exc.reasons, status=400)
    messages.success(request, _("Application submitted. The programme will review it."))
    return redirect("applications:detail", pk)


@applicant_required
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or decline an offer, or withdraw."""
    application = selectors.applicant_application(request.user, pk)
    to_status = request.POST.get("to_status", "")
    if to_status not in APPLICANT_MOVES:
        messages.error(request, _("Choose accept, decline or withdraw."))
        return redirect("applications:detail", pk)
    try:
        services.application_move(
            application_id=pk,
            to_status=to_status,
            actor=request.user,
            role=Actor.APPLICANT,
            message=request.POST.get("message", "")[:2000],
        )
    except TryAgain as exc:
        return try_again(request, exc, application.get_absolute_url())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            {
                Status.ACCEPTED: _("You accepted the offer. Your pre-arrival checklist is below."),
                Status.DECLINED: _("You declined the offer."),
                Status.WITHDRAWN: _("You withdrew your application."),
            }[to_status],
        )
    return redirect("applications:detail", pk)


@applicant_required
@require_POST
def interview_book(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.applicant_application(request.user, pk)
    try:
        slot_id = int(request.POST.get("slot", ""))
        services.interview_book(application=application, slot_id=slot_id, applicant=request.user)
    except ValueError:
        messages.error(request, _("Choose a time."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Interview booked."))
    return redirect("applications:detail", pk)


@applicant_required
@require_POST
def interview_request(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.applicant_application(request.user, pk)
    form = InterviewRequestForm(request.POST)
    if form.is_valid():
        try:
            services.interview_request_other(
                application=application, applicant=request.user, message=form.cleaned_data["message"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your request was sent to the coordinators."))
    else:
        messages.error(request, _("Say which times would suit you."))
    return redirect("applications:detail", pk)


@applicant_required
def interview_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    return interview_ics_or_back(request, selectors.applicant_application(request.user, pk), "applications:detail")


def interview_ics_or_back(request: HttpRequest, application, back: str) -> HttpResponse:
    """The booked interview as an .ics file (shared by applicant and coordinator pages)."""
    slot = getattr(application, "interview_slot", None)
    if slot is None:
        messages.error(request, _("No interview is booked yet."))
        return redirect(back, application.pk)
    response = HttpResponse(
        interview_ics(slot=slot, application=application), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="interview-{application.pk}.ics"'
    return response


@applicant_required
@require_POST
def checklist_tick(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    application = selectors.applicant_application(request.user, pk)
    return tick_and_go_back(request, application, item_id, Actor.APPLICANT, "applications:detail")


def tick_and_go_back(request: HttpRequest, application, item_id: int, role: str, back: str) -> HttpResponse:
    try:
        services.checklist_tick(
            application=application,
            item_id=item_id,
            actor=request.user,
            role=role,
            done=request.POST.get("done") == "1",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(back, application.pk)


@applicant_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.applicant_application(request.user, pk)
    issued = Certificate.objects.filter(application=application).first()
    if issued is None:
        messages.error(request, _("Your certificate is issued when the programme marks your rotation completed."))
        return redirect("applications:detail", pk)
    response = HttpResponse(
        certificate_pdf(certificate=issued, verify_url=_verify_url(request, issued)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{issued.code}.pdf"'
    return response


def _verify_url(request: HttpRequest, issued: Certificate) -> str:
    return request.build_absolute_uri(reverse("applications:verify_code", args=[issued.code]))


@login_not_required
def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Public: check a certificate's code. Shows only what the certificate itself states."""
    code = (code or request.GET.get("code", "")).strip().upper()
    issued = Certificate.objects.filter(code=code).first() if code else None
    return render(
        request,
        "applications/verify.html",
        {"code": code, "certificate": issued},
        status=404 if code and issued is None else 200,
    )


@applicant_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.applicant_application(request.user, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_create(application=application, applicant=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you: your review is published."))
            return redirect("applications:detail", pk)
    return render(
        request,
        "applications/review.html",
        {"application": application, "form": form},
        status=400 if request.method == "POST" else 200,
    )
