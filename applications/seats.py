"""Seats: lock a session before counting who holds its places.

Open offers and accepted (enrolled, completed) places together never exceed `Session.seats`.
Every move locks the session row first and the application second, always in that order, so
two moves in one session never deadlock and two claims on the last seat are serialised: the
second one counts after the first has committed.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection
from django.utils.translation import gettext as _

from placements.models import Session

from .errors import TryAgain
from .states import SEAT_HOLDING

# The concurrency test's negative control switches this off to show that, without the lock,
# concurrent claims oversell. Production never changes it.
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


def seats_taken(session: Session) -> int:
    return session.applications.filter(status__in=SEAT_HOLDING).count()


def seats_free(session: Session) -> int:
    return max(session.seats - seats_taken(session), 0)
