"""Seats never oversell when many claims land at once: real threads, real PostgreSQL row locks.

Every claim (an offer, or the system promoting the waitlist) counts the session's held places and
takes one if any is free. The race is between the count and the write. To make the race certain
rather than lucky, each thread waits at a barrier right after counting: without the lock every
thread counts the same free places, then all write (the negative control must oversell); with the
lock only one thread at a time can be between its count and its commit, so the barrier times out
and the threads go through one by one.
"""
import threading

import pytest
from django.db import connection, connections, transaction

from applications import seats, services
from applications.errors import ApplicationError, TryAgain
from applications.models import Application
from applications.services import application_move
from applications.states import Actor, Status
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import SessionFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL row locks and concurrent connections; SQLite serialises writers. CI runs PostgreSQL.",
    ),
    # serialized_rollback: the flush after a transactional test would wipe the seeded specialties.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SEATS = 3
CLAIMS = 8


def _fire_concurrent_offers(monkeypatch, session, coordinator):
    applications = [ApplicationFactory(session=session, status=Status.UNDER_REVIEW) for _ in range(CLAIMS)]
    barrier = threading.Barrier(CLAIMS)
    real_seats_taken = services.seats_taken

    def seats_taken_then_wait(session):
        taken = real_seats_taken(session)
        try:
            barrier.wait(timeout=0.3)
        except threading.BrokenBarrierError:
            pass  # With the lock, the others are queued behind us and never arrive: go on.
        return taken

    monkeypatch.setattr(services, "seats_taken", seats_taken_then_wait)
    outcomes: list[str] = []

    def claim(application_id):
        try:
            application_move(application_id=application_id, to_status=Status.OFFERED, actor=coordinator, role=Actor.COORDINATOR)
            outcomes.append("offered")
        except ApplicationError as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(a.pk,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_offers_never_exceed_the_seats(monkeypatch, institution, coordinator):
    session = SessionFactory(listing__institution=institution, seats=SEATS)

    outcomes = _fire_concurrent_offers(monkeypatch, session, coordinator)

    assert len(outcomes) == CLAIMS
    assert outcomes.count("offered") == SEATS
    assert Application.objects.filter(session=session).holding_seats().count() == SEATS
    refusals = [o for o in outcomes if o != "offered"]
    assert all("places in this session are taken" in message for message in refusals)


def test_negative_control_without_the_lock_the_same_claims_oversell(monkeypatch, institution, coordinator):
    monkeypatch.setattr(seats, "LOCKING", False)
    session = SessionFactory(listing__institution=institution, seats=SEATS)

    _fire_concurrent_offers(monkeypatch, session, coordinator)

    assert Application.objects.filter(session=session).holding_seats().count() > SEATS


def test_a_lock_held_too_long_answers_try_again_and_changes_nothing(settings, institution, coordinator):
    settings.APPLICATIONS_LOCK_TIMEOUT_MS = 200
    session = SessionFactory(listing__institution=institution, seats=SEATS)
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    locked, release = threading.Event(), threading.Event()

    def hold_the_session_lock():
        with transaction.atomic():
            seats.lock_session(session.pk)
            locked.set()
            release.wait(timeout=10)
        connections.close_all()

    holder = threading.Thread(target=hold_the_session_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with pytest.raises(TryAgain, match="Please try again"):
            application_move(application_id=application.pk, to_status=Status.OFFERED, actor=coordinator, role=Actor.COORDINATOR)
    finally:
        release.set()
        holder.join(timeout=10)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert not application.events.exists()
