"""Coordinator pages: the queue, the applicant packet, interviews, questions and the dashboard."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import coordinator_required
from applicants.uploads import attachment_response
from placements.models import Listing, Session
from portal.exports import csv_response

from . import selectors, services
from .eligibility_check import eligibility_for
from .errors import AlreadyMoved, ApplicationError, TryAgain
from .forms import (
    BulkMoveForm,
    CompletionForm,
    MoveForm,
    NoteForm,
    QuestionForm,
    QueueFilterForm,
    ScoreForm,
    SlotForm,
)
from .models import Application, InterviewSlot, ListingQuestion, Review
from .states import Actor, Status, reachable_by, targets_for
from .statistics import dashboard_figures
from .views import interview_ics_or_back, tick_and_go_back, try_again

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> tuple[QueueFilterForm, dict]:
    form = QueueFilterForm(request.GET or None, **selectors.queue_filter_choices(request.user))
    return form, (form.cleaned_data if form.is_bound and form.is_valid() else {})


@coordinator_required
def queue(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = Paginator(selectors.QueuePages(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort = filters.get("sort") or "-submitted"
    columns = []
    for key, label in [
        ("name", _("Applicant")),
        ("listing", _("Listing")),
        ("session", _("Starts")),
        ("status", _("State")),
        ("submitted", _("Submitted")),
        ("step2", _("Step 2 CK")),
        ("graduation", _("Graduated")),
        ("score", _("Score")),
    ]:
        toggled = params.copy()
        toggled["sort"] = key if sort != key else "-" + key
        columns.append(
            {
                "label": label,
                "url": "?" + toggled.urlencode(),
                "aria_sort": "ascending" if sort == key else "descending" if sort == "-" + key else "none",
            }
        )
    return render(
        request,
        "applications/queue.html",
        {
            "form": form,
            "page": page,
            "columns": columns,
            "query": params.urlencode(),
            "bulk_form": BulkMoveForm(),
            "csv_url": reverse("applications:queue_csv") + "?" + params.urlencode(),
        },
    )


@coordinator_required
def queue_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered queue as CSV, streamed so a long queue never sits in memory. The export is
    audited before the first byte leaves, with the number of rows it holds."""
    _form, filters = _filters(request)
    queue = selectors.queue(request.user, filters)
    services.application_list_record(
        actor=request.user, rows=queue.count(), filters=request.GET.urlencode(), exported=True
    )
    header = [
        "id",
        "applicant",
        "email",
        "listing",
        "session_start",
        "state",
        "submitted_at",
        "eligible",
        "step2ck",
        "graduation_year",
        "visa",
        "average_score",
    ]
    rows = (
        [
            a.pk,
            a.applicant.get_full_name(),
            a.applicant.email,
            a.session.listing.title,
            a.session.start_date,
            a.status_label,
            a.submitted_at.isoformat() if a.submitted_at else "",
            {True: "yes", False: "no", None: ""}[a.eligible_at_submit],
            getattr(a, "step2", "") or "",
            getattr(a, "graduation_year", "") or "",
            getattr(a, "visa", "") or "",
            f"{a.avg_score:.1f}" if a.avg_score is not None else "",
        ]
        for a in queue.iterator(chunk_size=500)
    )
    return csv_response("applicant-queue.csv", header, rows)


@coordinator_required
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    # Ids of other institutions' applications are dropped, as if they had never been sent.
    allowed_ids = list(
        Application.objects.for_coordinator(request.user)
        .filter(pk__in=[i for i in request.POST.getlist("ids") if i.isdecimal()])
        .values_list("pk", flat=True)
    )
    data = request.POST.copy()
    data.setlist("ids", [str(pk) for pk in allowed_ids])
    form = BulkMoveForm(data, allowed_ids=allowed_ids)
    back = reverse("applications:queue") + "?" + request.POST.get("query", "")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    try:
        moved, refused = services.application_bulk_move(
            application_ids=form.cleaned_data["ids"],
            to_status=form.cleaned_data["to_status"],
            actor=request.user,
            template=form.cleaned_data["message"],
        )
    except TryAgain as exc:
        return try_again(request, exc, back)
    if moved:
        messages.success(
            request, ngettext("%(n)s application moved.", "%(n)s applications moved.", moved) % {"n": moved}
        )
    for name, reason in refused:
        messages.warning(request, f"{name}: {reason}")
    return redirect(back)


def _packet(request, application, *, move_form=None, status=200) -> HttpResponse:
    mine = {s.criterion: s.value for s in application.scores.all() if s.scorer_id == request.user.pk}
    criteria = selectors.score_summary(application.scores.all())
    return render(
        request,
        "applications/packet.html",
        {
            "application": application,
            "eligibility": eligibility_for(applicant=application.applicant, session=application.session),
            "profile": getattr(application.applicant, "applicant_profile", None),
            "move_form": move_form or MoveForm(targets=targets_for(application.status, Actor.COORDINATOR)),
            "note_form": NoteForm(),
            "score_form": ScoreForm(initial=mine),
            "criteria": criteria,
            "completion_form": CompletionForm() if application.status == Status.ENROLLED else None,
            "completion_early": application.session.end_date
            > timezone.localdate(timezone=ZoneInfo(application.session.listing.institution.time_zone)),
        },
        status=status,
    )


@coordinator_required
def packet(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.coordinator_application(request.user, pk)
    services.application_read_record(reader=request.user, application=application, what="page")
    return _packet(request, application)


@coordinator_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.coordinator_application(request.user, pk)
    # Any state a coordinator can reach: the page's menu may be stale (a colleague moved it since),
    # and the service, not the menu, says what is allowed now and who moved it meanwhile.
    form = MoveForm(request.POST, targets=reachable_by(Actor.COORDINATOR))
    if not form.is_valid():
        form = MoveForm(request.POST, targets=targets_for(application.status, Actor.COORDINATOR))
        return _packet(request, application, move_form=form, status=400)
    try:
        services.application_move(
            application_id=pk,
            to_status=form.cleaned_data["to_status"],
            actor=request.user,
            role=Actor.COORDINATOR,
            message=form.cleaned_data["message"],
        )
    except TryAgain as exc:
        return try_again(request, exc, reverse("applications:packet", args=[pk]))
    except AlreadyMoved as exc:
        # Where this coordinator wanted it, by someone else's hand: nothing to correct, only to know.
        messages.warning(request, exc.message)
        return redirect("applications:packet", pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        application = selectors.coordinator_application(request.user, pk)
        # The menu of the state it is in now, with the message as typed: nothing is lost.
        form = MoveForm(
            initial={"message": form.cleaned_data["message"]},
            targets=targets_for(application.status, Actor.COORDINATOR),
        )
        return _packet(request, application, move_form=form, status=400)
    messages.success(request, _("Moved to “%(status)s”.") % {"status": Status(form.cleaned_data["to_status"]).label})
    return redirect("applications:packet", pk)


@coordinator_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.coordinator_application(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(application=application, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Note added."))
    else:
        messages.error(request, _("Write something in the note."))
    return redirect("applications:packet", pk)


@coordinator_required
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.coordinator_application(request.user, pk)
    form = ScoreForm(request.POST)
    if form.is_valid():
        services.score_set(application=application, scorer=request.user, values=form.cleaned_data)
        messages.success(request, _("Scores saved."))
    else:
        messages.error(request, _("Scores go from 1 to 5."))
    return redirect("applications:packet", pk)


@coordinator_required
@require_POST
def checklist_tick(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    application = selectors.coordinator_application(request.user, pk)
    return tick_and_go_back(request, application, item_id, Actor.COORDINATOR, "applications:packet")


@coordinator_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.coordinator_application(request.user, pk)
    form = CompletionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the evaluation before marking the rotation completed."))
        return redirect("applications:packet", pk)
    try:
        services.application_complete(
            application_id=application.pk,
            actor=request.user,
            evaluation=form.cleaned_data["evaluation"],
            early_reason=form.cleaned_data["early_reason"],
        )
    except TryAgain as exc:
        return try_again(request, exc, reverse("applications:packet", args=[pk]))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rotation completed; the certificate is issued."))
    return redirect("applications:packet", pk)


@coordinator_required
def document_download(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """The current file of a document the applicant attached to this application, nothing else."""
    application = selectors.coordinator_application(request.user, pk)
    document = get_object_or_404(application.documents.select_related("current_version"), pk=document_id)
    version = document.current_version
    if version is None:
        raise Http404
    services.application_read_record(reader=request.user, application=application, what="file", document=document)
    return attachment_response(version.file, filename=version.original_name, content_type=version.content_type)


@coordinator_required
def interview_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    return interview_ics_or_back(request, selectors.coordinator_application(request.user, pk), "applications:packet")


def _coordinated_session(request, session_id) -> Session:
    return get_object_or_404(
        Session.objects.filter(listing__institution_id__in=request.user.coordinator_institution_ids).select_related(
            "listing__institution"
        ),
        pk=session_id,
    )


@coordinator_required
def slots(request: HttpRequest, session_id: int) -> HttpResponse:
    """Publish interview times for a session; see who booked which."""
    session = _coordinated_session(request, session_id)
    form = SlotForm(request.POST or None)
    # Coordinators type times in their institution's zone, whatever the portal's default.
    with timezone.override(session.listing.institution.time_zone):
        valid = request.method == "POST" and form.is_valid()
    if valid:
        try:
            services.interview_slot_create(session=session, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error("starts_at", exc.message)
        else:
            messages.success(request, _("Interview time published."))
            return redirect("applications:slots", session.pk)
    return render(
        request,
        "applications/slots.html",
        {
            "session": session,
            "form": form,
            "slots": session.interview_slots.select_related("application__applicant"),
            "tz": session.listing.institution.time_zone,
        },
        status=400 if request.method == "POST" else 200,
    )


@coordinator_required
@require_POST
def slot_cancel(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = get_object_or_404(
        InterviewSlot.objects.filter(session__listing__institution_id__in=request.user.coordinator_institution_ids),
        pk=slot_id,
    )
    try:
        # Whether it was booked is read under the service's lock: a booking a moment ago counts.
        cancelled = services.interview_slot_cancel(slot_id=slot.pk, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if cancelled.application_id:
            messages.success(request, _("Interview time cancelled. The applicant was told and can book another time."))
        else:
            messages.success(request, _("Interview time removed."))
    return redirect("applications:slots", slot.session_id)


@coordinator_required
def questions(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = get_object_or_404(Listing.objects.of_institutions_coordinated_by(request.user), pk=listing_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        question = form.save(commit=False)
        question.listing = listing
        question.position = listing.questions.count()
        question.save()
        messages.success(request, _("Question added."))
        return redirect("applications:questions", listing.pk)
    return render(
        request,
        "applications/questions.html",
        {"listing": listing, "form": form, "questions": listing.questions.all()},
        status=400 if request.method == "POST" else 200,
    )


@coordinator_required
@require_POST
def question_delete(request: HttpRequest, listing_id: int, question_id: int) -> HttpResponse:
    question = get_object_or_404(
        ListingQuestion.objects.filter(listing__institution_id__in=request.user.coordinator_institution_ids),
        pk=question_id,
        listing_id=listing_id,
    )
    question.delete()
    messages.success(request, _("Question removed."))
    return redirect("applications:questions", listing_id)


@coordinator_required
def waitlist(request: HttpRequest, session_id: int) -> HttpResponse:
    """The session's waitlist in the coordinator's order; freed places go to the top first."""
    session = _coordinated_session(request, session_id)
    if request.method == "POST":
        positions = {}
        for key, value in request.POST.items():
            if key.startswith("position_") and key[9:].isdecimal():
                try:
                    positions[int(key[9:])] = float(value)
                except ValueError:
                    messages.error(request, _("Positions are numbers: 1 is offered the next free place."))
                    return redirect("applications:waitlist", session.pk)
        try:
            services.waitlist_reorder(
                session=session, ordered_ids=sorted(positions, key=positions.get), actor=request.user
            )
        except TryAgain as exc:
            return try_again(request, exc, reverse("applications:waitlist", args=[session.pk]))
        messages.success(request, _("Waitlist order saved."))
        return redirect("applications:waitlist", session.pk)
    waiting = (
        session.applications.filter(status=Status.WAITLISTED).select_related("applicant").order_by("waitlist_position")
    )
    return render(request, "applications/waitlist.html", {"session": session, "waiting": waiting})


@coordinator_required
def coordinator_dashboard(request: HttpRequest) -> HttpResponse:
    """Per listing and session: received, time to decision, offers made and accepted, fill rate."""
    decided = ExpressionWrapper(
        F("applications__decided_at") - F("applications__submitted_at"), output_field=DurationField()
    )
    sessions = selectors.coordinator_sessions(request.user).annotate(
        received=Count("applications", filter=~Q(applications__status=Status.DRAFT)),
        decided=Count("applications", filter=Q(applications__decided_at__isnull=False)),
        offers=Count("applications", filter=Q(applications__offer_expires_at__isnull=False)),
        accepted=Count(
            "applications", filter=Q(applications__status__in=[Status.ACCEPTED, Status.ENROLLED, Status.COMPLETED])
        ),
        waitlisted=Count("applications", filter=Q(applications__status=Status.WAITLISTED)),
        time_to_decision=Avg(decided, filter=Q(applications__decided_at__isnull=False)),
    )
    rows = [
        {
            "session": s,
            "fill_rate": round(100 * s.accepted / s.seats) if s.seats else None,
            "days_to_decision": round(s.time_to_decision.total_seconds() / 86400, 1) if s.time_to_decision else None,
        }
        for s in sessions
    ]
    reviews = Review.objects.filter(
        listing__institution_id__in=request.user.coordinator_institution_ids
    ).select_related("listing")[:20]
    figures = dashboard_figures(institution_ids=request.user.coordinator_institution_ids)
    return render(
        request, "applications/coordinator_dashboard.html", {"rows": rows, "reviews": reviews, "figures": figures}
    )


@coordinator_required
@require_POST
def review_reply(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(
        Review.objects.filter(listing__institution_id__in=request.user.coordinator_institution_ids), pk=review_id
    )
    services.review_reply(review=review, actor=request.user, reply=request.POST.get("reply", "")[:4000])
    messages.success(request, _("Reply published."))
    return redirect("applications:coordinator_dashboard")
