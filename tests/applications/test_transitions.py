"""The whole state diagram: every (from, to, role) is allowed exactly when ALLOWED_TRANSITIONS says."""

import itertools

import pytest

from applications.models import Application, ApplicationEvent
from applications.services import ApplicationError, application_move
from applications.states import ALLOWED_TRANSITIONS, Actor, Status
from tests.applications.factories import ApplicationFactory

CASES = [(frm, to, role) for frm, to in itertools.permutations(Status.values, 2) for role in Actor.values]


@pytest.mark.parametrize(("from_status", "to_status", "role"), CASES)
def test_a_move_happens_exactly_when_the_table_allows_it(from_status, to_status, role, session, applicant, coordinator):
    application = ApplicationFactory(applicant=applicant, session=session, status=from_status)
    actor = {Actor.APPLICANT: applicant, Actor.COORDINATOR: coordinator, Actor.SYSTEM: None}[role]
    allowed = role in ALLOWED_TRANSITIONS.get((from_status, to_status), ())

    if allowed:
        moved = application_move(application_id=application.pk, to_status=to_status, actor=actor, role=role)
        assert moved.status == to_status
        event = ApplicationEvent.objects.get(application=application)
        assert (event.from_status, event.to_status, event.actor_role, event.actor) == (
            from_status,
            to_status,
            role,
            actor,
        )
    else:
        with pytest.raises(ApplicationError) as refused:
            application_move(application_id=application.pk, to_status=to_status, actor=actor, role=role)
        assert refused.value.message
        application.refresh_from_db()
        assert application.status == from_status
        assert not ApplicationEvent.objects.filter(application=application).exists()


def test_every_state_is_reachable_and_every_move_names_a_known_role():
    reachable = {Status.DRAFT} | {to for _, to in ALLOWED_TRANSITIONS}
    assert reachable == set(Status.values)
    assert all(roles and roles <= set(Actor.values) for roles in ALLOWED_TRANSITIONS.values())


def test_a_refusal_says_why(session, applicant):
    application = ApplicationFactory(applicant=applicant, session=session, status=Status.SUBMITTED)
    with pytest.raises(
        ApplicationError, match="Only the coordinator or system can move an application from “Submitted” to “Offered”"
    ):
        application_move(application_id=application.pk, to_status=Status.OFFERED, actor=applicant, role=Actor.APPLICANT)
    with pytest.raises(
        ApplicationError, match="An application in the state “Not selected” cannot be moved to “Offered”"
    ):
        application.status = Status.REJECTED
        application.save()
        application_move(application_id=application.pk, to_status=Status.OFFERED, actor=None, role=Actor.SYSTEM)


def test_the_same_move_twice_writes_one_event(session, coordinator):
    application = ApplicationFactory(session=session)
    for _ in range(2):
        application_move(
            application_id=application.pk, to_status=Status.UNDER_REVIEW, actor=coordinator, role=Actor.COORDINATOR
        )
    assert ApplicationEvent.objects.filter(application=application).count() == 1


def test_a_coordinator_of_another_institution_cannot_move_it(session, other_coordinator):
    application = ApplicationFactory(session=session)
    with pytest.raises(ApplicationError, match="Only this institution's coordinators"):
        application_move(
            application_id=application.pk,
            to_status=Status.UNDER_REVIEW,
            actor=other_coordinator,
            role=Actor.COORDINATOR,
        )
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_another_applicant_cannot_move_it(session, applicant, other_applicant):
    application = ApplicationFactory(session=session, applicant=applicant)
    with pytest.raises(ApplicationError, match="not your application"):
        application_move(
            application_id=application.pk, to_status=Status.WITHDRAWN, actor=other_applicant, role=Actor.APPLICANT
        )
