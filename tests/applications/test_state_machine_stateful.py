"""The application state machine under random moves by random people (a Hypothesis state machine).

Three applicants apply to three small sessions (1, 2 and 1 places; two at Lakeshore, one at
another institution). Each step picks one thing that can happen in the portal, through the real
services: somebody (the owner, another applicant, the institution's coordinator, a coordinator of
another institution, an admin) asks `application_move` to move an application somewhere, claiming
the applicant's or the coordinator's role; a match round's publication offers several places at
once (`application_offer_many`); time passes and the hourly sweep expires unanswered offers
(`offers_expire`), promoting the waitlist.

Before each step the test reads the database, predicts from that reading and from
ALLOWED_TRANSITIONS alone what must happen, and after the step checks that exactly that happened:
  * a refused move changes nothing at all: no status, no waitlist position, no event row;
  * a move that is done is done whole: the status changed AND one event row records it, and a
    freed place went to the head of the waitlist (with its own event), nothing else moved;
  * who is refused is what the table and the seats predict, no more and no less;
and after every step, in the database, no session's held places exceed its capacity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from applications.errors import ApplicationError
from applications.models import Application, ApplicationEvent
from applications.services import application_move, application_offer_many, offers_expire
from applications.states import ALLOWED_TRANSITIONS, SEAT_HOLDING, Actor, Status, roles_allowed
from placements.models import Session
from tests.applicants.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

CAPACITIES = (1, 2, 1)  # sessions 0 and 1 at the coordinator's institution, 2 at the other one
APPLICANTS = 3
ACTORS = ("owner", "other_applicant", "coordinator", "other_coordinator", "admin")
# Where applications start: everything before a decision (drafts included, so submission is tried).
STARTING = (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.INTERVIEW, Status.WAITLISTED)
SYSTEM_OFFERABLE = frozenset(
    frm for (frm, to), roles in ALLOWED_TRANSITIONS.items() if to == Status.OFFERED and Actor.SYSTEM in roles
)


@dataclass(frozen=True)
class Row:
    status: str
    waitlist_position: int | None
    offer_expires_at: dt.datetime | None
    events: int


@dataclass
class World:
    """People and sessions, created once per test; each example adds its own applications."""

    applicants: list
    coordinator: object
    other_coordinator: object
    admin: object
    sessions: list[Session]
    institution_id: int


class ApplicationStates(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        # Every example runs in a savepoint rolled back at teardown: the next starts from the world.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = timezone.now()
        self.apps: list[Application] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- Reading the database --------------------------------------------------------------

    def snapshot(self) -> dict[int, Row]:
        events = dict(
            ApplicationEvent.objects.filter(application__in=self.apps)
            .values("application")
            .annotate(n=Count("id"))
            .values_list("application", "n")
        )
        return {
            pk: Row(status, position, expires, events.get(pk, 0))
            for pk, status, position, expires in Application.objects.filter(
                pk__in=[a.pk for a in self.apps]
            ).values_list("pk", "status", "waitlist_position", "offer_expires_at")
        }

    def session_of(self, pk: int) -> Session:
        return next(a.session for a in self.apps if a.pk == pk)

    def held(self, snap: dict[int, Row], session: Session) -> int:
        return sum(1 for pk, row in snap.items() if self.session_of(pk) == session and row.status in SEAT_HOLDING)

    def waitlist(self, snap: dict[int, Row], session: Session) -> list[int]:
        waiting = [pk for pk, row in snap.items() if self.session_of(pk) == session and row.status == Status.WAITLISTED]
        return sorted(waiting, key=lambda pk: snap[pk].waitlist_position)

    def promotions(self, snap: dict[int, Row], expected: dict[int, str], session: Session) -> None:
        """Predict the waitlist promotion that follows a freed place: heads first, as many as fit."""
        held = sum(1 for pk, status in expected.items() if self.session_of(pk) == session and status in SEAT_HOLDING)
        for pk in self.waitlist(snap, session)[: max(session.seats - held, 0)]:
            expected[pk] = Status.OFFERED

    def assert_outcome(self, before: dict[int, Row], expected: dict[int, str]) -> None:
        """Exactly the predicted applications changed, each with one event; the rest are untouched."""
        after = self.snapshot()
        for pk, old in before.items():
            new = after[pk]
            if expected.get(pk, old.status) == old.status:
                assert new == old, f"application {pk} should not have changed: {old} -> {new}"
                continue
            assert new.status == expected[pk], f"application {pk}: expected {expected[pk]}, found {new.status}"
            assert new.events == old.events + 1, f"application {pk} moved without exactly one event row"
            event = ApplicationEvent.objects.filter(application_id=pk).latest("id")
            assert (event.from_status, event.to_status) == (old.status, new.status)
            if new.status == Status.OFFERED:
                assert new.offer_expires_at is not None and new.waitlist_position is None

    # --- Setting up one example ------------------------------------------------------------

    @initialize(
        starting=st.lists(
            st.sampled_from(STARTING), min_size=APPLICANTS * len(CAPACITIES), max_size=APPLICANTS * len(CAPACITIES)
        )
    )
    def apply(self, starting: list[str]) -> None:
        positions = {s.pk: 0 for s in self.world.sessions}
        for index, status in enumerate(starting):
            applicant = self.world.applicants[index % APPLICANTS]
            session = self.world.sessions[index // APPLICANTS]
            position = None
            if status == Status.WAITLISTED:
                positions[session.pk] += 1
                position = positions[session.pk]
            self.apps.append(
                ApplicationFactory(
                    applicant=applicant,
                    session=session,
                    status=status,
                    waitlist_position=position,
                    submitted_at=None if status == Status.DRAFT else self.now,
                )
            )

    # --- Steps -----------------------------------------------------------------------------

    def actor_for(self, application: Application, kind: str):
        own_institution = application.session.listing.institution_id == self.world.institution_id
        return {
            "owner": application.applicant,
            "other_applicant": next(a for a in self.world.applicants if a.pk != application.applicant_id),
            "coordinator": self.world.coordinator if own_institution else self.world.other_coordinator,
            "other_coordinator": self.world.other_coordinator if own_institution else self.world.coordinator,
            "admin": self.world.admin,
        }[kind]

    @rule(data=st.data())
    def someone_moves_an_application(self, data) -> None:
        application = data.draw(st.sampled_from(self.apps), label="application")
        current = Application.objects.values_list("status", flat=True).get(pk=application.pk)
        # Mostly a move the table knows from here, else anything.
        known = sorted({to for (frm, to) in ALLOWED_TRANSITIONS if frm == current})
        to_status = data.draw(
            st.sampled_from(known) if known and data.draw(st.integers(0, 3)) else st.sampled_from(Status.values),
            label="to",
        )
        self.attempt(data, application, to_status)

    @rule(data=st.data())
    def a_coordinator_offers_a_place(self, data) -> None:
        # Offers are where places run out: try them often, full sessions included.
        self.attempt(data, data.draw(st.sampled_from(self.apps), label="application"), Status.OFFERED)

    def attempt(self, data, application: Application, to_status: str) -> None:
        before = self.snapshot()
        current = before[application.pk].status
        # Mostly the person the table names for this move (so examples get deep), else anyone
        # claiming any role.
        rightful = sorted(roles_allowed(current, to_status) - {Actor.SYSTEM})
        if rightful and data.draw(st.integers(0, 3)):
            role = data.draw(st.sampled_from(rightful), label="claimed role")
            kind = "owner" if role == Actor.APPLICANT else "coordinator"
        else:
            kind = data.draw(st.sampled_from(ACTORS), label="actor")
            role = data.draw(st.sampled_from([Actor.APPLICANT, Actor.COORDINATOR]), label="claimed role")
        actor = self.actor_for(application, kind)
        session = application.session

        # The prediction, from the reading above and the rules alone.
        entitled = (role == Actor.APPLICANT and kind == "owner") or (
            role == Actor.COORDINATOR and kind == "coordinator"
        )
        expected: dict[int, str] = {}
        if not entitled or to_status == current:
            # Already there: a no-op for whoever put it there (a double click), refused for anyone else
            # (told who did it).
            last = application.events.filter(to_status=current).order_by("-created_at", "-id").first()
            refused = not entitled or (last is not None and last.actor_id != actor.pk)
        elif role not in roles_allowed(current, to_status):
            refused = True
        elif to_status == Status.OFFERED and self.held(before, session) >= session.seats:
            refused = True
        elif to_status == Status.ACCEPTED and before[application.pk].offer_expires_at <= self.now:
            refused = True
        elif to_status == Status.SUBMITTED and not session.is_open_for_applications(self.now):
            refused = True
        else:
            refused = False
            expected[application.pk] = to_status
            if current in SEAT_HOLDING and to_status not in SEAT_HOLDING:
                self.promotions(before, expected, session)

        try:
            application_move(application_id=application.pk, to_status=to_status, actor=actor, role=role, now=self.now)
        except ApplicationError as exc:
            assert refused, f"{kind} as {role} moving {current} -> {to_status} was refused: {exc.message}"
            assert exc.message
        else:
            assert not refused, f"{kind} as {role} moved {current} -> {to_status}, which should be refused"
        self.assert_outcome(before, expected)

    @rule(data=st.data())
    def a_match_round_offers_several_places(self, data) -> None:
        chosen = data.draw(
            st.lists(st.sampled_from(self.apps), min_size=1, max_size=4, unique_by=lambda a: a.pk), label="offered"
        )
        before = self.snapshot()
        fits = all(
            self.held(before, s) + sum(1 for a in chosen if a.session == s) <= s.seats for s in self.world.sessions
        )
        refused = not fits or any(before[a.pk].status not in SYSTEM_OFFERABLE for a in chosen)
        try:
            application_offer_many(
                application_ids=[a.pk for a in chosen],
                expires_at=self.now + dt.timedelta(days=5),
                message="Matched in this round.",
                now=self.now,
            )
        except ApplicationError as exc:
            assert refused, f"the round's offers were refused: {exc.message}"
        else:
            assert not refused, "the round offered places it should not have"
        self.assert_outcome(before, {} if refused else {a.pk: Status.OFFERED for a in chosen})

    @rule(days=st.integers(min_value=0, max_value=9))
    def time_passes_and_unanswered_offers_expire(self, days: int) -> None:
        self.now += dt.timedelta(days=days)
        before = self.snapshot()
        expected = {
            pk: Status.OFFER_EXPIRED
            for pk, row in before.items()
            if row.status == Status.OFFERED and row.offer_expires_at <= self.now
        }
        for session in self.world.sessions:
            if any(self.session_of(pk) == session for pk in expected):
                self.promotions(before, expected, session)

        assert offers_expire(now=self.now) >= len([s for s in expected.values() if s == Status.OFFER_EXPIRED])
        self.assert_outcome(before, expected)

    # --- After every step ------------------------------------------------------------------

    @invariant()
    def no_session_is_oversold(self) -> None:
        held = dict(
            Application.objects.filter(session__in=self.world.sessions, status__in=SEAT_HOLDING)
            .values("session")
            .annotate(n=Count("id"))
            .values_list("session", "n")
        )
        for session in self.world.sessions:
            assert held.get(session.pk, 0) <= session.seats, (
                f"{session} has {held[session.pk]} of {session.seats} places held"
            )


def test_random_moves_by_random_people_never_oversell_and_are_all_or_nothing(
    institution, coordinator, other_coordinator, admin_user
):
    applicants = [ApplicantProfileFactory().user for _ in range(APPLICANTS)]
    other_institution = other_coordinator.memberships.get().institution
    sessions = [
        SessionFactory(listing=ListingFactory(institution=institution), seats=CAPACITIES[0]),
        SessionFactory(listing=ListingFactory(institution=institution), seats=CAPACITIES[1]),
        SessionFactory(listing=ListingFactory(institution=other_institution), seats=CAPACITIES[2]),
    ]
    ApplicationStates.world = World(applicants, coordinator, other_coordinator, admin_user, sessions, institution.pk)

    run_state_machine_as_test(
        ApplicationStates,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
