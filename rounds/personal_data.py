"""Match rounds in "My data": the applicant's rank lists and what each round gave them.

Exported only, like applications: a published round's ranks and outcomes are the record of how
offers were made, so they stay with the anonymised account on deletion (applicants.services
account_delete). Coordinators' session rank lists are their working papers and are not exported.
"""

from typing import Any

from .models import ApplicantRank, RoundOutcome


def export(user: Any) -> dict[str, Any]:
    ranks = (
        ApplicantRank.objects.filter(applicant=user)
        .select_related("round", "application__session__listing__institution")
        .order_by("round_id", "position")
    )
    outcomes = (
        RoundOutcome.objects.filter(applicant=user)
        .select_related("round", "application__session__listing")
        .order_by("round_id")
    )
    return {
        "match_rank_lists.json": [
            {
                "round": r.round.name,
                "position": r.position,
                "application_id": r.application_id,
                "listing": r.application.session.listing.title,
                "institution": r.application.session.listing.institution.name,
                "session_starts": r.application.session.start_date,
            }
            for r in ranks
        ],
        "match_outcomes.json": [
            {
                "round": o.round.name,
                "matched": o.matched,
                "application_id": o.application_id,
                "listing": o.application.session.listing.title if o.application_id else None,
            }
            for o in outcomes
        ],
    }
