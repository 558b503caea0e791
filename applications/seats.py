"""Seats: lock a session before counting who holds its places.

Open offers and accepted (enrolled, completed) places together never exceed `Session.seats`.
Every move locks the session row first and the application second, always in that order, so
two moves in one session never deadlock and two claims on the last seat are serialised: the
second one counts after the first has committed.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from placements import places
from placements.models import Session

from .errors import ApplicationError, TryAgain
from .models import Application
from .states import SEAT_HOLDING, Status

# The concurrency tests' negative controls switch this off (the session's and the applications'
# row locks) to show that, without the locks, concurrent claims oversell. Production never changes it.
LOCKING = True


def lock_session(session_id: int) -> Session:
    """Return the session, locked FOR UPDATE until the surrounding transaction ends.

    On PostgreSQL every lock wait in the rest of the transaction is capped at
    APPLICATIONS_LOCK_TIMEOUT_MS; run the transaction inside `lock_waits_answer_try_again` so
    that a timeout reaches the user as TryAgain instead of a hung request or a 500.
    """
    sessions = Session.objects.select_related("listing__institution")
    if not LOCKING:
        return sessions.get(pk=session_id)
    if connection.vendor == "postgresql":
        timeout_ms = int(settings.APPLICATIONS_LOCK_TIMEOUT_MS)
        with connection.cursor() as cursor:
            # SET LOCAL lasts until the end of this transaction only; it cannot take a parameter.
            cursor.execute(f"SET LOCAL lock_timeout = '{timeout_ms}ms'")
    return sessions.select_for_update(of=("self",)).get(pk=session_id)


@contextmanager
def lock_waits_answer_try_again() -> Iterator[None]:
    """Turn PostgreSQL's lock_timeout (SQLSTATE 55P03) into TryAgain. Wrap the whole atomic
    block with it: the failed transaction must be rolled back before anything else runs."""
    try:
        yield
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "55P03":
            raise TryAgain(
                _("Someone else is updating this session's places right now. Please try again in a moment.")
            ) from exc
        raise


def lock_sessions(session_ids: Iterable[int]) -> dict[int, Session]:
    """Lock several sessions, in id order so that two such callers never deadlock; by id."""
    sessions = Session.objects.filter(pk__in=sorted(set(session_ids))).order_by("pk").only("pk", "seats", "is_archived")
    if LOCKING:
        sessions = sessions.select_for_update()
    return {session.pk: session for session in sessions}


def lock_applications(applications: QuerySet[Application]) -> QuerySet[Application]:
    """The applications' rows FOR UPDATE (their session's lock is taken first)."""
    return applications.select_for_update(of=("self",)) if LOCKING else applications


def places_held(session_ids: Iterable[int]) -> dict[int, places.PlacesHeld]:
    """Accepted (enrolled, completed) places and open offers per session; sessions holding none are left out.
    Registered with `placements.places`, which asks before lowering seats or archiving a session."""
    rows = (
        Application.objects.filter(session_id__in=list(session_ids), status__in=SEAT_HOLDING)
        .order_by()
        .values("session_id")
        .annotate(offered=Count("pk", filter=Q(status=Status.OFFERED)), all=Count("pk"))
        .values_list("session_id", "offered", "all")
    )
    return {pk: places.PlacesHeld(accepted=every - offered, offered=offered) for pk, offered, every in rows}


# The database's own refusals (constraints and the seats trigger), in the words of a move.
_REFUSALS = {
    places.ARCHIVED_WITHOUT_OFFERS: lambda refusal: _("This session was archived: no offer can be made in it."),
    places.PLACES_WITHIN_SEATS: lambda refusal: (
        _("All %(seats)s places in this session are taken or offered. Waitlist the applicant instead.")
        % {"seats": refusal.seats}
    ),
    "application_one_seat_per_applicant_session": lambda refusal: _(
        "This applicant already holds a place in this session."
    ),
    "application_waitlist_position_unique": lambda refusal: _(
        "Someone else changed this waitlist at the same time. Please reload it and try again."
    ),
}


@contextmanager
def refusals_in_words() -> Iterator[None]:
    """Turn the database's refusal of a broken seat invariant into ApplicationError. Wrap the whole
    atomic block with it: the seats trigger is deferred, so it refuses at COMMIT."""
    try:
        yield
    except IntegrityError as exc:
        refusal = places.refusal_from_database(exc)
        rule = refusal.rule if refusal else getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        if rule not in _REFUSALS:
            raise
        raise ApplicationError(_REFUSALS[rule](refusal)) from exc


def seats_taken(session: Session) -> int:
    return session.applications.filter(status__in=SEAT_HOLDING).count()


def seats_free(session: Session) -> int:
    return max(session.seats - seats_taken(session), 0)
