"""Bulk reads that feed the match engine: a constant number of queries whatever the round's size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from applications.models import Application
from applications.states import SEAT_HOLDING, Status
from placements.models import Session

from .models import ApplicantRank, Round, RoundOutcome, SessionRank
from .querysets import RANKABLE, rankable_applications


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
        ApplicantRank.objects.filter(round=round)
        .order_by("applicant_id", "position")
        .values_list("applicant_id", "application_id")
    ):
        participants.add(applicant_id)
        session_id, _owner, rankable = applications.get(application_id, (0, 0, False))
        if rankable:
            applicant_ranks.setdefault(applicant_id, []).append(session_id)
            application_of[(applicant_id, session_id)] = application_id

    session_ranks: dict[int, list[int]] = {}
    for session_id, application_id in (
        SessionRank.objects.filter(round=round)
        .order_by("session_id", "position")
        .values_list("session_id", "application_id")
    ):
        _session, applicant_id, rankable = applications.get(application_id, (0, 0, False))
        if rankable:
            session_ranks.setdefault(session_id, []).append(applicant_id)
            # Ranked by a session without a list of their own: present, but they cannot match.
            applicant_ranks.setdefault(applicant_id, [])

    # An archived session makes no more offers: it takes part with no place to give.
    capacities = {
        pk: 0 if archived else max(seats - taken.get(pk, 0), 0)
        for pk, seats, archived in round.sessions.order_by().values_list("pk", "seats", "is_archived")
    }
    return MatchInput(
        applicant_ranks=applicant_ranks,
        session_ranks=session_ranks,
        capacities=capacities,
        application_of=application_of,
        participants=frozenset(participants),
    )


def applicant_rank_list(*, round: Round, applicant: Any) -> list[Application]:
    """The applicant's saved list, best first."""
    return [
        r.application
        for r in ApplicantRank.objects.filter(round=round, applicant=applicant)
        .select_related("application__session__listing__institution")
        .order_by("position")
    ]


def applicant_rounds(applicant: Any) -> QuerySet[Round]:
    """Rounds the applicant takes part in: one of their submitted applications is to a session in it."""
    mine = Application.objects.filter(session__match_rounds=OuterRef("pk"), applicant=applicant).exclude(
        status=Status.DRAFT
    )
    return Round.objects.filter(Exists(mine)).order_by("rank_deadline")


def coordinator_rounds(user: Any) -> QuerySet[Round]:
    """Rounds over at least one session of the user's institutions (every round for an admin)."""
    if user.is_admin:
        return Round.objects.order_by("-publish_at")
    ours = Session.objects.filter(
        match_rounds=OuterRef("pk"), listing__institution_id__in=user.coordinator_institution_ids
    )
    return Round.objects.filter(Exists(ours)).order_by("-publish_at")


def may_manage_round(*, round: Round, user: Any) -> bool:
    """Who may edit or cancel a round: an admin, or a coordinator of the round's institution. A
    round an admin opened across institutions (no institution) is the admins' alone."""
    return bool(
        user.is_admin or (round.institution_id is not None and round.institution_id in user.coordinator_institution_ids)
    )


def rounds_managed_by(user: Any) -> QuerySet[Round]:
    """The rounds ``user`` may edit or cancel (see may_manage_round)."""
    if user.is_admin:
        return Round.objects.all()
    return Round.objects.filter(institution_id__in=user.coordinator_institution_ids)


def round_ranked_applicants(*, round: Round) -> int:
    """How many applicants saved a rank list in the round: those a change to it is told to."""
    return ApplicantRank.objects.filter(round=round, applicant__is_active=True).values("applicant").distinct().count()


def round_session_choices(*, round: Round) -> QuerySet[Session]:
    """The sessions an edit of ``round`` may hold: those it holds, and the unarchived sessions of
    its institution (of every institution, for a round an admin opened across institutions)."""
    eligible = Q(is_archived=False)
    if round.institution_id is not None:
        eligible &= Q(listing__institution_id=round.institution_id)
    return (
        Session.objects.filter(eligible | Q(pk__in=round.sessions.values("pk")))
        .select_related("listing")
        .order_by("listing__title", "start_date")
    )


def round_sessions_for(*, round: Round, user: Any) -> QuerySet[Session]:
    """The round's sessions this coordinator ranks for (all of them for an admin)."""
    sessions = round.sessions.select_related("listing__institution").order_by("listing__title", "start_date", "pk")
    if user.is_admin:
        return sessions
    return sessions.filter(listing__institution_id__in=user.coordinator_institution_ids)


def applicant_rank_rows(*, round: Round, applicant: Any) -> list[Application]:
    """The applicant's rankable applications in the round, saved order first (``position``), then the rest."""
    position = ApplicantRank.objects.filter(round=round, application=OuterRef("pk")).values("position")[:1]
    return list(
        rankable_applications(Application.objects.filter(applicant=applicant, session__match_rounds=round))
        .annotate(position=Subquery(position))
        .select_related("session__listing__institution")
        .order_by(F("position").asc(nulls_last=True), "session__start_date", "pk")
    )


def session_rank_rows(*, round: Round, session: Session) -> list[Application]:
    """Rankable applications to one session, in the coordinators' saved order, then the rest."""
    position = SessionRank.objects.filter(round=round, application=OuterRef("pk")).values("position")[:1]
    return list(
        rankable_applications(Application.objects.filter(session=session))
        .annotate(position=Subquery(position))
        .select_related("applicant")
        .order_by(F("position").asc(nulls_last=True), "submitted_at", "pk")
    )


def sessions_with_seats(*, round: Round) -> list[Session]:
    """The round's sessions that still have a free seat after publication, for the unmatched."""
    holding = (
        Application.objects.filter(session=OuterRef("pk"), status__in=SEAT_HOLDING)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        round.sessions.annotate(free=F("seats") - Coalesce(Subquery(holding), 0))
        .filter(free__gt=0)
        .select_related("listing__institution")
        .order_by("start_date", "listing__title")
    )


def round_outcomes_for_sessions(*, round: Round, sessions: Iterable[Session]) -> dict[int, list[Application]]:
    """Matched applications per session (for the coordinators' result page), in one query."""
    matched: dict[int, list[Application]] = {}
    for outcome in (
        RoundOutcome.objects.filter(round=round, application__session__in=sessions)
        .select_related("application__applicant")
        .order_by("application__applicant__full_name")
    ):
        application = outcome.application
        assert application is not None  # filtered on its session
        matched.setdefault(application.session_id, []).append(application)
    return matched
