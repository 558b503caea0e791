from applications.demo import ensure_demo_applications
from applications.models import Application
from applications.states import Status
from placements.demo import ensure_demo_institutions
from tests.placements.factories import ListingFactory, SessionFactory


def test_the_demo_queue_is_built_through_the_state_machine_once(db):
    institution = ensure_demo_institutions()[0]
    SessionFactory(listing=ListingFactory(institution=institution), seats=2)

    assert ensure_demo_applications() == 10
    assert ensure_demo_applications() == 0

    statuses = set(Application.objects.values_list("status", flat=True))
    assert {Status.SUBMITTED, Status.UNDER_REVIEW, Status.INTERVIEW, Status.OFFERED, Status.ACCEPTED} <= statuses
    # Every state came from a recorded move, never a direct write.
    for application in Application.objects.exclude(status=Status.DRAFT):
        assert application.events.filter(to_status=application.status).exists()


def test_without_open_sessions_the_demo_adds_nothing(db):
    ensure_demo_institutions()
    assert ensure_demo_applications() == 0
