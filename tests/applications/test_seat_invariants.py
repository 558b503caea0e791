"""The seat invariants, and every way in meeting the same refusal: the services, the HTML forms,
the API, the Django admin, and (PostgreSQL) raw writes that skip them all, which the database's
own trigger and constraints refuse."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from applications.errors import ApplicationError
from applications.models import Application
from applications.seats import refusals_in_words
from applications.services import application_move, waitlist_reorder
from applications.states import SEAT_HOLDING, Actor, Status
from placements import places
from placements.models import Session
from placements.services import PlacementsError, session_archive, session_update
from tests.api.conftest import token_client
from tests.applications.factories import ApplicationFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The seats trigger is PostgreSQL's; SQLite keeps the services' checks."
)

HELD_5_ON_2 = "5 places are held (3 accepted, 2 offers out); take back offers or keep at least 5 seats."


@pytest.fixture
def busy_session(session):
    """Five seats: three accepted places and two offers out."""
    session.seats = 5
    session.save(update_fields=["seats"])
    for status in [Status.ACCEPTED, Status.ACCEPTED, Status.ENROLLED, Status.OFFERED, Status.OFFERED]:
        ApplicationFactory(session=session, status=status)
    return session


def _seats(session) -> int:
    return Session.objects.values_list("seats", flat=True).get(pk=session.pk)


# --- Seats below the places held ---------------------------------------------------------------


def test_the_service_refuses_fewer_seats_than_places_held_and_says_what_to_do(busy_session, coordinator):
    with pytest.raises(PlacementsError) as refused:
        session_update(session=busy_session, actor=coordinator, fields={"seats": 2})

    assert str(refused.value) == HELD_5_ON_2
    assert _seats(busy_session) == 5


def test_as_many_seats_as_places_held_is_fine(busy_session, coordinator):
    session_update(session=busy_session, actor=coordinator, fields={"seats": 5})
    assert _seats(busy_session) == 5


def test_the_message_counts_in_the_singular_too(session, coordinator):
    ApplicationFactory(session=session, status=Status.ACCEPTED)
    ApplicationFactory(session=session, status=Status.OFFERED)

    with pytest.raises(PlacementsError, match=r"^2 places are held \(1 accepted, 1 offer out\);"):
        session_update(session=session, actor=coordinator, fields={"seats": 1})
    assert places.seats_refusal(places.PlacesHeld(accepted=1, offered=0), seats=0) == (
        "1 place is held by accepted applicants; keep at least 1 seat."
    )


def test_the_session_form_shows_the_refusal_and_keeps_the_seats(client, coordinator, busy_session):
    client.force_login(coordinator)
    url = reverse("placements:session_edit", args=[busy_session.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["applications_open_at"] = data["applications_open_at"].strftime("%Y-%m-%dT%H:%M")
    data["applications_close_at"] = data["applications_close_at"].strftime("%Y-%m-%dT%H:%M")

    response = client.post(url, {**data, "seats": 2})

    assert response.status_code == 400
    assert HELD_5_ON_2 in response.content.decode()
    assert _seats(busy_session) == 5


def _admin_data(session, **changes):
    local = timezone.localtime
    data = {
        "listing": session.listing_id,
        "start_date": session.start_date.isoformat(),
        "end_date": session.end_date.isoformat(),
        "seats": session.seats,
        "applications_open_at_0": local(session.applications_open_at).date().isoformat(),
        "applications_open_at_1": local(session.applications_open_at).time().isoformat("seconds"),
        "applications_close_at_0": local(session.applications_close_at).date().isoformat(),
        "applications_close_at_1": local(session.applications_close_at).time().isoformat("seconds"),
        "offer_response_days": session.offer_response_days,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_admin_meets_the_same_refusal(client, admin_user, busy_session):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:placements_session_change", args=[busy_session.pk]), _admin_data(busy_session, seats=2)
    )

    assert response.status_code == 200  # the form again, with the refusal
    assert HELD_5_ON_2 in response.content.decode()
    assert _seats(busy_session) == 5


def test_the_admin_still_saves_a_session_with_enough_seats(client, admin_user, busy_session):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:placements_session_change", args=[busy_session.pk]), _admin_data(busy_session, seats=7)
    )

    assert response.status_code == 302
    assert _seats(busy_session) == 7


# --- Archiving while offers are out ----------------------------------------------------------------

OFFERS_OUT_2 = (
    "2 offers are still out in this session. Take them back or wait for the answers before archiving the session."
)


def test_archiving_with_offers_out_is_refused_with_what_to_do(busy_session, coordinator):
    with pytest.raises(PlacementsError) as refused:
        session_archive(session=busy_session, actor=coordinator)

    assert str(refused.value) == OFFERS_OUT_2
    assert not Session.objects.get(pk=busy_session.pk).is_archived


def test_the_archive_button_says_why_not(client, coordinator, busy_session):
    client.force_login(coordinator)

    response = client.post(reverse("placements:session_archive", args=[busy_session.pk]))

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [OFFERS_OUT_2]
    assert not Session.objects.get(pk=busy_session.pk).is_archived


def test_the_admin_cannot_archive_with_offers_out_either(client, admin_user, busy_session):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:placements_session_change", args=[busy_session.pk]),
        _admin_data(busy_session, is_archived="on"),
    )

    assert response.status_code == 200
    assert OFFERS_OUT_2 in response.content.decode()
    assert not Session.objects.get(pk=busy_session.pk).is_archived


def test_accepted_places_do_not_stop_archiving_but_no_offer_is_made_after(session, coordinator):
    ApplicationFactory(session=session, status=Status.ACCEPTED)
    waiting = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)

    session_archive(session=session, actor=coordinator)

    with pytest.raises(ApplicationError, match="This session was archived: no offer can be made in it."):
        application_move(application_id=waiting.pk, to_status=Status.OFFERED, actor=coordinator, role=Actor.COORDINATOR)


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_meets_the_same_refusal_when_the_places_are_all_held(coordinator, session):
    for _ in range(session.seats):
        ApplicationFactory(session=session, status=Status.ACCEPTED)
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)

    response = token_client(coordinator).post(
        f"/api/v1/queue/{application.pk}/move/", {"to_status": Status.OFFERED}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "All 2 places in this session are taken or offered. Waitlist the applicant instead."
    )
    assert Application.objects.get(pk=application.pk).status == Status.UNDER_REVIEW


def test_the_api_cannot_offer_in_an_archived_session(coordinator, session):
    application = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)
    session_archive(session=session, actor=coordinator)

    response = token_client(coordinator).post(
        f"/api/v1/queue/{application.pk}/move/", {"to_status": Status.OFFERED}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "This session was archived: no offer can be made in it."


# --- Waitlist positions and one place per applicant (both databases) --------------------------------


def test_two_applications_cannot_share_a_waitlist_position(session):
    first = ApplicationFactory(session=session, status=Status.WAITLISTED)
    second = ApplicationFactory(session=session, status=Status.WAITLISTED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=second.pk).update(waitlist_position=first.waitlist_position)


def test_reordering_the_waitlist_swaps_positions_without_tripping_the_constraint(session, coordinator):
    first = ApplicationFactory(session=session, status=Status.WAITLISTED)
    second = ApplicationFactory(session=session, status=Status.WAITLISTED)

    waitlist_reorder(session=session, ordered_ids=[second.pk, first.pk], actor=coordinator)

    positions = dict(Application.objects.filter(session=session).values_list("pk", "waitlist_position"))
    assert positions == {second.pk: 1, first.pk: 2}


def test_one_applicant_never_holds_two_places_in_a_session(session):
    held = ApplicationFactory(session=session, status=Status.ACCEPTED)

    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(session=session, applicant=held.applicant, status=Status.OFFERED)


# --- The database itself (PostgreSQL): writes that skip every service -------------------------------


def _immediately():
    """Fire the deferred trigger at each statement (a test's transaction never commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _raw_offer(application_id):
    return Application.objects.filter(pk=application_id).update(
        status=Status.OFFERED, offer_expires_at=timezone.now() + dt.timedelta(days=7)
    )


@postgresql_only
def test_a_raw_update_cannot_offer_more_places_than_seats(session):
    for _ in range(session.seats):
        ApplicationFactory(session=session, status=Status.ACCEPTED)
    extra = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _immediately()
        _raw_offer(extra.pk)

    refusal = places.refusal_from_database(refused.value)
    assert refusal == places.DatabaseRefusal(places.PLACES_WITHIN_SEATS, 2, places.PlacesHeld(accepted=2, offered=1))


@postgresql_only
def test_a_raw_update_cannot_cut_the_seats_below_the_places_held(busy_session):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _immediately()
        Session.objects.filter(pk=busy_session.pk).update(seats=2)

    assert places.refusal_from_database(refused.value).words == HELD_5_ON_2


@postgresql_only
def test_a_raw_update_cannot_archive_a_session_with_offers_out(busy_session):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _immediately()
        Session.objects.filter(pk=busy_session.pk).update(is_archived=True)

    assert places.refusal_from_database(refused.value).words == OFFERS_OUT_2


@postgresql_only
def test_the_refusal_at_commit_reaches_a_move_in_words_not_as_a_500(session):
    for _ in range(session.seats):
        ApplicationFactory(session=session, status=Status.ACCEPTED)
    extra = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)

    with pytest.raises(ApplicationError) as refused, refusals_in_words(), transaction.atomic():
        _immediately()
        _raw_offer(extra.pk)

    assert refused.value.message == "All 2 places in this session are taken or offered. Waitlist the applicant instead."


@postgresql_only
@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.DRAFT])
def test_the_trigger_counts_exactly_the_seat_holding_states(session, status):
    """The trigger's SQL names the seat-holding states itself: it must agree with SEAT_HOLDING."""
    session.seats = 1
    session.save(update_fields=["seats"])
    ApplicationFactory(session=session, status=status)
    extra = ApplicationFactory(session=session, status=Status.UNDER_REVIEW)

    with transaction.atomic():
        try:
            with transaction.atomic():
                _immediately()
                _raw_offer(extra.pk)
        except IntegrityError:
            refused = True
        else:
            refused = False

    assert refused == (status in SEAT_HOLDING)
