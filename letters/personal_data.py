"""Letters in "My data": who the applicant asked and what became of each request; erased on deletion.

The letters themselves are not in the export: a writer wrote them in confidence, to programmes,
and the portal never shows them to the applicant. On deletion the requests, the letters and
their files go (files once the deletion has committed): they are about the applicant, and no
programme may read them any more once the account is gone.
"""

from typing import Any

from django.db import transaction

from applicants.uploads import delete_stored

from .models import Letter, LetterRequest


def export(user: Any) -> dict[str, Any]:
    return {
        "letter_requests.json": [
            {
                "writer_name": r.writer_name,
                "writer_email": r.writer_email,
                "writer_title": r.writer_title,
                "writer_institution": r.writer_institution,
                "relationship": r.relationship,
                "message": r.message,
                "waived_right_to_read": r.waived,
                "status": r.status,
                "created_at": r.created_at,
                "due_at": r.due_at,
                "uploaded_at": r.uploaded_at,
                "declined_at": r.declined_at,
                "revoked_at": r.revoked_at,
            }
            for r in LetterRequest.objects.filter(applicant=user).order_by("created_at", "pk")
        ]
    }


def erase(user: Any) -> None:

    asked = LetterRequest.objects.filter(applicant=user)
    names = list(Letter.objects.filter(request__in=asked).values_list("file", flat=True))
    # Unhook the current letters first (an "uploaded" request must point at one, hence the status:
    # the rows are deleted in the next statement anyway).
    asked.update(current_letter=None, status=LetterRequest.Status.REVOKED)
    asked.delete()
    transaction.on_commit(lambda: [delete_stored(name) for name in names])
