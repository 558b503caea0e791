"""A round's publication racing a coordinator's manual offer on the same session, on PostgreSQL
with real threads. With the locks either may go first: the match then counts the manual offer,
or the manual offer finds the places taken; never more places than seats, each side told what
the database holds. The negative control, locks and trigger off, oversells: the test can fail.
"""

import datetime as dt
import threading

from applications import seats, services
from applications.models import Application
from applications.services import application_move
from applications.states import Actor, Status
from rounds.models import Round
from rounds.services import applicant_ranks_save, round_publish, session_ranks_save
from tests.accounts.factories import UserFactory
from tests.applications.concurrency import (  # noqa: F401 - the fixtures apply to this module
    RACES,
    pausing_after,
    reseed_after_the_module,
    run_at_once,
    seats_trigger_off,
    seeded_specialty,
)
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory
from tests.rounds.factories import RoundFactory

pytestmark = RACES

SEATS = 2


def _publish_while_offering(monkeypatch, institution, coordinator):
    session = SessionFactory(listing=ListingFactory(institution=institution), seats=SEATS)
    round = RoundFactory(sessions=[session])
    # Two applicants in the round, enough to fill the session; a third offered by hand.
    in_round = [ApplicationFactory(session=session, applicant=UserFactory()) for _ in range(SEATS)]
    for application in in_round:
        applicant_ranks_save(round_id=round.pk, applicant=application.applicant, application_ids=[application.pk])
    session_ranks_save(
        round_id=round.pk, session_id=session.pk, actor=coordinator, application_ids=[a.pk for a in in_round]
    )
    by_hand = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    # Each side pauses after counting the places held, before writing its offers.
    barrier = threading.Barrier(2)
    monkeypatch.setattr(services, "places_held", pausing_after(services.places_held, barrier))
    monkeypatch.setattr(services, "seats_taken", pausing_after(services.seats_taken, barrier))
    published, offered = run_at_once(
        lambda: round_publish(round_id=round.pk, now=round.publish_at + dt.timedelta(minutes=1)),
        lambda: application_move(
            application_id=by_hand.pk, to_status=Status.OFFERED, actor=coordinator, role=Actor.COORDINATOR
        ),
    )
    round.refresh_from_db()
    by_hand.refresh_from_db()
    matched = Application.objects.filter(pk__in=[a.pk for a in in_round], status=Status.OFFERED).count()
    held = Application.objects.filter(session=session).holding_seats().count()
    return round, by_hand, matched, held, published, offered


def test_a_round_publishing_while_a_coordinator_offers_by_hand_never_oversells(monkeypatch, institution, coordinator):
    round, by_hand, matched, held, published, offered = _publish_while_offering(monkeypatch, institution, coordinator)

    assert held <= SEATS
    # Each side was told what the database holds.
    assert offered.succeeded == (by_hand.status == Status.OFFERED)
    assert published.succeeded == (round.status == Round.Status.PUBLISHED)
    assert round.matched_count == matched
    if offered.succeeded:
        # The match counted the offer made by hand: one place left to match.
        assert (round.status, matched, round.unmatched_count) == (Round.Status.PUBLISHED, SEATS - 1, 1)
    else:
        assert (round.status, matched) == (Round.Status.PUBLISHED, SEATS)
        assert offered.refusal == (
            f"All {SEATS} places in this session are taken or offered. Waitlist the applicant instead."
        )


def test_negative_control_without_the_locks_and_the_trigger_the_session_is_oversold(
    monkeypatch, institution, coordinator
):
    monkeypatch.setattr(seats, "LOCKING", False)

    with seats_trigger_off():
        round, by_hand, matched, held, published, offered = _publish_while_offering(
            monkeypatch, institution, coordinator
        )

    assert published.succeeded and offered.succeeded
    assert held == SEATS + 1


def test_without_the_locks_the_trigger_alone_refuses_one_side_in_words(monkeypatch, institution, coordinator):
    monkeypatch.setattr(seats, "LOCKING", False)

    round, by_hand, matched, held, published, offered = _publish_while_offering(monkeypatch, institution, coordinator)

    assert held <= SEATS
    assert offered.succeeded == (by_hand.status == Status.OFFERED)
    assert published.succeeded == (round.status == Round.Status.PUBLISHED)
    assert not (published.succeeded and offered.succeeded)
    refusal = published.refusal or offered.refusal
    assert refusal.startswith(f"All {SEATS} places in this session are taken or offered.")
    if not published.succeeded:
        # All or nothing: the refused publication left no offer and no outcome behind.
        assert (matched, round.outcomes.count()) == (0, 0)
