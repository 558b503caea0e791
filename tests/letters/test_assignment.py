"""Assigning letters to applications: within the listing's limits, checked at submission, fixed after."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.errors import ApplicationError
from applications.services import application_move
from letters.models import LetterAssignment, LetterRequest
from letters.selectors import assignment_problems
from letters.services import LetterError, letter_assignments_set, letter_request_revoke
from tests.applications.factories import ApplicationFactory, DraftFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(applicant):
    return DraftFactory(
        applicant=applicant, session=SessionFactory(listing=ListingFactory(min_letters=1, max_letters=2))
    )


def three_letters(applicant, uploaded):
    return [
        uploaded(applicant, writer_email=f"writer{n}@example.org", writer_name=f"Dr. Writer {n}").letter_request
        for n in range(3)
    ]


def test_the_applicant_assigns_letters_and_can_change_them_while_drafting(applicant, draft, uploaded):
    first, second, third = three_letters(applicant, uploaded)

    letter_assignments_set(application=draft, letter_request_ids=[first.pk, second.pk], actor=applicant)
    letter_assignments_set(application=draft, letter_request_ids=[second.pk, third.pk], actor=applicant)

    assert set(LetterAssignment.objects.filter(application=draft).values_list("letter_request_id", flat=True)) == {
        second.pk,
        third.pk,
    }


def test_more_letters_than_the_listing_accepts_are_refused(applicant, draft, uploaded):
    letters = three_letters(applicant, uploaded)

    with pytest.raises(LetterError, match="at most 2"):
        letter_assignments_set(application=draft, letter_request_ids=[r.pk for r in letters], actor=applicant)
    assert not LetterAssignment.objects.exists()


def test_another_applicants_letter_cannot_be_assigned(applicant, other_applicant, draft, uploaded):
    theirs = uploaded(other_applicant).letter_request

    with pytest.raises(LetterError, match="not yours"):
        letter_assignments_set(application=draft, letter_request_ids=[theirs.pk], actor=applicant)


def test_letters_cannot_be_put_on_another_applicants_application(applicant, other_applicant, uploaded):
    mine = uploaded(applicant).letter_request
    their_draft = DraftFactory(applicant=other_applicant)

    with pytest.raises(LetterError, match="not your application"):
        letter_assignments_set(application=their_draft, letter_request_ids=[mine.pk], actor=applicant)


@pytest.mark.parametrize("status", ["declined", "revoked", "expired"])
def test_a_request_that_will_bring_no_letter_cannot_be_assigned(applicant, draft, status):
    from tests.letters.factories import LetterRequestFactory

    letter_request = LetterRequestFactory(applicant=applicant, status=status)

    with pytest.raises(LetterError, match="cannot be assigned"):
        letter_assignments_set(application=draft, letter_request_ids=[letter_request.pk], actor=applicant)


def test_submission_problems_name_what_is_missing(applicant, draft, ask, uploaded):
    assert assignment_problems(draft) == [
        "This programme asks for at least 1 letter of recommendation; you have assigned 0."
    ]
    pending = ask(applicant, writer_name="Dr. Ken Sato", writer_email="ksato@example.org").letter_request
    letter_assignments_set(application=draft, letter_request_ids=[pending.pk], actor=applicant)
    assert assignment_problems(draft) == [
        "The letter from Dr. Ken Sato has not arrived yet: wait for it, or unassign it."
    ]

    done = uploaded(applicant).letter_request
    letter_assignments_set(application=draft, letter_request_ids=[done.pk], actor=applicant)
    assert assignment_problems(draft) == []


def test_submitting_is_refused_until_the_letters_are_right(applicant, draft, uploaded):
    from tests.applicants.factories import ApplicantProfileFactory

    ApplicantProfileFactory(user=applicant)  # eligible, so that only the letters stand in the way
    with pytest.raises(ApplicationError) as refused:
        application_move(application_id=draft.pk, to_status="submitted", actor=applicant, role="applicant")
    assert refused.value.reasons == [
        "This programme asks for at least 1 letter of recommendation; you have assigned 0."
    ]

    letter_assignments_set(
        application=draft, letter_request_ids=[uploaded(applicant).letter_request.pk], actor=applicant
    )
    submitted = application_move(application_id=draft.pk, to_status="submitted", actor=applicant, role="applicant")

    assert submitted.status == "submitted"


def test_after_submission_the_letters_are_fixed(applicant, uploaded):
    letter_request = uploaded(applicant).letter_request
    submitted = ApplicationFactory(applicant=applicant)
    LetterAssignment.objects.create(letter_request=letter_request, application=submitted)

    with pytest.raises(LetterError, match="can no longer change"):
        letter_assignments_set(application=submitted, letter_request_ids=[], actor=applicant)
    assert LetterAssignment.objects.filter(application=submitted).count() == 1


def test_a_letter_used_in_a_submitted_application_can_no_longer_be_replaced(client, applicant, uploaded, pdf_upload):
    sent = uploaded(applicant)
    LetterAssignment.objects.create(
        letter_request=sent.letter_request, application=ApplicationFactory(applicant=applicant)
    )

    page = client.get(sent.url)
    response = client.post(f"{sent.url}upload/", {"file": pdf_upload()})

    assert "Your letter has been used" in page.content.decode()
    assert "Replace the letter" not in page.content.decode()
    assert response.status_code == 400
    assert "can no longer be replaced" in response.content.decode()
    assert sent.letter_request.versions.count() == 1


def test_the_due_date_is_the_earliest_deadline_among_the_assigned_applications(applicant, ask):
    letter_request = ask(applicant).letter_request
    soon, later = (
        DraftFactory(
            applicant=applicant, session=SessionFactory(start_date=timezone.localdate() + dt.timedelta(days=days))
        )
        for days in (60, 120)
    )

    letter_assignments_set(application=later, letter_request_ids=[letter_request.pk], actor=applicant)
    letter_request.refresh_from_db()
    assert letter_request.due_at == later.session.applications_close_at

    letter_assignments_set(application=soon, letter_request_ids=[letter_request.pk], actor=applicant)
    letter_request.refresh_from_db()
    assert letter_request.due_at == soon.session.applications_close_at

    letter_assignments_set(application=soon, letter_request_ids=[], actor=applicant)
    letter_assignments_set(application=later, letter_request_ids=[], actor=applicant)
    letter_request.refresh_from_db()
    assert letter_request.due_at is None


def test_the_writer_sees_the_programmes_the_letter_goes_to(client, applicant, ask, draft):
    sent = ask(applicant)
    letter_assignments_set(application=draft, letter_request_ids=[sent.letter_request.pk], actor=applicant)

    html = client.get(sent.url).content.decode()

    assert draft.session.listing.title in html
    assert draft.session.listing.institution.name in html


# --- The assignment page -------------------------------------------------------------------


def test_the_applicant_assigns_from_the_page(client, applicant, draft, uploaded):
    letter_request = uploaded(applicant).letter_request
    client.force_login(applicant)

    response = client.post(reverse("letters:assign", args=[draft.pk]), {"letters": [letter_request.pk]}, follow=True)

    html = response.content.decode()
    assert "1 letter assigned" in html
    assert f'value="{letter_request.pk}"' in html and "checked" in html
    assert LetterAssignment.objects.filter(application=draft, letter_request=letter_request).exists()


def test_the_page_says_why_too_many_letters_were_refused_and_keeps_the_choice(client, applicant, draft, uploaded):
    letters = three_letters(applicant, uploaded)
    client.force_login(applicant)

    response = client.post(reverse("letters:assign", args=[draft.pk]), {"letters": [r.pk for r in letters]})

    assert response.status_code == 400
    assert "at most 2 letters" in response.content.decode()
    assert not LetterAssignment.objects.exists()


def test_another_applicants_application_is_a_404(client, applicant, other_applicant):
    their_draft = DraftFactory(applicant=other_applicant)
    client.force_login(applicant)

    assert client.get(reverse("letters:assign", args=[their_draft.pk])).status_code == 404


def test_a_submitted_application_shows_its_letters_as_fixed(client, applicant, uploaded):
    letter_request = uploaded(applicant).letter_request
    submitted = ApplicationFactory(applicant=applicant)
    LetterAssignment.objects.create(letter_request=letter_request, application=submitted)
    client.force_login(applicant)

    html = client.get(reverse("letters:assign", args=[submitted.pk])).content.decode()

    assert "its letters are fixed" in html
    assert letter_request.writer_name in html
    assert "Save the letters" not in html


def test_a_revoked_request_stays_listed_so_it_can_be_unassigned(client, applicant, draft, ask):
    letter_request = ask(applicant).letter_request
    letter_assignments_set(application=draft, letter_request_ids=[letter_request.pk], actor=applicant)
    letter_request_revoke(letter_request=letter_request, actor=applicant)
    client.force_login(applicant)

    response = client.post(reverse("letters:assign", args=[draft.pk]), {})

    assert response.status_code == 302
    assert not LetterAssignment.objects.exists()
    assert LetterRequest.objects.get(pk=letter_request.pk).status == "revoked"


def test_the_daily_sweep_follows_a_moved_deadline_and_reminders_find_the_letter(applicant, ask):
    from letters.services import letter_requests_expire
    from placements.models import Session

    letter_request = ask(applicant).letter_request
    application = DraftFactory(applicant=applicant)
    letter_assignments_set(application=application, letter_request_ids=[letter_request.pk], actor=applicant)
    earlier = application.session.applications_close_at - dt.timedelta(days=7)
    Session.objects.filter(pk=application.session_id).update(applications_close_at=earlier)

    letter_requests_expire()

    letter_request.refresh_from_db()
    assert letter_request.due_at == earlier
    assert list(LetterRequest.objects.due_before(earlier + dt.timedelta(days=1))) == [letter_request]
    assert not LetterRequest.objects.due_before(earlier - dt.timedelta(days=1)).exists()


def test_the_writers_page_keeps_a_constant_number_of_queries(client, applicant, ask, django_assert_max_num_queries):
    sent = ask(applicant)
    client.get(sent.url)  # the first visit also records the opening

    def page_with(n: int) -> None:
        for _ in range(n):
            draft = DraftFactory(applicant=applicant, session=SessionFactory(listing=ListingFactory(max_letters=3)))
            LetterAssignment.objects.create(letter_request=sent.letter_request, application=draft)
        with django_assert_max_num_queries(5):
            assert client.get(sent.url).status_code == 200

    page_with(1)
    page_with(8)


def test_a_withdrawn_draft_no_longer_sets_the_letters_due_date(applicant, ask):
    from letters.services import letter_requests_expire

    letter_request = ask(applicant).letter_request
    soon, later = (
        DraftFactory(
            applicant=applicant, session=SessionFactory(start_date=timezone.localdate() + dt.timedelta(days=days))
        )
        for days in (60, 120)
    )
    for application in (soon, later):
        letter_assignments_set(application=application, letter_request_ids=[letter_request.pk], actor=applicant)

    application_move(application_id=soon.pk, to_status="withdrawn", actor=applicant, role="applicant")
    letter_requests_expire()
    letter_request.refresh_from_db()
    assert letter_request.due_at == later.session.applications_close_at

    application_move(application_id=later.pk, to_status="withdrawn", actor=applicant, role="applicant")
    letter_requests_expire()
    letter_request.refresh_from_db()
    assert letter_request.due_at is None  # needed by nothing: no reminder hurries the writer
