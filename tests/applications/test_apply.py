"""Applying: start a draft, autosave, submit once, see what is missing, withdraw, track."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Answer, Application, ApplicationEvent, ListingQuestion
from applications.states import Status
from tests.applications.factories import ApplicationFactory, DraftFactory, EventFactory, QuestionFactory
from tests.placements.factories import SessionFactory


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


def test_starting_twice_creates_one_draft(applicant_client, session):
    url = reverse("applications:apply", args=[session.pk])
    first = applicant_client.post(url)
    second = applicant_client.post(url)
    application = Application.objects.get(session=session)
    assert first.url == second.url == reverse("applications:detail", args=[application.pk])
    assert application.status == Status.DRAFT


def test_a_closed_session_cannot_be_started(applicant_client, listing):
    closed = SessionFactory(
        listing=listing,
        applications_open_at=timezone.now() - dt.timedelta(days=20),
        applications_close_at=timezone.now() - dt.timedelta(days=1),
    )
    response = applicant_client.post(reverse("applications:apply", args=[closed.pk]), follow=True)
    assert "Applications to this session are closed." in response.content.decode()
    assert not Application.objects.exists()


def test_autosave_keeps_what_was_typed(applicant_client, applicant, session):
    draft = DraftFactory(applicant=applicant, session=session, personal_statement="")
    question = QuestionFactory(listing=session.listing, prompt="Which EMR have you used?")
    response = applicant_client.post(
        reverse("applications:autosave", args=[draft.pk]),
        {"personal_statement": "Half a sentence", f"q_{question.pk}": "Epic"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Draft saved." in response.content.decode()
    draft.refresh_from_db()
    assert draft.personal_statement == "Half a sentence"
    assert Answer.objects.get(application=draft, question=question).value == "Epic"


def test_submitting_an_incomplete_application_lists_what_is_missing_and_keeps_the_text(
    applicant_client, applicant, session
):
    draft = DraftFactory(applicant=applicant, session=session, personal_statement="")
    QuestionFactory(listing=session.listing, prompt="Which EMR have you used?")
    choice = QuestionFactory(
        listing=session.listing,
        prompt="Preferred team",
        kind=ListingQuestion.Kind.CHOICE,
        choices="Wards\nICU",
        required=False,
    )
    response = applicant_client.post(
        reverse("applications:submit", args=[draft.pk]),
        {"personal_statement": "", f"q_{choice.pk}": "ICU", "action": "submit"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Write your personal statement." in body
    assert "Answer the question: “Which EMR have you used?”" in body
    assert 'value="ICU" selected' in body
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_complete_application_is_submitted_once_however_often_it_is_posted(applicant_client, applicant, session):
    draft = DraftFactory(applicant=applicant, session=session, personal_statement="")
    question = QuestionFactory(listing=session.listing)
    data = {
        "personal_statement": "I have two years of inpatient experience in Lagos.",
        f"q_{question.pk}": "Because",
        "action": "submit",
    }
    url = reverse("applications:submit", args=[draft.pk])
    applicant_client.post(url, data)
    second = applicant_client.post(url, data, follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.submitted_at
    assert ApplicationEvent.objects.filter(application=draft, to_status=Status.SUBMITTED).count() == 1
    assert "already submitted" in second.content.decode()


def test_a_concurrent_second_click_on_submit_says_already_submitted_not_an_error(
    applicant_client, applicant, session, monkeypatch
):
    """Two clicks at once: both read the draft, the other one submits it before this one saves.
    The browser shows this (last) answer, so it must not say the submission failed."""
    from applications import selectors, services

    draft = DraftFactory(applicant=applicant, session=session, personal_statement="")
    read = selectors.applicant_application

    def read_then_the_other_click_submits(user, pk):
        stale = read(user, pk)
        if stale.status == Status.DRAFT:
            services.application_save_draft(
                application=stale, applicant=applicant, personal_statement="Lagos.", answers={}
            )
            services.application_move(application_id=pk, to_status=Status.SUBMITTED, actor=applicant, role="applicant")
        return stale

    monkeypatch.setattr(selectors, "applicant_application", read_then_the_other_click_submits)
    response = applicant_client.post(
        reverse("applications:submit", args=[draft.pk]),
        {"personal_statement": "Lagos.", "action": "submit"},
        follow=True,
    )
    assert response.status_code == 200
    assert "already submitted" in response.content.decode()
    assert "can no longer be edited" not in response.content.decode()
    assert ApplicationEvent.objects.filter(application=draft, to_status=Status.SUBMITTED).count() == 1


def test_a_choice_answer_must_be_one_of_the_options(applicant_client, applicant, session):
    draft = DraftFactory(applicant=applicant, session=session)
    choice = QuestionFactory(listing=session.listing, kind=ListingQuestion.Kind.CHOICE, choices="Wards\nICU")
    response = applicant_client.post(
        reverse("applications:submit", args=[draft.pk]),
        {"personal_statement": "x", f"q_{choice.pk}": "Cafeteria", "action": "submit"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_withdrawing_is_recorded_on_the_timeline(applicant_client, applicant, session):
    application = ApplicationFactory(applicant=applicant, session=session, status=Status.UNDER_REVIEW)
    applicant_client.post(reverse("applications:respond", args=[application.pk]), {"to_status": Status.WITHDRAWN})
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    page = applicant_client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "Under review → Withdrawn" in page


def test_the_timeline_never_shows_internal_events(applicant_client, applicant, session):
    application = ApplicationFactory(applicant=applicant, session=session)
    EventFactory(application=application, message="Ask the dean about the gap year", internal=True)
    EventFactory(application=application, message="We are reviewing your file", internal=False)
    page = applicant_client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "We are reviewing your file" in page
    assert "gap year" not in page


def test_the_dashboard_shows_the_next_action_and_deadline_in_the_applicant_time_zone(
    applicant_client, applicant, session
):
    applicant.applicant_profile.time_zone = "Asia/Kolkata"
    applicant.applicant_profile.save()
    deadline = dt.datetime(2027, 3, 1, 17, 0, tzinfo=dt.UTC)
    ApplicationFactory(applicant=applicant, session=session, status=Status.OFFERED, offer_expires_at=deadline)
    page = applicant_client.get(reverse("applications:mine")).content.decode()
    assert "Accept or decline the offer" in page
    assert "Mar 1, 2027, 10:30 p.m. IST" in page


def test_an_ineligible_applicant_sees_why_and_cannot_submit(applicant_client, applicant, session):
    session.listing.min_step2_score = 250
    session.listing.save()
    draft = DraftFactory(applicant=applicant, session=session)
    page = applicant_client.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "Not yet eligible" in page
    response = applicant_client.post(
        reverse("applications:submit", args=[draft.pk]),
        {"personal_statement": draft.personal_statement, "action": "submit"},
    )
    assert response.status_code == 400
    assert "250" in "".join(response.context["missing"])
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_only_the_applicants_own_documents_can_be_attached(applicant_client, applicant, other_applicant, session):
    from tests.applicants.factories import add_document

    mine = add_document(applicant, "cv").document
    theirs = add_document(other_applicant, "cv").document
    draft = DraftFactory(applicant=applicant, session=session)
    url = reverse("applications:autosave", args=[draft.pk])
    refused = applicant_client.post(url, {"personal_statement": "x", "documents": [theirs.pk]})
    assert refused.status_code == 400
    applicant_client.post(url, {"personal_statement": "x", "documents": [mine.pk]})
    assert list(draft.documents.all()) == [mine]


def test_a_coordinator_cannot_use_the_applicant_dashboard(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("applications:mine")).status_code == 403


def test_an_accepted_place_shows_the_start_date_as_a_plain_date(applicant_client, applicant, session):
    ApplicationFactory(applicant=applicant, session=session, status=Status.ACCEPTED)
    page = applicant_client.get(reverse("applications:mine")).content.decode()
    assert (
        f'Complete your pre-arrival checklist <span class="deadline">by {session.start_date:%b} '
        f"{session.start_date.day}, {session.start_date.year}</span>" in page
    )


def test_a_new_draft_lists_every_missing_item_before_submit_each_with_a_link_to_fix_it(
    applicant_client, applicant, session
):
    from placements.models import DocumentRequirement

    listing = session.listing
    listing.min_letters, listing.max_letters, listing.min_step2_score = 1, 2, 250
    listing.save()
    DocumentRequirement.objects.create(listing=listing, kind="bls")
    question = QuestionFactory(listing=listing, prompt="Which weeks can you attend?", required=True)
    draft = DraftFactory(applicant=applicant, session=session, personal_statement="")

    page = applicant_client.get(reverse("applications:detail", args=[draft.pk])).content.decode()

    section = page[page.index("Before you can submit") : page.index("</section>", page.index("Before you can submit"))]
    # Nothing pressed yet: the letters, documents, questions, statement and profile are all there.
    assert "Write your personal statement." in section and 'href="#id_personal_statement"' in section
    assert "Which weeks can you attend?" in section and f'href="#id_q_{question.pk}"' in section
    assert "Upload your BLS certificate" in section
    assert reverse("applicants:document_upload") + "?kind=bls" in section
    assert "250" in section and reverse("applicants:profile_section", args=["exams"]) in section
    assert "at least 1 letter of recommendation" in section
    assert reverse("letters:assign", args=[draft.pk]) in section
