"""Races on one session's places, on PostgreSQL with real threads: an offer expiring as its
applicant accepts it, and a session archived while a coordinator makes an offer in it.

Each race is run with the locks (either side may win; each is told what the database holds) and
as a negative control with them switched off, where both sides are told they won: the test can fail.
"""

import datetime as dt
import threading

import pytest

from applications import seats, services
from applications.models import Application
from applications.services import application_move, offers_expire
from applications.states import Actor, Status
from placements import places
from placements import services as placements_services
from placements.services import session_archive
from tests.applications.concurrency import (  # noqa: F401 - the fixtures apply to this module
    RACES,
    pausing_after,
    reseed_after_the_module,
    run_at_once,
    seats_trigger_off,
    seeded_specialty,
)
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import SessionFactory

pytestmark = RACES


# --- An offer expiring at the moment its applicant accepts it --------------------------------------


def _accept_while_expiring(monkeypatch, institution, coordinator):
    session = SessionFactory(listing__institution=institution, seats=1)
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    application_move(application_id=application.pk, to_status=Status.OFFERED, actor=coordinator, role=Actor.COORDINATOR)
    deadline = Application.objects.get(pk=application.pk).offer_expires_at
    # Both sides pause after checking the offer's state, before writing theirs.
    barrier = threading.Barrier(2)
    accept = services.ENTER[Status.ACCEPTED]
    monkeypatch.setitem(services.ENTER, Status.ACCEPTED, lambda a, *, now: pausing_after(accept, barrier)(a, now=now))
    monkeypatch.setitem(
        services.ENTER, Status.OFFER_EXPIRED, lambda a, *, now: pausing_after(services._no_change, barrier)(a, now=now)
    )
    accepted, expired = run_at_once(
        # The applicant's click a second before the deadline; the expiry task a second after it.
        lambda: application_move(
            application_id=application.pk,
            to_status=Status.ACCEPTED,
            actor=application.applicant,
            role=Actor.APPLICANT,
            now=deadline - dt.timedelta(seconds=1),
        ),
        lambda: offers_expire(now=deadline + dt.timedelta(seconds=1)),
    )
    application.refresh_from_db()
    return application, accepted, expired


def test_an_offer_expiring_as_it_is_accepted_ends_one_way_and_both_sides_are_told_which(
    monkeypatch, institution, coordinator
):
    application, accepted, expired = _accept_while_expiring(monkeypatch, institution, coordinator)

    assert application.status in (Status.ACCEPTED, Status.OFFER_EXPIRED)
    moves_out = list(application.events.filter(from_status=Status.OFFERED).values_list("to_status", flat=True))
    assert moves_out == [application.status]
    if application.status == Status.ACCEPTED:
        assert accepted.succeeded and expired.result == 0
    else:
        assert expired.result == 1
        assert accepted.refusal == (
            f"Moved to “Offer expired” by the portal {services._when(application.events.last())}; "
            "from there it cannot be moved to “Accepted”."
        )


def test_negative_control_without_the_locks_both_sides_are_told_they_won(monkeypatch, institution, coordinator):
    monkeypatch.setattr(seats, "LOCKING", False)

    application, accepted, expired = _accept_while_expiring(monkeypatch, institution, coordinator)

    # Told: "accepted" and "1 offer expired"; the database holds only one of them.
    assert accepted.succeeded and expired.result == 1
    assert application.events.filter(from_status=Status.OFFERED).count() == 2


# --- A session archived while a coordinator makes an offer in it ----------------------------------


def _archive_while_offering(monkeypatch, institution, coordinator, other_coordinator_same_institution):
    session = SessionFactory(listing__institution=institution, seats=2)
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    barrier = threading.Barrier(2)
    monkeypatch.setattr(places, "held", pausing_after(places.held, barrier))
    monkeypatch.setattr(services, "seats_taken", pausing_after(services.seats_taken, barrier))
    archived, offered = run_at_once(
        lambda: session_archive(session=session, actor=coordinator),
        lambda: application_move(
            application_id=application.pk,
            to_status=Status.OFFERED,
            actor=other_coordinator_same_institution,
            role=Actor.COORDINATOR,
        ),
    )
    session.refresh_from_db()
    application.refresh_from_db()
    return session, application, archived, offered


@pytest.fixture
def colleague(institution):
    from tests.placements.factories import CoordinatorFactory

    return CoordinatorFactory(institution=institution, full_name="Dr. Ana Reyes")


def test_a_session_archived_while_an_offer_is_made_never_ends_archived_with_the_offer_out(
    monkeypatch, institution, coordinator, colleague
):
    session, application, archived, offered = _archive_while_offering(monkeypatch, institution, coordinator, colleague)

    assert not (session.is_archived and application.status == Status.OFFERED)
    assert archived.succeeded == session.is_archived
    assert offered.succeeded == (application.status == Status.OFFERED)
    if session.is_archived:
        assert offered.refusal == "This session was archived: no offer can be made in it."
    else:
        assert archived.refusal == (
            "1 offer is still out in this session. Take it back or wait for the answer before archiving the session."
        )


def test_negative_control_without_the_locks_and_the_trigger_the_session_is_archived_with_the_offer_out(
    monkeypatch, institution, coordinator, colleague
):
    monkeypatch.setattr(seats, "LOCKING", False)
    monkeypatch.setattr(placements_services, "_lock_session", lambda session_id: None)

    with seats_trigger_off():
        session, application, archived, offered = _archive_while_offering(
            monkeypatch, institution, coordinator, colleague
        )

    assert archived.succeeded and offered.succeeded
    assert session.is_archived and application.status == Status.OFFERED


def test_without_the_locks_the_trigger_alone_refuses_one_side_in_words(
    monkeypatch, institution, coordinator, colleague
):
    monkeypatch.setattr(seats, "LOCKING", False)
    monkeypatch.setattr(placements_services, "_lock_session", lambda session_id: None)

    session, application, archived, offered = _archive_while_offering(monkeypatch, institution, coordinator, colleague)

    assert not (session.is_archived and application.status == Status.OFFERED)
    assert archived.succeeded == session.is_archived
    assert offered.succeeded == (application.status == Status.OFFERED)
    assert [told.refusal for told in (archived, offered) if not told.succeeded] in (
        ["This session was archived: no offer can be made in it."],
        ["1 offer is still out in this session. Take it back or wait for the answer before archiving the session."],
    )
