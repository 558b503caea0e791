"""Two people at the same application: the one who comes second is told who got there first and
when, in the packet, the bulk action and the API; counts are in the right number."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from applications.errors import ApplicationError
from applications.services import application_move
from applications.states import Actor, Status
from tests.api.conftest import token_client
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import CoordinatorFactory


@pytest.fixture
def colleague(institution):
    return CoordinatorFactory(institution=institution, full_name="Dr. Ana Reyes", email="ana@example.org")


def _moved_by(colleague, application, to_status):
    application_move(application_id=application.pk, to_status=to_status, actor=colleague, role=Actor.COORDINATOR)
    return timezone.localtime(application.events.latest("id").created_at).strftime("%H:%M")


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_second_coordinator_is_told_who_made_the_move_and_when(client, coordinator, colleague, session):
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    at = _moved_by(colleague, application, Status.INTERVIEW)
    client.force_login(coordinator)

    response = client.post(reverse("applications:move", args=[application.pk]), {"to_status": Status.INTERVIEW})

    assert response.status_code == 302
    assert _messages(response) == [f"Already moved to “Interview” by Dr. Ana Reyes at {at}."]
    assert application.events.count() == 1  # nothing written twice


def test_a_move_the_other_one_made_impossible_says_who_made_it(client, coordinator, colleague, session):
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    at = _moved_by(colleague, application, Status.REJECTED)

    with pytest.raises(ApplicationError) as refused:
        application_move(
            application_id=application.pk, to_status=Status.INTERVIEW, actor=coordinator, role=Actor.COORDINATOR
        )

    assert refused.value.message == (
        f"Moved to “Not selected” by Dr. Ana Reyes at {at}; from there it cannot be moved to “Interview”."
    )


def test_the_applicant_is_told_the_programme_took_the_offer_back_not_a_coordinators_name(colleague, session):
    application = ApplicationFactory(session=session, status=Status.OFFERED)
    at = _moved_by(colleague, application, Status.REJECTED)

    with pytest.raises(ApplicationError) as refused:
        application_move(
            application_id=application.pk,
            to_status=Status.ACCEPTED,
            actor=application.applicant,
            role=Actor.APPLICANT,
        )

    assert refused.value.message == (
        f"Moved to “Not selected” by the programme at {at}; from there it cannot be moved to “Accepted”."
    )


def test_the_same_coordinators_double_click_is_still_no_error(coordinator, session):
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    for _ in range(2):
        application_move(
            application_id=application.pk, to_status=Status.INTERVIEW, actor=coordinator, role=Actor.COORDINATOR
        )
    assert application.events.count() == 1


def test_bulk_counts_only_its_own_moves_and_names_who_moved_the_others(client, coordinator, colleague, session):
    taken = ApplicationFactory(session=session, applicant__full_name="Ravi Kumar", status=Status.UNDER_REVIEW)
    free = ApplicationFactory(session=session, applicant__full_name="Maria Santos", status=Status.UNDER_REVIEW)
    at = _moved_by(colleague, taken, Status.INTERVIEW)
    client.force_login(coordinator)

    response = client.post(
        reverse("applications:queue_bulk"), {"ids": [taken.pk, free.pk], "to_status": Status.INTERVIEW, "message": ""}
    )

    assert sorted(_messages(response)) == sorted(
        ["1 application moved.", f"Ravi Kumar: Already moved to “Interview” by Dr. Ana Reyes at {at}."]
    )


def test_bulk_says_it_when_this_coordinator_had_already_made_the_move(client, coordinator, session):
    application = ApplicationFactory(session=session, applicant__full_name="Ravi Kumar", status=Status.UNDER_REVIEW)
    at = _moved_by(coordinator, application, Status.INTERVIEW)
    client.force_login(coordinator)

    response = client.post(
        reverse("applications:queue_bulk"), {"ids": [application.pk], "to_status": Status.INTERVIEW, "message": ""}
    )

    assert _messages(response) == [f"Ravi Kumar: Already moved to “Interview” by you at {at}."]


def test_the_api_answers_409_with_who_made_the_move(coordinator, colleague, session):
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    at = _moved_by(colleague, application, Status.INTERVIEW)

    response = token_client(coordinator).post(
        f"/api/v1/queue/{application.pk}/move/", {"to_status": Status.INTERVIEW}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] == f"Already moved to “Interview” by Dr. Ana Reyes at {at}."


def test_a_stale_menu_in_the_packet_gets_who_moved_it_not_an_invalid_choice(client, coordinator, colleague, session):
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    at = _moved_by(colleague, application, Status.WAITLISTED)
    client.force_login(coordinator)

    response = client.post(
        reverse("applications:move", args=[application.pk]), {"to_status": Status.INTERVIEW, "message": "See you"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert f"Moved to “Waitlisted” by Dr. Ana Reyes at {at}; from there it cannot be moved to “Interview”." in html
    assert "See you" in html  # the typed message is kept


@pytest.mark.parametrize(("count", "shown"), [(1, "1 application ·"), (2, "2 applications ·")])
def test_the_queue_counts_in_the_right_number(client, coordinator, session, count, shown):
    for _ in range(count):
        ApplicationFactory(session=session)
    client.force_login(coordinator)

    assert shown in client.get(reverse("applications:queue")).content.decode()


@pytest.mark.parametrize(("seats", "shown"), [(1, "· 1 place</p>"), (3, "· 3 places</p>")])
def test_the_apply_page_counts_places_in_the_right_number(client, applicant, session, seats, shown):
    session.seats = seats
    session.save(update_fields=["seats"])
    client.force_login(applicant)

    assert shown in client.get(reverse("applications:apply", args=[session.pk])).content.decode()
