"""Reads that span several relations, one function per page or question."""
from __future__ import annotations

from typing import Any

from .models import LetterRequest


def applicant_letters_page(user: Any) -> dict[str, Any]:
    """Everything the applicant's letters page shows, in a constant number of queries."""
    letter_requests = list(LetterRequest.objects.of_applicant(user).select_related("current_letter"))
    return {
        "letter_requests": letter_requests,
        "resendable": LetterRequest.RESENDABLE,
        "revocable": LetterRequest.REVOCABLE,
    }


def programmes_for_writer(letter_request: LetterRequest) -> list[Any]:
    """The programmes the writer's letter will go to, so they can tailor it."""
    return []


def used_in_submitted_application(letter_request: LetterRequest) -> bool:
    return False
