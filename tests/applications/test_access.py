"""Every view that takes an id refuses other people's objects with a 404, and wrong roles with a 403."""

import pytest
from django.urls import reverse

from applications.models import Certificate
from applications.states import Status
from tests.applications.factories import ApplicationFactory, QuestionFactory

APPLICANT_VIEWS = [
    ("get", "applications:detail", {}),
    ("post", "applications:autosave", {}),
    ("post", "applications:submit", {}),
    ("post", "applications:respond", {"to_status": "withdrawn"}),
    ("post", "applications:interview_book", {"slot": "1"}),
    ("post", "applications:interview_request", {"message": "Tuesdays"}),
    ("get", "applications:interview_ics", {}),
    ("get", "applications:certificate", {}),
    ("get", "applications:review", {}),
]
COORDINATOR_VIEWS = [
    ("get", "applications:packet", {}),
    ("post", "applications:move", {"to_status": "under_review"}),
    ("post", "applications:note", {"body": "Strong"}),
    ("post", "applications:score", {"fit": "5"}),
    ("post", "applications:complete", {"evaluation": "Good"}),
    ("get", "applications:coordinator_interview_ics", {}),
]


@pytest.fixture
def alices_application(applicant, session):
    return ApplicationFactory(applicant=applicant, session=session, status=Status.SUBMITTED)


@pytest.mark.parametrize(("method", "name", "data"), APPLICANT_VIEWS)
def test_another_applicants_application_is_a_404(method, name, data, client, other_applicant, alices_application):
    client.force_login(other_applicant)
    response = getattr(client, method)(reverse(name, args=[alices_application.pk]), data)
    assert response.status_code == 404
    alices_application.refresh_from_db()
    assert alices_application.status == Status.SUBMITTED and not alices_application.events.exists()


@pytest.mark.parametrize(("method", "name", "data"), APPLICANT_VIEWS)
def test_a_coordinator_gets_403_on_applicant_pages(method, name, data, client, coordinator, alices_application):
    client.force_login(coordinator)
    assert getattr(client, method)(reverse(name, args=[alices_application.pk]), data).status_code == 403


@pytest.mark.parametrize(("method", "name", "data"), COORDINATOR_VIEWS)
def test_another_institutions_coordinator_gets_a_404(method, name, data, client, other_coordinator, alices_application):
    client.force_login(other_coordinator)
    response = getattr(client, method)(reverse(name, args=[alices_application.pk]), data)
    assert response.status_code == 404
    alices_application.refresh_from_db()
    assert alices_application.status == Status.SUBMITTED
    assert not alices_application.notes.exists() and not alices_application.scores.exists()


@pytest.mark.parametrize(("method", "name", "data"), COORDINATOR_VIEWS)
def test_an_applicant_gets_403_on_coordinator_pages(method, name, data, client, applicant, alices_application):
    client.force_login(applicant)
    assert getattr(client, method)(reverse(name, args=[alices_application.pk]), data).status_code == 403


def test_a_coordinator_downloads_only_documents_attached_to_their_institutions_applications(
    client, coordinator, other_coordinator, applicant, alices_application, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from tests.applicants.factories import add_document

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    attached = add_document(applicant, "cv")
    attached.file.save("cv.pdf", ContentFile(b"%PDF-1.4 cv"), save=True)
    not_attached = add_document(applicant, "passport").document
    alices_application.documents.add(attached.document)
    url = "applications:coordinator_document"

    client.force_login(coordinator)
    response = client.get(reverse(url, args=[alices_application.pk, attached.document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 cv"
    assert client.get(reverse(url, args=[alices_application.pk, not_attached.pk])).status_code == 404
    client.force_login(other_coordinator)
    assert client.get(reverse(url, args=[alices_application.pk, attached.document.pk])).status_code == 404


def test_a_coordinator_never_sees_drafts(client, coordinator, applicant, session):
    draft = ApplicationFactory(applicant=applicant, session=session, status=Status.DRAFT)
    client.force_login(coordinator)
    assert client.get(reverse("applications:packet", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("name", ["applications:slots", "applications:waitlist"])
def test_another_institutions_session_is_a_404(name, client, other_coordinator, session):
    client.force_login(other_coordinator)
    method = client.post if name.endswith("waitlist") else client.get
    assert method(reverse(name, args=[session.pk])).status_code == 404


def test_another_institutions_listing_questions_are_a_404(client, other_coordinator, listing):
    question = QuestionFactory(listing=listing)
    client.force_login(other_coordinator)
    assert client.get(reverse("applications:questions", args=[listing.pk])).status_code == 404
    assert client.post(reverse("applications:question_delete", args=[listing.pk, question.pk])).status_code == 404
    assert listing.questions.count() == 1


def test_checklist_items_of_another_application_are_a_404(client, other_applicant, alices_application):
    client.force_login(other_applicant)
    assert client.post(reverse("applications:checklist_tick", args=[alices_application.pk, 1])).status_code == 404


def test_an_applicant_cannot_apply_on_behalf_of_a_coordinator(client, coordinator, session):
    client.force_login(coordinator)
    assert client.post(reverse("applications:apply", args=[session.pk])).status_code == 403


def test_the_verification_page_is_public_and_shows_only_the_certificate(client, alices_application):
    certificate = Certificate.objects.create(
        application=alices_application,
        holder_name="Alice Applicant",
        listing_title="IM Sub-I",
        institution_name="Lakeshore",
        start_date=alices_application.session.start_date,
        end_date=alices_application.session.end_date,
    )
    page = client.get(reverse("applications:verify_code", args=[certificate.code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Alice Applicant completed IM Sub-I at Lakeshore" in body
    assert alices_application.applicant.email not in body
    assert client.get(reverse("applications:verify_code", args=["NOPE-NOPE-NOPE"])).status_code == 404
