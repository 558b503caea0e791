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
from django.db import connections, transaction

from applications import seats, services
from applications.errors import ApplicationError, TryAgain
from applications.models import Application
from applications.services import application_move
from applications.states import Actor, Status
from tests.applications.concurrency import (  # noqa: F401 - the fixtures apply to this module
    RACES,
    reseed_after_the_module,
    seats_trigger_off,
    seeded_specialty,
)
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import SessionFactory

pytestmark = RACES

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
            application_move(
                application_id=application_id, to_status=Status.OFFERED, actor=coordinator, role=Actor.COORDINATOR
            )
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


def test_negative_control_without_the_lock_and_the_trigger_the_same_claims_oversell(
    monkeypatch, institution, coordinator
):
    monkeypatch.setattr(seats, "LOCKING", False)
    session = SessionFactory(listing__institution=institution, seats=SEATS)

    with seats_trigger_off():
        _fire_concurrent_offers(monkeypatch, session, coordinator)

    assert Application.objects.filter(session=session).holding_seats().count() > SEATS


def test_without_the_lock_the_database_trigger_alone_refuses_the_extra_claims_in_words(
    monkeypatch, institution, coordinator
):
    monkeypatch.setattr(seats, "LOCKING", False)
    session = SessionFactory(listing__institution=institution, seats=SEATS)

    outcomes = _fire_concurrent_offers(monkeypatch, session, coordinator)

    # Every claim counted the same free places; the trigger, at each commit, let only three through.
    assert outcomes.count("offered") == SEATS
    assert Application.objects.filter(session=session).holding_seats().count() == SEATS
    refusals = [o for o in outcomes if o != "offered"]
    assert refusals and all("places in this session are taken" in message for message in refusals)


@pytest.fixture
def session_lock_held_elsewhere():
    """Hold a session's row lock from another connection until the test ends."""
    locked, release, threads = threading.Event(), threading.Event(), []

    def hold(session_id, application_id=None):
        def run():
            with transaction.atomic():
                if application_id:
                    list(Application.objects.select_for_update().filter(pk=application_id))
                else:
                    seats.lock_session(session_id)
                locked.set()
                release.wait(timeout=10)
            connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        threads.append(thread)
        assert locked.wait(timeout=10)

    yield hold
    release.set()
    for thread in threads:
        thread.join(timeout=10)


def test_a_lock_held_too_long_answers_try_again_and_changes_nothing(
    settings, institution, coordinator, session_lock_held_elsewhere
):
    settings.APPLICATIONS_LOCK_TIMEOUT_MS = 200
    session = SessionFactory(listing__institution=institution, seats=SEATS)
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    session_lock_held_elsewhere(session.pk)

    with pytest.raises(TryAgain, match="Please try again"):
        application_move(
            application_id=application.pk, to_status=Status.OFFERED, actor=coordinator, role=Actor.COORDINATOR
        )

    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert not application.events.exists()


def test_a_locked_application_row_also_answers_try_again(
    settings, institution, coordinator, session_lock_held_elsewhere
):
    settings.APPLICATIONS_LOCK_TIMEOUT_MS = 200
    session = SessionFactory(listing__institution=institution, seats=SEATS)
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    session_lock_held_elsewhere(session.pk, application_id=application.pk)

    with pytest.raises(TryAgain):
        application_move(
            application_id=application.pk, to_status=Status.INTERVIEW, actor=coordinator, role=Actor.COORDINATOR
        )


def test_the_applicant_accepting_during_a_long_lock_is_asked_to_try_again_not_shown_a_500(
    settings, client, institution, coordinator, session_lock_held_elsewhere
):
    from django.urls import reverse

    from tests.applicants.factories import ApplicantProfileFactory

    settings.APPLICATIONS_LOCK_TIMEOUT_MS = 200
    session = SessionFactory(listing__institution=institution, seats=SEATS)
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    application_move(application_id=application.pk, to_status=Status.OFFERED, actor=coordinator, role=Actor.COORDINATOR)
    ApplicantProfileFactory(user=application.applicant)
    client.force_login(application.applicant)
    session_lock_held_elsewhere(session.pk)

    response = client.post(reverse("applications:respond", args=[application.pk]), {"to_status": Status.ACCEPTED})

    assert response.status_code == 409
    assert "Please try again in a moment." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.OFFERED
