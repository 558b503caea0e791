"""Bulk reads that feed the match engine: a constant number of queries whatever the round's size."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from applications.models import Application
from applications.states import SEAT_HOLDING

from .models import ApplicantRank, Round, SessionRank
from .querysets import RANKABLE


@dataclass(frozen=True)
class MatchInput:
    """The engine's input keyed by user and session ids, and the application behind each pair.

    ``participants`` are the applicants who saved a rank list: each gets an outcome row."""

    applicant_ranks: dict[int, list[int]]
    session_ranks: dict[int, list[int]]
    capacities: dict[int, int]
    application_of: dict[tuple[int, int], int]
    participants: frozenset[int]


def round_match_input(*, round: Round) -> MatchInput:
    """Read every rank list and free seat of ``round`` in three queries.

    Entries whose application left the rankable states since it was ranked (withdrawn, offered
    elsewhere by hand, rejected) are dropped here rather than at save time, because the lists
    were valid when saved and the applicant should not have to save theirs again.
    """
    rankable = Q(application__status__in=RANKABLE) & ~Q(application__eligible_at_submit=False)
    applicant_ranks: dict[int, list[int]] = {}
    application_of: dict[tuple[int, int], int] = {}
    participants: set[int] = set()
    # One pass over every entry, rankable or not: everyone who saved a list is a participant.
    rows = (
        ApplicantRank.objects.filter(round=round)
        .order_by("applicant_id", "position")
        .values_list("applicant_id", "application__session_id", "application_id", "application__status",
                     "application__eligible_at_submit")
    )
    for applicant_id, session_id, application_id, status, eligible in rows:
        participants.add(applicant_id)
        if status in RANKABLE and eligible is not False:
            applicant_ranks.setdefault(applicant_id, []).append(session_id)
            application_of[(applicant_id, session_id)] = application_id

    session_ranks: dict[int, list[int]] = {}
    session_rows = (
        SessionRank.objects.filter(rankable, round=round)
        .order_by("session_id", "position")
        .values_list("session_id", "application__applicant_id")
    )
    for session_id, applicant_id in session_rows:
        session_ranks.setdefault(session_id, []).append(applicant_id)
        # Ranked by a session without a list of their own: present, but they cannot match.
        applicant_ranks.setdefault(applicant_id, [])

    sessions = round.sessions.annotate(
        taken=Count("applications", filter=Q(applications__status__in=SEAT_HOLDING))
    ).values_list("pk", "seats", "taken")
    capacities = {pk: max(seats - taken, 0) for pk, seats, taken in sessions}
    return MatchInput(
        applicant_ranks=applicant_ranks,
        session_ranks=session_ranks,
        capacities=capacities,
        application_of=application_of,
        participants=frozenset(participants),
    )


def applicant_rank_list(*, round: Round, applicant) -> list[Application]:
    """The applicant's saved list, best first."""
    return [
        r.application
        for r in ApplicantRank.objects.filter(round=round, applicant=applicant)
        .select_related("application__session__listing__institution")
        .order_by("position")
    ]
