"""Reads that span several relations, one function per page or question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.models import Application

from .models import LetterAssignment, LetterRequest

Status = LetterRequest.Status


@dataclass(frozen=True)
class Programme:
    title: str
    institution: str
    deadline: Any


def applicant_letters_page(user: Any) -> dict[str, Any]:
    """Everything the applicant's letters page shows, in a constant number of queries."""
    letter_requests = list(LetterRequest.objects.of_applicant(user).select_related("current_letter"))
    drafts = list(
        Application.objects.of_applicant(user)
        .filter(status=Application.Status.DRAFT)
        .select_related("session__listing__institution")
        .annotate(letter_count=Count("letter_assignments"))
        .order_by("session__applications_close_at")
    )
    return {
        "letter_requests": letter_requests,
        "draft_applications": drafts,
        "resendable": LetterRequest.RESENDABLE,
        "revocable": LetterRequest.REVOCABLE,
    }


def assignment_page(application: Any) -> dict[str, Any]:
    """The applicant's letters that could go with this application, and those chosen now."""
    chosen = assigned_ids(application)
    candidates = LetterRequest.objects.of_applicant(application.applicant).filter(
        Q(status__in=LetterRequest.ACTIVE) | Q(pk__in=chosen)
    )
    # A chosen letter stays listed even if its request lapsed since, so the applicant sees why
    # the application cannot be submitted and can unassign it.
    assignable = [r for r in candidates if r.shown_status in LetterRequest.ACTIVE or r.pk in chosen]
    return {"letter_requests": assignable, "assigned_ids": chosen}


def assigned_ids(application: Any) -> set[int]:
    return set(LetterAssignment.objects.filter(application=application).values_list("letter_request_id", flat=True))


def programmes_for_writer(letter_request: LetterRequest) -> list[Programme]:
    """The programmes the writer's letter will go to, so they can tailor it."""
    assignments = LetterAssignment.objects.filter(letter_request=letter_request).select_related(
        "application__session__listing__institution"
    )
    return [
        Programme(
            title=a.application.session.listing.title,
            institution=a.application.session.listing.institution.name,
            deadline=a.application.session.applications_close_at,
        )
        for a in assignments
    ]


def used_in_submitted_application(letter_request: LetterRequest) -> bool:
    """Once an application with this letter has been submitted, the file is what the programme got."""
    return LetterAssignment.objects.filter(
        letter_request=letter_request, application__submitted_at__isnull=False
    ).exists()


def packet_letters(application: Any) -> list[LetterRequest]:
    """The letters a coordinator may read for this application: assigned now, with a file stored."""
    return list(
        LetterRequest.objects.filter(assignments__application=application, current_letter__isnull=False)
        .select_related("current_letter")
        .order_by("assignments__assigned_at", "pk")
    )


def rotation_for_writer(letter_request: LetterRequest) -> Any:
    """The completed rotation the request names, with what the writer's page shows of it."""
    if letter_request.rotation_id is None:
        return None
    return Application.objects.select_related("session__listing__institution").get(pk=letter_request.rotation_id)


def letter_is_locked(letter_request: LetterRequest) -> bool:
    """True once the letter has gone to a programme in a submitted application: it is then final."""
    return used_in_submitted_application(letter_request)


def too_many_letters(maximum: int) -> str:
    return ngettext(
        "This programme accepts at most %(max)d letter of recommendation.",
        "This programme accepts at most %(max)d letters of recommendation.",
        maximum,
    ) % {"max": maximum}


def assignment_problems(application: Any) -> list[str]:
    """What about the application's letters stops it from being submitted; empty when nothing does.

    The applications' submit check calls this (registered in LettersConfig.ready()), so the rule
    lives here with the letters: the number of letters within the listing's minimum and maximum,
    and each one really uploaded.
    """
    listing = application.session.listing
    assigned = list(
        LetterRequest.objects.filter(assignments__application=application).only(
            "writer_name", "status", "current_letter_id"
        )
    )
    problems = []
    if len(assigned) < listing.min_letters:
        problems.append(
            ngettext(
                "This programme asks for at least %(min)d letter of recommendation; you have assigned %(count)d.",
                "This programme asks for at least %(min)d letters of recommendation; you have assigned %(count)d.",
                listing.min_letters,
            )
            % {"min": listing.min_letters, "count": len(assigned)}
        )
    if len(assigned) > listing.max_letters:
        problems.append(
            too_many_letters(listing.max_letters) + " " + _("You have assigned %(count)d.") % {"count": len(assigned)}
        )
    for letter_request in assigned:
        if not (letter_request.status == Status.UPLOADED and letter_request.has_file):
            problems.append(
                _("The letter from %(name)s has not arrived yet: wait for it, or unassign it.")
                % {"name": letter_request.writer_name}
            )
    return problems
