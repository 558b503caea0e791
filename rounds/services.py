"""Writes to match rounds: opening, editing and cancelling one, saving rank lists, publishing the match.

A round's row is the lock every write takes first: a rank list saved while the round publishes is
either fully in the match or refused, never half read. Publication then locks the round's sessions
(in id order) and moves the matched applications to "offered" through
`applications.services.application_offer_many`, so the transition table, seats, events and
e-mails follow the normal workflow.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.models import Application
from applications.seats import lock_sessions, refusals_in_words
from applications.services import application_offer_many
from audit.services import audit_record
from placements.models import Session

from .emails import round_cancelled_messages_enqueue, round_changed_messages_enqueue
from .engine import RankListError, rank_list_from_positions, run_match
from .errors import RoundError
from .models import ApplicantRank, Round, RoundOutcome, SessionRank
from .querysets import rankable_applications
from .selectors import may_manage_round, round_match_input


def round_open(
    *,
    actor: Any,
    name: str,
    session_ids: Sequence[int],
    rank_deadline: dt.datetime,
    publish_at: dt.datetime,
    offer_deadline: dt.datetime,
    now: dt.datetime | None = None,
) -> Round:
    """Open a round over sessions: an admin over any, a coordinator over their institution's."""
    now = now or timezone.now()
    sessions = list(Session.objects.filter(pk__in=set(session_ids)).select_related("listing"))
    if not sessions or len(sessions) != len(set(session_ids)):
        raise RoundError(_("Choose at least one session, and only sessions that exist."))
    institutions = {s.listing.institution_id for s in sessions}
    if actor.is_admin:
        institution_id = institutions.pop() if len(institutions) == 1 else None
    elif actor.is_coordinator and institutions <= actor.coordinator_institution_ids and len(institutions) == 1:
        institution_id = institutions.pop()
    else:
        raise RoundError(_("Coordinators can open a round only over their own institution's sessions."))
    if not now < rank_deadline <= publish_at < offer_deadline:
        raise RoundError(_order_message())
    with transaction.atomic():
        _refuse_sessions_busy(sessions)
        round = Round.objects.create(
            name=name.strip(),
            institution_id=institution_id,
            rank_deadline=rank_deadline,
            publish_at=publish_at,
            offer_deadline=offer_deadline,
            opened_by=actor,
        )
        round.sessions.set(sessions)
    return round


def _order_message() -> str:
    return _(
        "The rank deadline must be in the future, the publication at or after it, and the offer deadline after that."
    )


def _refuse_sessions_busy(sessions: Sequence[Session], *, besides: Round | None = None) -> None:
    """A session takes part in one open round at a time: its applicants rank it once."""
    busy = Round.objects.filter(status=Round.Status.OPEN, sessions__in=sessions)
    if besides is not None:
        busy = busy.exclude(pk=besides.pk)
    first = busy.first()
    if first:
        raise RoundError(_("A session is already in the open round “%(name)s”.") % {"name": first.name})


def _lock_round(round_id: int) -> Round:
    """The round's row, locked until the transaction ends: every write to a round takes it first."""
    round = Round.objects.select_for_update().filter(pk=round_id).first()
    if round is None:
        raise RoundError(_("That round does not exist."))
    return round


def _lock_open_round(round_id: int, now: dt.datetime) -> Round:
    round = _lock_round(round_id)
    if round.status == Round.Status.CANCELLED:
        raise RoundError(_("This round was cancelled; its rank lists are kept but can no longer change."))
    if not round.accepts_ranks(now):
        raise RoundError(_("The rank deadline of this round has passed; lists can no longer change."))
    return round


def _session_label(session: Session) -> str:
    return f"{session.listing.title}, {session.start_date:%b %-d, %Y}"


def round_update(
    *,
    round_id: int,
    actor: Any,
    name: str,
    session_ids: Sequence[int],
    rank_deadline: dt.datetime,
    publish_at: dt.datetime,
    offer_deadline: dt.datetime,
    now: dt.datetime | None = None,
) -> Round:
    """Change an open round before its publication time: name, moments and sessions.

    A moment that changes must be in the future; together they keep the order the model's
    constraints hold. A session can join only from the round's institution (any, for a round an
    admin opened across institutions), and cannot leave once it is ranked in this round, by an
    applicant or by its coordinators. Applicants who ranked are told when the rank deadline or the
    publication time moves.
    """
    now = now or timezone.now()
    wanted = set(session_ids)
    with transaction.atomic():
        round = _lock_round(round_id)
        if not may_manage_round(round=round, user=actor):
            raise RoundError(_("Only the coordinators of this round's institution can change it."))
        refusal = round.change_refusal(now)
        if refusal:
            raise RoundError(refusal)
        old = {
            "rank_deadline": round.rank_deadline,
            "publish_at": round.publish_at,
            "offer_deadline": round.offer_deadline,
        }
        new = {"rank_deadline": rank_deadline, "publish_at": publish_at, "offer_deadline": offer_deadline}
        moved = {field for field in new if new[field] != old[field]}
        if any(new[field] <= now for field in moved):
            raise RoundError(_("A new rank deadline, publication time or offer deadline cannot be in the past."))
        if not rank_deadline <= publish_at < offer_deadline:
            raise RoundError(_order_message())

        sessions = {s.pk: s for s in Session.objects.filter(pk__in=wanted).select_related("listing")}
        if not sessions or len(sessions) != len(wanted):
            raise RoundError(_("Choose at least one session, and only sessions that exist."))
        current = set(round.sessions.values_list("pk", flat=True))
        added = [sessions[pk] for pk in sorted(wanted - current)]
        if round.institution_id is not None and any(s.listing.institution_id != round.institution_id for s in added):
            raise RoundError(_("A round can hold only its own institution's sessions."))
        removed = current - wanted
        ranked = set(
            ApplicantRank.objects.filter(round=round, application__session__in=removed).values_list(
                "application__session", flat=True
            )
        ) | set(SessionRank.objects.filter(round=round, session__in=removed).values_list("session", flat=True))
        if ranked:
            names = [
                _session_label(s)
                for s in Session.objects.filter(pk__in=ranked).select_related("listing").order_by("start_date", "pk")
            ]
            raise RoundError(
                ngettext(
                    "“%(sessions)s” is already ranked in this round, so it cannot be removed.",
                    "“%(sessions)s” are already ranked in this round, so they cannot be removed.",
                    len(names),
                )
                % {"sessions": "”, “".join(names)}
            )
        if added:
            _refuse_sessions_busy(added, besides=round)
        renamed = name.strip() != round.name
        if not (renamed or moved or added or removed):
            return round  # saved unchanged (a second click): nothing to record or tell

        old_name, round.name = round.name, name.strip()
        round.rank_deadline, round.publish_at, round.offer_deadline = rank_deadline, publish_at, offer_deadline
        round.save(update_fields=["name", "rank_deadline", "publish_at", "offer_deadline"])
        if added or removed:
            round.sessions.set(sorted(wanted))
        event = audit_record(
            actor=actor,
            action="round.changed",
            obj=round,
            renamed=[old_name, round.name] if renamed else [],
            moved={field: [old[field].isoformat(), new[field].isoformat()] for field in sorted(moved)},
            sessions_added=sorted(s.pk for s in added),
            sessions_removed=sorted(removed),
        )
        if moved & {"rank_deadline", "publish_at"}:
            round_changed_messages_enqueue(round=round, change_id=event.pk)
    return round


def round_cancel(*, round_id: int, actor: Any, now: dt.datetime | None = None) -> bool:
    """Cancel an open round: no match runs, rank lists stay for the record but cannot change, and
    each applicant who ranked is told once. Returns False when it was already cancelled (a double
    click, a second coordinator): nothing changes and nobody is told again."""
    now = now or timezone.now()
    with transaction.atomic():
        round = _lock_round(round_id)
        if not may_manage_round(round=round, user=actor):
            raise RoundError(_("Only the coordinators of this round's institution can cancel it."))
        if round.status == Round.Status.CANCELLED:
            return False
        refusal = round.cancel_refusal()
        if refusal:
            raise RoundError(refusal)
        round.status = Round.Status.CANCELLED
        round.cancelled_at = now
        round.save(update_fields=["status", "cancelled_at"])
        audit_record(actor=actor, action="round.cancelled", obj=round)
        round_cancelled_messages_enqueue(round=round)
    return True


def _refuse_repeats(application_ids: Sequence[int]) -> None:
    if len(set(application_ids)) != len(application_ids):
        raise RoundError(_("Each choice can appear only once in a rank list."))


def applicant_ranks_save(
    *, round_id: int, applicant: Any, application_ids: Sequence[int], now: dt.datetime | None = None
) -> None:
    """Replace the applicant's rank list with ``application_ids`` (their own applications, best
    first), whole or not at all. An empty list withdraws them from the round."""
    now = now or timezone.now()
    _refuse_repeats(application_ids)
    with transaction.atomic():
        round = _lock_open_round(round_id, now)
        own = set(
            rankable_applications(
                Application.objects.filter(pk__in=application_ids, applicant=applicant, session__match_rounds=round)
            ).values_list("pk", flat=True)
        )
        if len(own) != len(application_ids):
            raise RoundError(_("A rank list can only hold your own open applications to this round's sessions."))
        ApplicantRank.objects.filter(round=round, applicant=applicant).delete()
        ApplicantRank.objects.bulk_create(
            ApplicantRank(round=round, applicant=applicant, application_id=pk, position=position)
            for position, pk in enumerate(application_ids, start=1)
        )


def _session_to_rank(*, round_id: int, session_id: int, actor: Any) -> Session:
    session = Session.objects.filter(pk=session_id, match_rounds=round_id).select_related("listing").first()
    if session is None:
        raise RoundError(_("That session is not in this round."))
    if not actor.is_admin and session.listing.institution_id not in actor.coordinator_institution_ids:
        raise RoundError(_("Only this institution's coordinators can rank its applicants."))
    return session


def session_ranks_save(
    *, round_id: int, session_id: int, actor: Any, application_ids: Sequence[int], now: dt.datetime | None = None
) -> None:
    """Replace one session's rank list (applications to it, best first), whole or not at all.

    The session's institution's coordinators write it; an admin may too.
    """
    now = now or timezone.now()
    _refuse_repeats(application_ids)
    with transaction.atomic():
        round = _lock_open_round(round_id, now)
        session = _session_to_rank(round_id=round.pk, session_id=session_id, actor=actor)
        found = rankable_applications(Application.objects.filter(pk__in=application_ids, session=session)).count()
        if found != len(application_ids):
            raise RoundError(_("A session's rank list can only hold open applications to that session."))
        SessionRank.objects.filter(round=round, session=session).delete()
        SessionRank.objects.bulk_create(
            SessionRank(round=round, session=session, application_id=pk, position=position, ranked_by=actor)
            for position, pk in enumerate(application_ids, start=1)
        )


def session_ranks_import(
    *, round_id: int, session_id: int, actor: Any, csv_text: str, now: dt.datetime | None = None
) -> int:
    """Replace a session's rank list from CSV lines ``email,rank`` (a header row is allowed).

    Every line is checked before anything is saved; the message names the first bad line. Two
    applicants with the same rank are a tie, which a match cannot break fairly, so it is refused.
    Returns how many applicants were ranked.
    """
    _session_to_rank(round_id=round_id, session_id=session_id, actor=actor)  # before saying who applied
    rows: list[tuple[str, int]] = []
    for number, line in enumerate(csv.reader(io.StringIO(csv_text.strip())), start=1):
        if not line or not "".join(line).strip():
            continue
        if len(line) != 2:
            raise RoundError(_("Line %(n)s: write an e-mail address and a rank, separated by a comma.") % {"n": number})
        email, rank = line[0].strip().lower(), line[1].strip()
        if number == 1 and "@" not in email:
            continue  # a header row
        if not rank.isdecimal() or int(rank) < 1:
            raise RoundError(
                _("Line %(n)s: the rank “%(rank)s” is not a whole number from 1.") % {"n": number, "rank": rank}
            )
        rows.append((email, int(rank)))
    try:
        emails = rank_list_from_positions(rows, owner=_("The file"))
    except RankListError as exc:
        raise RoundError(str(exc)) from None
    application_of = {
        email.lower(): pk
        for email, pk in rankable_applications(Application.objects.filter(session_id=session_id)).values_list(
            "applicant__email", "pk"
        )
    }
    unknown = [e for e in emails if e not in application_of]
    if unknown:
        raise RoundError(_("No open application to this session from %(emails)s.") % {"emails": ", ".join(unknown[:5])})
    session_ranks_save(
        round_id=round_id,
        session_id=session_id,
        actor=actor,
        application_ids=[application_of[e] for e in emails],
        now=now,
    )
    return len(emails)


def round_publish(*, round_id: int, now: dt.datetime | None = None) -> Round:
    """Run the match and publish it: offers to the matched, an outcome for every participant.

    Idempotent: a published round is returned as it is, so a retried or duplicated task changes
    nothing; so is a cancelled one, whose match never runs. All or nothing: if any offer is
    refused the whole publication rolls back.
    """
    now = now or timezone.now()
    with refusals_in_words(), transaction.atomic():
        round = _lock_round(round_id)
        if round.status != Round.Status.OPEN:
            return round
        if now < round.publish_at:
            raise RoundError(_("This round publishes at its publication time, not before."))
        # Lock the sessions before counting their free seats, so no offer made by hand lands
        # between the count and the match's own offers.
        lock_sessions(round.sessions.values_list("pk", flat=True))
        data = round_match_input(round=round)
        result = run_match(
            applicant_ranks=data.applicant_ranks, session_ranks=data.session_ranks, capacities=data.capacities
        )
        matched = {a: data.application_of[(a, s)] for a, s in result.assignment.items()}
        # One set-wise move for all offers: the same rules as application_move, a few statements
        # instead of a dozen queries per offer (40,000 offers in a national round). The round's
        # deadline replaces each session's usual offer window.
        application_offer_many(
            application_ids=sorted(matched.values()),
            expires_at=round.offer_deadline,
            message=_("You matched to this session in the round “%(name)s”.") % {"name": round.name},
            now=now,
        )
        _outcomes_insert(round_id=round.pk, outcomes=[(a, matched.get(a)) for a in sorted(data.participants)])
        round.status = Round.Status.PUBLISHED
        round.published_at = now
        round.matched_count = len(matched)
        round.unmatched_count = len(data.participants) - len(matched.keys() & data.participants)
        round.save(update_fields=["status", "published_at", "matched_count", "unmatched_count"])
    return round


def _outcomes_insert(*, round_id: int, outcomes: list[tuple[int, int | None]]) -> None:
    """Write one outcome row per participant. On PostgreSQL one INSERT ... SELECT FROM unnest of
    two arrays: 45,000 rows without building 45,000 model instances (Django's bulk_create spends
    most of its time preparing each field of each object, not in the database)."""
    if connection.vendor != "postgresql":
        RoundOutcome.objects.bulk_create(
            RoundOutcome(round_id=round_id, applicant_id=a, application_id=app) for a, app in outcomes
        )
        return
    table = connection.ops.quote_name(RoundOutcome._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # Only the quoted table name is interpolated; every value is a bound parameter.
            f"INSERT INTO {table} (round_id, applicant_id, application_id) "  # nosec B608
            "SELECT %s, a, app FROM unnest(%s::bigint[], %s::bigint[]) AS t(a, app)",
            [round_id, [a for a, _app in outcomes], [app for _a, app in outcomes]],
        )


def rounds_publish_due(*, now: dt.datetime | None = None) -> int:
    """Publish every open round whose publication time has come; returns how many."""
    now = now or timezone.now()
    published = 0
    for round_id in Round.objects.due(now).values_list("pk", flat=True):
        round_publish(round_id=round_id, now=now)
        published += 1
    return published
