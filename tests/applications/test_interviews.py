"""Interviews: coordinators publish times, an invited applicant books one or asks for another."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from applications.models import InterviewSlot
from applications.states import Status
from tests.applications.factories import ApplicationFactory, SlotFactory


@pytest.fixture
def invited(applicant, session):
    return ApplicationFactory(applicant=applicant, session=session, status=Status.INTERVIEW)


def test_a_coordinator_publishes_a_time_in_the_institutions_zone(client, coordinator, session):
    client.force_login(coordinator)
    response = client.post(
        reverse("applications:slots", args=[session.pk]),
        {"starts_at": "2027-01-12T09:00", "duration_minutes": 30, "where": "https://meet.example.org/im"},
    )
    assert response.status_code == 302
    slot = InterviewSlot.objects.get(session=session)
    # Lakeshore (the `institution` persona) is in Chicago: 09:00 there is 15:00 UTC in January.
    assert slot.starts_at == dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC)


def test_an_invited_applicant_books_a_slot_sees_it_in_their_zone_and_downloads_the_ics(
    client, applicant, invited, session
):
    slot = SlotFactory(session=session, starts_at=dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC))
    client.force_login(applicant)
    client.post(reverse("applications:interview_book", args=[invited.pk]), {"slot": slot.pk})
    slot.refresh_from_db()
    assert slot.application == invited
    page = client.get(reverse("applications:detail", args=[invited.pk])).content.decode()
    assert "Tue Jan 12, 2027, 4:00 p.m. WAT" in page  # Lagos, from the applicant's profile
    ics = client.get(reverse("applications:interview_ics", args=[invited.pk]))
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == slot.starts_at
    assert session.listing.title in str(event.get("summary"))


def test_a_slot_taken_by_someone_else_is_refused_with_a_reason(client, applicant, invited, session):
    slot = SlotFactory(session=session)
    slot.application = ApplicationFactory(session=session, status=Status.INTERVIEW)
    slot.save()
    client.force_login(applicant)
    response = client.post(reverse("applications:interview_book", args=[invited.pk]), {"slot": slot.pk}, follow=True)
    assert "That time was just taken" in response.content.decode()


def test_an_applicant_not_invited_cannot_book(client, applicant, session):
    application = ApplicationFactory(applicant=applicant, session=session, status=Status.SUBMITTED)
    slot = SlotFactory(session=session)
    client.force_login(applicant)
    client.post(reverse("applications:interview_book", args=[application.pk]), {"slot": slot.pk})
    slot.refresh_from_db()
    assert slot.application is None


def test_asking_for_another_time_reaches_the_coordinators_timeline(client, applicant, coordinator, invited):
    client.force_login(applicant)
    client.post(
        reverse("applications:interview_request", args=[invited.pk]), {"message": "Any weekday after 14:00 UTC"}
    )
    client.force_login(coordinator)
    packet = client.get(reverse("applications:packet", args=[invited.pk])).content.decode()
    assert "Asked for another interview time: Any weekday after 14:00 UTC" in packet


def test_coordinators_define_text_and_choice_questions(client, coordinator, listing):
    from applications.models import ListingQuestion

    client.force_login(coordinator)
    url = reverse("applications:questions", args=[listing.pk])
    refused = client.post(url, {"prompt": "Preferred service", "kind": "choice", "choices": "", "required": "on"})
    assert refused.status_code == 400 and "List the options, one a line." in refused.content.decode()
    client.post(url, {"prompt": "Preferred service", "kind": "choice", "choices": "Wards\nICU", "required": "on"})
    client.post(url, {"prompt": "Anything else?", "kind": "text"})
    questions = list(ListingQuestion.objects.filter(listing=listing))
    assert [(q.prompt, q.options, q.required) for q in questions] == [
        ("Preferred service", ["Wards", "ICU"], True),
        ("Anything else?", [], False),
    ]


# --- Coordinators take back a time ----------------------------------------------------------


def _booked_slot(session, application, starts_at=dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC)):
    slot = SlotFactory(session=session, starts_at=starts_at)
    slot.application = application
    slot.save()
    return slot


def test_a_coordinator_removes_a_free_time_and_applicants_no_longer_see_it(
    client, coordinator, applicant, invited, session
):
    slot = SlotFactory(session=session, starts_at=dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC))
    client.force_login(coordinator)
    page = client.post(reverse("applications:slot_cancel", args=[slot.pk]), follow=True).content.decode()
    assert "Interview time removed." in page
    assert not InterviewSlot.objects.filter(pk=slot.pk).exists()
    client.force_login(applicant)
    detail = client.get(reverse("applications:detail", args=[invited.pk])).content.decode()
    assert "Jan 12, 2027" not in detail


def test_cancelling_a_booked_time_tells_the_applicant_who_can_book_another(
    client, coordinator, applicant, invited, session, mailoutbox, django_capture_on_commit_callbacks
):
    slot = _booked_slot(session, invited)
    other = SlotFactory(session=session, starts_at=dt.datetime(2027, 1, 13, 15, 0, tzinfo=dt.UTC))
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("applications:slot_cancel", args=[slot.pk]), follow=True).content.decode()
    assert "The applicant was told and can book another time." in page
    invited.refresh_from_db()
    assert invited.status == Status.INTERVIEW  # still invited
    # In the applicant's zone (Lagos), named, on their timeline and in their e-mail.
    told = "The programme cancelled your interview of Jan. 12, 2027, 4 p.m. (WAT). Please book another time."
    assert [m.to for m in mailoutbox] == [[applicant.email]] and told in mailoutbox[0].body
    client.force_login(applicant)
    assert told in client.get(reverse("applications:detail", args=[invited.pk])).content.decode()
    client.post(reverse("applications:interview_book", args=[invited.pk]), {"slot": other.pk})
    other.refresh_from_db()
    assert other.application == invited


def test_a_past_booked_interview_cannot_be_cancelled(client, coordinator, invited, session):
    slot = _booked_slot(session, invited, starts_at=dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC))
    client.force_login(coordinator)
    page = client.post(reverse("applications:slot_cancel", args=[slot.pk]), follow=True).content.decode()
    assert "This interview time has passed" in page
    assert InterviewSlot.objects.get(pk=slot.pk).application == invited


def test_another_institutions_coordinator_and_the_applicant_cannot_cancel_a_time(
    client, other_coordinator, applicant, invited, session
):
    slot = _booked_slot(session, invited)
    client.force_login(other_coordinator)
    assert client.post(reverse("applications:slot_cancel", args=[slot.pk])).status_code == 404
    client.force_login(applicant)
    assert client.post(reverse("applications:slot_cancel", args=[slot.pk])).status_code == 403
    assert InterviewSlot.objects.get(pk=slot.pk).application == invited


def test_the_institutions_coordinators_hear_of_a_booking_in_their_zone_and_nobody_else_does(
    client, applicant, coordinator, other_coordinator, invited, session
):
    slot = SlotFactory(session=session, starts_at=dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC))
    client.force_login(applicant)
    client.post(reverse("applications:interview_book", args=[invited.pk]), {"slot": slot.pk})
    client.post(reverse("applications:interview_request", args=[invited.pk]), {"message": "Or any Friday"})

    titles = list(coordinator.notifications.order_by("pk").values_list("title", "url"))
    packet = reverse("applications:packet", args=[invited.pk])
    name = applicant.get_full_name()
    assert titles == [
        (f"{name} booked an interview: Jan. 12, 2027, 9 a.m. CST, Internal Medicine Sub-Internship", packet),
        (f"{name} asked for another interview time", packet),
    ]
    assert not other_coordinator.notifications.exists()
