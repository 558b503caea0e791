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
    response = client.post(reverse("applications:slots", args=[session.pk]),
                           {"starts_at": "2027-01-12T09:00", "duration_minutes": 30, "where": "https://meet.example.org/im"})
    assert response.status_code == 302
    slot = InterviewSlot.objects.get(session=session)
    # Lakeshore (the `institution` persona) is in Chicago: 09:00 there is 15:00 UTC in January.
    assert slot.starts_at == dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC)


def test_an_invited_applicant_books_a_slot_sees_it_in_their_zone_and_downloads_the_ics(client, applicant, invited, session):
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
    client.post(reverse("applications:interview_request", args=[invited.pk]), {"message": "Any weekday after 14:00 UTC"})
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
        ("Preferred service", ["Wards", "ICU"], True), ("Anything else?", [], False)
    ]
