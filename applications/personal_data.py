"""Applications in "My data": exported with what the applicant saw; kept, anonymised, on deletion.

Nothing is erased here: programmes keep their record of an application (the user row it points
at is anonymised by applicants.services.account_delete). Coordinators' internal events, notes
and scores are their working papers about the applicant and are not shown to applicants in the
portal, so they are not in the export either.
"""

from typing import Any

from django.db.models import Prefetch

from .models import Answer, Application, ApplicationEvent, ChecklistItem


def export(user: Any) -> dict[str, Any]:
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("session__listing__institution", "certificate", "review")
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.filter(internal=False)),
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            Prefetch("checklist", queryset=ChecklistItem.objects.filter(coordinator_only=False)),
            "documents",
        )
        .order_by("created_at", "pk")
    )
    return {"applications.json": [_application(a) for a in applications]}


def _application(a: Application) -> dict[str, Any]:
    session = a.session
    certificate = getattr(a, "certificate", None)
    review = getattr(a, "review", None)
    return {
        "listing": session.listing.title,
        "institution": session.listing.institution.name,
        "session": {"start_date": session.start_date, "end_date": session.end_date},
        "status": a.status,
        "personal_statement": a.personal_statement,
        "created_at": a.created_at,
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
        "offer_expires_at": a.offer_expires_at,
        "completed_at": a.completed_at,
        "evaluation": a.evaluation,
        "documents_sent": [d.kind for d in a.documents.all()],
        "answers": [{"question": x.question.prompt, "answer": x.value} for x in a.answers.all()],
        "timeline": [
            {"at": e.created_at, "from": e.from_status, "to": e.to_status, "message": e.message} for e in a.events.all()
        ],
        "checklist": [{"step": c.label, "done": c.done_at is not None} for c in a.checklist.all()],
        "certificate": certificate and {"holder_name": certificate.holder_name, "issued_at": certificate.issued_at},
        "review": review and {"hands_on": review.hands_on, "comment": review.comment, "created_at": review.created_at},
    }
