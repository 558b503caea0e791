"""The load test's verdict (bench/load_test.py audit_applications): it must catch a lost, an extra or a
doubled application, not only pass when all is well."""

import pytest

from applications.states import Status
from bench.load_test import audit_applications
from tests.accounts.factories import UserFactory
from tests.applications.factories import DraftFactory, EventFactory
from tests.placements.factories import SessionFactory

pytestmark = pytest.mark.django_db


def _started(application):
    EventFactory(application=application, actor_role="applicant", from_status="", to_status=Status.DRAFT)
    return application


def _submitted(application):
    application.status = Status.SUBMITTED
    application.save(update_fields=["status"])
    EventFactory(application=application, actor_role="applicant", from_status=Status.DRAFT, to_status=Status.SUBMITTED)
    return application


@pytest.fixture
def world():
    user, other = UserFactory(), UserFactory()
    first, second = SessionFactory(), SessionFactory()
    submitted = _submitted(_started(DraftFactory(applicant=user, session=first)))
    draft = _started(DraftFactory(applicant=other, session=second))
    started = {(user.pk, first.pk): {submitted.pk}, (other.pk, second.pk): {draft.pk}}
    return {
        "users": [user.pk, other.pk],
        "started": started,
        "submitted": {submitted.pk},
        "user": user,
        "other": other,
        "first": first,
        "second": second,
        "app": submitted,
        "draft": draft,
    }


def _audit(world, **changes):
    arguments = {"user_ids": world["users"], "started": world["started"], "submitted": world["submitted"], **changes}
    return audit_applications(**arguments)


def test_what_the_applicants_were_told_is_what_the_database_holds(world):
    assert _audit(world) == (2, [])


def test_an_application_answered_started_but_missing_is_reported_lost(world):
    world["draft"].delete()
    checked, problems = _audit(world)
    assert checked == 1
    assert problems == [
        f"applicant {world['other'].pk}, session {world['second'].pk}: 0 applications in the database, expected 1"
    ]


def test_an_application_nobody_asked_for_is_reported(world):
    _started(DraftFactory(applicant=world["user"], session=world["second"]))
    _checked, problems = _audit(world)
    assert problems == [
        f"applicant {world['user'].pk}, session {world['second'].pk}: 1 application(s) nobody was told about"
    ]


def test_a_submission_recorded_twice_is_reported(world):
    EventFactory(application=world["app"], actor_role="applicant", from_status=Status.DRAFT, to_status=Status.SUBMITTED)
    _checked, problems = _audit(world)
    assert problems == [f"application {world['app'].pk}: 2 submission events, expected 1"]


def test_two_answers_naming_different_applications_are_reported(world):
    world["started"][(world["user"].pk, world["first"].pk)] = {world["app"].pk, world["draft"].pk}
    _checked, problems = _audit(world)
    assert any("answers named 2 different applications" in p for p in problems)


def test_an_application_answered_submitted_but_still_a_draft_is_reported(world):
    world["submitted"].add(world["draft"].pk)
    _checked, problems = _audit(world)
    assert f"application {world['draft'].pk}: answered submitted, but its status is draft" in problems
    assert f"application {world['draft'].pk}: 0 submission events, expected 1" in problems
