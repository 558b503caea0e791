"""Helpers for races run on PostgreSQL with real threads, each on its own connection.

A race is made certain rather than lucky by a barrier between each side's reading and its writing:
without the locks both sides read the same state, then both write; with them, the second side
waits for the first one's commit before it reads, so the first one's barrier times out alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, connections, transaction

from applications.errors import ApplicationError
from placements.services import PlacementsError
from rounds.errors import RoundError
from tests.applications.factories import ensure_seeded_specialty, reseed_after_module_flush

# pytestmark of a module of races; import the two autouse fixtures below into it as well.
RACES = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL row locks and concurrent connections; SQLite serialises writers. CI runs PostgreSQL.",
    ),
    # The seeded specialties are put back before each test (tests/conftest.py) and after the module.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module", autouse=True)
def reseed_after_the_module(django_db_setup, django_db_blocker):
    yield from reseed_after_module_flush(django_db_blocker)


@pytest.fixture(autouse=True)
def seeded_specialty():
    ensure_seeded_specialty()


# The seats trigger (applications' migration "seat_invariants"): table, trigger.
SEATS_TRIGGERS = [
    ("applications_application", "session_places_within_seats_on_insert"),
    ("applications_application", "session_places_within_seats_on_update"),
    ("placements_session", "session_places_within_seats_on_session"),
]
REFUSALS = (ApplicationError, PlacementsError, RoundError)


@contextmanager
def seats_trigger_off():
    """Negative controls only: without the trigger, nothing but the locks holds the seats."""
    with connection.cursor() as cursor:
        for table, trigger in SEATS_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table, trigger in SEATS_TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def pausing_after(function: Callable, barrier: threading.Barrier, timeout: float = 0.5) -> Callable:
    """`function`, then a wait for the other side at `barrier` (going on alone when it never comes)."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        try:
            barrier.wait(timeout=timeout)
        except threading.BrokenBarrierError:
            pass  # the other side is queued behind our lock: go on
        return result

    return wrapped


class Told:
    """What a side of the race was told: its result, or the refusal's message."""

    def __init__(self) -> None:
        self.result: Any = None
        self.refusal: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.refusal is None

    def __repr__(self) -> str:
        return f"Told(result={self.result!r}, refusal={self.refusal!r})"


def run_at_once(*calls: Callable[[], Any]) -> list[Told]:
    """Run each call in its own thread (its own database connection); what each one was told.
    Anything but a refusal a person can read (a 500, in a view) fails the test."""
    told = [Told() for _ in calls]
    errors: list[BaseException] = []

    def run(call: Callable[[], Any], into: Told) -> None:
        try:
            into.result = call()
        except REFUSALS as exc:
            into.refusal = getattr(exc, "message", str(exc))
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call, into)) for call, into in zip(calls, told, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return told


def waits_on_a_lock(pid: int, timeout: float = 10.0) -> bool:
    """Whether the backend `pid` comes to wait on a lock within `timeout`."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
            time.sleep(0.02)
    return False


def a_then_b(change_a: Callable[[], object], change_b: Callable[[], object]) -> bool:
    """A changes and holds before its commit; B changes meanwhile; A commits once B waits on a lock
    (or after 10 s); B commits. Whether B came to wait on a lock: when it did not, the two did not
    overlap where the test meant them to."""
    a_changed, a_may_commit, b_pid_known = threading.Event(), threading.Event(), threading.Event()
    b_pid: list[int] = []
    errors: list[BaseException] = []

    def side_a() -> None:
        try:
            with transaction.atomic():
                change_a()
                a_changed.set()
                a_may_commit.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            a_changed.set()
            connections.close_all()

    def side_b() -> None:
        try:
            a_changed.wait(timeout=30)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                b_pid.append(cursor.fetchone()[0])
            b_pid_known.set()
            with transaction.atomic():
                change_b()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            b_pid_known.set()
            connections.close_all()

    threads = [threading.Thread(target=side_a), threading.Thread(target=side_b)]
    for thread in threads:
        thread.start()
    b_pid_known.wait(timeout=30)
    b_waited = bool(b_pid) and waits_on_a_lock(b_pid[0])
    a_may_commit.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return b_waited
