"""Match round pages: applicants rank their sessions, coordinators open rounds and rank applicants,
and after publication everyone sees their result."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import applicant_required
from applications.selectors import coordinator_sessions
from placements.models import Session

from . import selectors, services
from .errors import RoundError
from .forms import RankImportForm, RoundForm
from .models import Round, RoundOutcome
from .rank_list import PostedOrder, apply_move, read_order


def round_staff_required(view: Callable) -> Callable:
    """Coordinators and admins open and rank rounds; anyone else gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not (request.user.is_coordinator or request.user.is_admin):
            raise PermissionDenied("This page is for coordinators.")
        return view(request, *args, **kwargs)

    return wrapped


def _rows(objects, *, order: PostedOrder | None, label, detail) -> list[dict]:
    """Rows for `rounds/_rank_list.html`: in the posted order when there is one, else as saved."""
    by_pk = {o.pk: o for o in objects}
    if order is None:
        ranked = [o.pk for o in objects if o.position is not None]
        values = {o.pk: str(o.position or "") for o in objects}
    elif order.error:
        ranked = [o.pk for o in objects]
        values = order.typed
    else:
        ranked = order.ordered
        values = {pk: str(i) for i, pk in enumerate(order.ordered, start=1)}
    rest = [pk for pk in by_pk if pk not in ranked]
    return [
        {"pk": pk, "label": label(by_pk[pk]), "detail": detail(by_pk[pk]), "value": values.get(pk, "")}
        for pk in [*ranked, *rest]
    ]


def _rank_post(
    request: HttpRequest, objects, *, label, save: Callable[[list[int]], None]
) -> tuple[PostedOrder | None, bool]:
    """Handle a posted rank list; returns the order to show back and whether it was saved."""
    order = read_order(request.POST, ids=[o.pk for o in objects], labels={o.pk: label(o) for o in objects})
    if order.error:
        messages.error(request, order.error)
        return order, False
    move = request.POST.get("move", "")
    if move:
        apply_move(order, move)
        messages.info(request, _("Order changed but not saved yet: press “Save order” when it is right."))
        return order, False
    try:
        save(order.ordered)
    except RoundError as exc:
        messages.error(request, exc.message)
        return order, False
    messages.success(request, _("Your rank list is saved (%(n)s ranked).") % {"n": len(order.ordered)})
    return None, True


def _session_label(application) -> str:
    s = application.session
    return f"{s.listing.title}, {s.start_date:%b %-d, %Y}"


# --- Applicants ----------------------------------------------------------------------------------


@applicant_required
def mine(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.applicant_rounds(request.user))
    return render(request, "rounds/mine.html", {"rounds": rounds, "now": timezone.now()})


@applicant_required
def applicant_rank(request: HttpRequest, pk: int) -> HttpResponse:
    """Rank my sessions in the round until the deadline; after publication, my result."""
    round = get_object_or_404(selectors.applicant_rounds(request.user), pk=pk)
    if round.status == Round.Status.PUBLISHED:
        outcome = (
            RoundOutcome.objects.filter(round=round, applicant=request.user)
            .select_related("application__session__listing__institution")
            .first()
        )
        free = [] if outcome and outcome.matched else selectors.sessions_with_seats(round=round)
        return render(request, "rounds/applicant_result.html", {"round": round, "outcome": outcome, "free": free})
    applications = selectors.applicant_rank_rows(round=round, applicant=request.user)
    order, status = None, 200
    if request.method == "POST":
        order, saved = _rank_post(
            request,
            applications,
            label=_session_label,
            save=lambda ids: services.applicant_ranks_save(
                round_id=round.pk, applicant=request.user, application_ids=ids
            ),
        )
        if saved:
            return redirect("rounds:applicant_rank", round.pk)
        status = 400 if order and order.error else 200
    rows = _rows(
        applications,
        order=order,
        label=_session_label,
        detail=lambda a: f"{a.session.listing.institution.name}, {a.session.listing.institution.city}",
    )
    return render(
        request,
        "rounds/applicant_rank.html",
        {
            "round": round,
            "rows": rows,
            "open": round.accepts_ranks(timezone.now()),
        },
        status=status,
    )


# --- Coordinators and admins ---------------------------------------------------------------------


@round_staff_required
def manage(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.coordinator_rounds(request.user))
    return render(request, "rounds/manage.html", {"rounds": rounds})


@round_staff_required
def round_new(request: HttpRequest) -> HttpResponse:
    sessions = (
        Session.objects.select_related("listing").order_by("listing__title", "start_date")
        if request.user.is_admin
        else coordinator_sessions(request.user)
    ).filter(is_archived=False)
    form = RoundForm(request.POST or None, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        try:
            round = services.round_open(actor=request.user, **form.round_fields())
        except RoundError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Round “%(name)s” is open for ranking.") % {"name": round.name})
            return redirect("rounds:round_detail", round.pk)
    return render(request, "rounds/round_form.html", {"form": form}, status=400 if form.errors else 200)


@round_staff_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an open round before its publication time (rounds.services.round_update)."""
    round = get_object_or_404(selectors.rounds_managed_by(request.user), pk=pk)
    refusal = round.change_refusal(timezone.now())
    if refusal and request.method != "POST":
        messages.error(request, refusal)
        return redirect("rounds:round_detail", round.pk)
    form = RoundForm(request.POST or None, sessions=selectors.round_session_choices(round=round), round=round)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(round_id=round.pk, actor=request.user, **form.round_fields())
        except RoundError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Round “%(name)s” is saved.") % {"name": form.cleaned_data["name"].strip()})
            return redirect("rounds:round_detail", round.pk)
    return render(request, "rounds/round_form.html", {"form": form, "round": round}, status=400 if form.errors else 200)


def _already_cancelled(round: Round) -> str:
    return _("Round “%(name)s” was already cancelled.") % {"name": round.name}


@round_staff_required
def round_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask to confirm, saying who will be told; POST: cancel (again: nothing more happens)."""
    round = get_object_or_404(selectors.rounds_managed_by(request.user), pk=pk)
    if request.method == "POST":
        try:
            cancelled = services.round_cancel(round_id=round.pk, actor=request.user)
        except RoundError as exc:
            messages.error(request, exc.message)
        else:
            if cancelled:
                messages.success(request, _("Round “%(name)s” is cancelled.") % {"name": round.name})
            else:
                messages.info(request, _already_cancelled(round))
        return redirect("rounds:round_detail", round.pk)
    refusal = _already_cancelled(round) if round.status == Round.Status.CANCELLED else round.cancel_refusal()
    if refusal:
        messages.info(request, refusal)
        return redirect("rounds:round_detail", round.pk)
    return render(
        request, "rounds/round_cancel.html", {"round": round, "ranked": selectors.round_ranked_applicants(round=round)}
    )


@round_staff_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(selectors.coordinator_rounds(request.user), pk=pk)
    sessions = list(selectors.round_sessions_for(round=round, user=request.user))
    matched = (
        selectors.round_outcomes_for_sessions(round=round, sessions=sessions)
        if round.status == Round.Status.PUBLISHED
        else {}
    )
    now, manage = timezone.now(), selectors.may_manage_round(round=round, user=request.user)
    return render(
        request,
        "rounds/round_detail.html",
        {
            "round": round,
            "rows": [(s, matched.get(s.pk, [])) for s in sessions],
            "open": round.accepts_ranks(now),
            "can_edit": manage and not round.change_refusal(now),
            "can_cancel": manage and round.status == Round.Status.OPEN,
        },
    )


def _coordinated(request: HttpRequest, pk: int, session_id: int) -> tuple[Round, Session]:
    """The round and one of its sessions, only if the user coordinates that session (else 404)."""
    round = get_object_or_404(selectors.coordinator_rounds(request.user), pk=pk)
    session = get_object_or_404(selectors.round_sessions_for(round=round, user=request.user), pk=session_id)
    return round, session


@round_staff_required
def session_rank(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    round, session = _coordinated(request, pk, session_id)
    applications = selectors.session_rank_rows(round=round, session=session)
    label = lambda a: a.applicant.full_name or a.applicant.email  # noqa: E731
    order, status = None, 200
    if request.method == "POST":
        order, saved = _rank_post(
            request,
            applications,
            label=label,
            save=lambda ids: services.session_ranks_save(
                round_id=round.pk, session_id=session.pk, actor=request.user, application_ids=ids
            ),
        )
        if saved:
            return redirect("rounds:session_rank", round.pk, session.pk)
        status = 400 if order and order.error else 200
    rows = _rows(applications, order=order, label=label, detail=lambda a: a.applicant.email)
    return render(
        request,
        "rounds/session_rank.html",
        {
            "round": round,
            "session": session,
            "rows": rows,
            "open": round.accepts_ranks(timezone.now()),
            "import_form": RankImportForm(),
        },
        status=status,
    )


@round_staff_required
@require_POST
def session_import(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    round, session = _coordinated(request, pk, session_id)
    form = RankImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = services.session_ranks_import(
                round_id=round.pk, session_id=session.pk, actor=request.user, csv_text=form.cleaned_data["file"]
            )
        except RoundError as exc:
            messages.error(request, _("Nothing was imported. %(reason)s") % {"reason": exc.message})
        else:
            messages.success(
                request,
                ngettext(
                    "Imported %(n)s ranked applicant; the list below replaces the old one.",
                    "Imported %(n)s ranked applicants; the list below replaces the old one.",
                    count,
                )
                % {"n": count},
            )
    else:
        messages.error(
            request, _("Nothing was imported. %(reason)s") % {"reason": " ".join(form.errors.get("file", []))}
        )
    return redirect("rounds:session_rank", round.pk, session.pk)
