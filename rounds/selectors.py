"""Bulk reads that feed the match engine: a constant number of queries whatever the round's size."""
from __future__ import annotations

from dataclasses import dataclass

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
    """Read every rank list and free seat of ``round`` in four queries, none of them a join.

    The round's applications are read once (id, session, applicant, state) and the rank rows
    are resolved against them in Python: at national scale (540,000 entries per side) that is
    about twice as fast as joining and sorting in the database. Entries whose application left
    the rankable states since it was ranked (withdrawn, offered by hand, rejected) are dropped
    here rather than at save time: the lists were valid when saved, and nobody should have to
    save theirs again.
    """
    applications: dict[int, tuple[int, int, bool]] = {}
    taken: dict[int, int] = {}
    rows = (
        Application.objects.filter(session__match_rounds=round)
        .order_by()
        .values_list("pk", "session_id", "applicant_id", "status", "eligible_at_submit")
    )
    for pk, session_id, applicant_id, status, eligible in rows:
        applications[pk] = (session_id, applicant_id, status in RANKABLE and eligible is not False)
        if status in SEAT_HOLDING:
            taken[session_id] = taken.get(session_id, 0) + 1

    applicant_ranks: dict[int, list[int]] = {}
    application_of: dict[tuple[int, int], int] = {}
    participants: set[int] = set()
    # Everyone who saved a list is a participant, even if none of its entries is still open.
    for applicant_id, application_id in (
        ApplicantRank.objects.filter(round=round).order_by("applicant_id", "position")
        .values_list("applicant_id", "application_id")
    ):
        participants.add(applicant_id)
        session_id, _owner, rankable = applications.get(application_id, (0, 0, False))
        if rankable:
            applicant_ranks.setdefault(applicant_id, []).append(session_id)
            application_of[(applicant_id, session_id)] = application_id

    session_ranks: dict[int, list[int]] = {}
    for session_id, application_id in (
        SessionRank.objects.filter(round=round).order_by("session_id", "position")
        .values_list("session_id", "application_id")
    ):
        _session, applicant_id, rankable = applications.get(application_id, (0, 0, False))
        if rankable:
            session_ranks.setdefault(session_id, []).append(applicant_id)
            # Ranked by a session without a list of their own: present, but they cannot match.
            applicant_ranks.setdefault(applicant_id, [])

    capacities = {
        pk: max(seats - taken.get(pk, 0), 0)
        for pk, seats in round.sessions.order_by().values_list("pk", "seats")
    }
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
