"""The demo `make run` loads: every state of the workflow, built through the services, once."""

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts import demo as account_demo
from applications.models import Application, Certificate, InterviewSlot, Review
from applications.selectors import submission_missing
from applications.states import Status
from letters.models import LetterRequest
from notifications.models import Notification
from rounds.demo import PUBLISHED_ROUND
from rounds.models import Round, RoundOutcome

pytestmark = pytest.mark.django_db

QUEUE_STATES = {
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    Status.INTERVIEW,
    Status.OFFERED,
    Status.ACCEPTED,
    Status.WAITLISTED,
    Status.REJECTED,
    Status.ENROLLED,
    Status.COMPLETED,
}
PROJECT_APPS = ["accounts", "applicants", "applications", "letters", "notifications", "placements", "rounds"]


def _snapshot() -> dict[str, int]:
    """How many rows each of the project's tables holds, and the applications' states."""
    counts = {
        model._meta.label: model.objects.count()
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
    }
    counts.update({f"status:{s}": n for s, n in _statuses().items()})
    return counts


def _statuses() -> dict[str, int]:
    result: dict[str, int] = {}
    for status in Application.objects.values_list("status", flat=True):
        result[status] = result.get(status, 0) + 1
    return result


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    # As after a real commit: the tasks the moves queue (notifications) run.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--listings", "60", verbosity=0)


def test_the_demo_coordinators_queue_holds_every_state(demo):
    coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
    queue = Application.objects.for_coordinator(coordinator)

    assert set(queue.values_list("status", flat=True)) >= QUEUE_STATES
    booked = InterviewSlot.objects.get(application__status=Status.INTERVIEW, application__in=queue)
    assert booked.session_id == booked.application.session_id
    # Every state came from a recorded move, never a direct write.
    for application in queue:
        assert application.events.filter(to_status=application.status).exists(), application.status
    # Each submitted application met its programme's requirements when it was sent.
    assert not queue.filter(eligible_at_submit=False).exists()


def test_the_demo_applicant_has_a_history_to_look_at(demo):
    applicant = account_demo.ensure_demo_user(account_demo.APPLICANT)
    own = Application.objects.filter(applicant=applicant)

    assert set(own.values_list("status", flat=True)) >= {
        Status.DRAFT,
        Status.UNDER_REVIEW,
        Status.OFFERED,
        Status.COMPLETED,
    }
    assert Certificate.objects.filter(application__applicant=applicant).count() == 1
    assert Review.objects.filter(application__applicant=applicant).count() == 1
    letters = set(LetterRequest.objects.filter(applicant=applicant).values_list("status", flat=True))
    assert {LetterRequest.Status.UPLOADED, LetterRequest.Status.OPENED} <= letters
    assert Notification.objects.filter(recipient=applicant).count() >= 5
    round = Round.objects.get(name=PUBLISHED_ROUND)
    assert round.status == Round.Status.PUBLISHED
    outcome = RoundOutcome.objects.get(round=round, applicant=applicant)
    assert outcome.application.status == Status.OFFERED
    # The draft is there to show what it still lacks.
    draft = own.get(status=Status.DRAFT)
    assert submission_missing(draft)


def test_loading_the_demo_twice_changes_nothing(demo):
    before = _snapshot()
    call_command("seed_demo", "--listings", "60", verbosity=0)
    assert _snapshot() == before
