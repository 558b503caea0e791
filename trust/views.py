"""Trust pages: visa letters (coordinators issue, applicants download, anyone verifies), the
institution page, reports of wrong information and their admin queue, and freshness confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import admin_required, applicant_required, coordinator_required
from applications.selectors import applicant_application
from placements.models import Institution, Listing
from placements.templatetags.placements_tags import usd

from . import selectors, services
from .documents import visa_letter_pdf
from .forms import LetterheadForm, ReportForm, ResolveForm, VisaLetterForm
from .models import InstitutionLetterhead, VisaLetter
from .services import TrustError

# --- Visa letters ------------------------------------------------------------------------------


@coordinator_required
def letterhead(request: HttpRequest, institution_id: int) -> HttpResponse:
    institution = get_object_or_404(Institution, pk=institution_id, pk__in=request.user.coordinator_institution_ids)
    current = InstitutionLetterhead.objects.filter(institution=institution).first()
    form = LetterheadForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.letterhead_set(institution=institution, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Letterhead saved. New visa letters will use it."))
        back = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("trust:letterhead", args=[institution.pk])
        return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render(request, "trust/letterhead.html", {"institution": institution, "form": form}, status=status)


@coordinator_required
def visa_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """An accepted application's visa letters: issue one, see the earlier ones, revoke."""
    application = selectors.coordinator_application(request.user, pk)
    listing = application.session.listing
    form = VisaLetterForm(request.POST or None, initial={"costs": f"{usd(listing.total_cost)} in total"})
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.visa_letter_issue(application_id=application.pk, actor=request.user, **form.cleaned_data)
        except TrustError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Visa letter %(code)s issued.") % {"code": letter.code})
            return redirect("trust:visa_letters", application.pk)
    context = {
        "application": application,
        "letters": selectors.application_letters(application),
        "form": form,
        "has_letterhead": InstitutionLetterhead.objects.filter(institution_id=listing.institution_id).exists(),
        "can_issue": application.status in services.LETTER_STATES,
    }
    return render(request, "trust/visa_letters.html", context, status=400 if request.method == "POST" else 200)


@coordinator_required
@require_POST
def visa_letter_revoke(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = get_object_or_404(
        VisaLetter,
        pk=letter_id,
        application__session__listing__institution_id__in=request.user.coordinator_institution_ids,
    )
    services.visa_letter_revoke(letter_id=letter.pk, actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The letter is revoked: its verification page says so."))
    return redirect("trust:visa_letters", letter.application_id)


def _pdf(request: HttpRequest, letter: VisaLetter) -> HttpResponse:
    verify_url = request.build_absolute_uri(reverse("trust:verify_code", args=[letter.code]))
    response = HttpResponse(visa_letter_pdf(letter=letter, verify_url=verify_url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="visa-letter-{letter.code}.pdf"'
    return response


@coordinator_required
def visa_letter_download(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = get_object_or_404(
        VisaLetter,
        pk=letter_id,
        application__session__listing__institution_id__in=request.user.coordinator_institution_ids,
    )
    return _pdf(request, letter)


@applicant_required
def my_visa_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's letter in force for their own application (another's is a 404)."""
    application = applicant_application(request.user, pk)
    letter = VisaLetter.objects.filter(application=application, revoked_at__isnull=True).first()
    if letter is None:
        messages.info(request, _("The programme has not issued a visa invitation letter yet."))
        return redirect("applications:detail", pk)
    return _pdf(request, letter)


@login_not_required
def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Public: what a consular officer needs, nothing more (no passport number, no costs)."""
    code = (code or request.GET.get("code", "")).strip().upper()
    letter = VisaLetter.objects.filter(code=code).first() if code else None
    return render(
        request,
        "trust/verify.html",
        {"code": code, "letter": letter},
        status=404 if code and letter is None else 200,
    )


# --- Institution page --------------------------------------------------------------------------


@login_not_required
def institution(request: HttpRequest, slug: str) -> HttpResponse:
    institution, listings = selectors.institution_page(slug)
    return render(request, "trust/institution.html", {"institution": institution, "listings": listings})


@login_not_required
def how(request: HttpRequest) -> HttpResponse:
    return render(request, "trust/how.html")


# --- Reports of wrong information ------------------------------------------------------------------


def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone signed in reports a field of a published listing as wrong."""
    listing = get_object_or_404(Listing.objects.published().select_related("institution"), pk=pk)
    form = ReportForm(request.POST or None, initial={"field": request.GET.get("field")})
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_report_create(listing=listing, reporter=request.user, **form.cleaned_data)
        except TrustError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you. The programme and our admins have been told."))
            return redirect("placements:listing", listing.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "trust/report.html", {"listing": listing, "form": form}, status=status)


@admin_required
def reports(request: HttpRequest) -> HttpResponse:
    """The admins' queue: open reports, recently resolved ones, and listings possibly out of date."""
    context = {
        "open": list(selectors.open_reports()),
        "resolved": selectors.recent_resolved_reports(),
        "stale": list(selectors.stale_listings()[:100]),
        "form": ResolveForm(),
    }
    return render(request, "trust/reports.html", context)


@admin_required
@require_POST
def report_resolve(request: HttpRequest, report_id: int) -> HttpResponse:
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an outcome and say what was done."))
        return redirect("trust:reports")
    try:
        services.listing_report_resolve(report_id=report_id, actor=request.user, **form.cleaned_data)
    except TrustError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Report resolved."))
    return redirect("trust:reports")


# --- Freshness ---------------------------------------------------------------------------------


@coordinator_required
def listing_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """From the listing page or the 90-day e-mail: the listing's key details and one button."""
    listing = selectors.coordinator_listing(request.user, pk)
    if request.method == "POST":
        services.listing_confirm(listing=listing, actor=request.user)
        messages.success(request, _("Thank you: the listing shows it was confirmed today."))
        return redirect("placements:listing", listing.pk)
    return render(request, "trust/confirm.html", {"listing": listing})
