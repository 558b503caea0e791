"""Documents: upload, replace with versions kept, private download, refusals that lose nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from applicants.models import Document, DocumentVersion
from tests.applicants import files
from tests.applicants.conftest import stored_files

pytestmark = pytest.mark.django_db

UPLOAD = reverse("applicants:document_upload")


def post_upload(client, content=files.PDF, name="cv.pdf", kind="cv", **extra):
    return client.post(UPLOAD, {"kind": kind, "file": files.upload(content, name), **extra})


def test_an_applicant_uploads_a_cv_and_finds_it_on_the_documents_page(applicant_client, applicant, media_root):
    response = post_upload(applicant_client, name="Amina Okafor CV.pdf", issued_on="2026-09-01")

    assert response.status_code == 302
    version = DocumentVersion.objects.get(document__owner=applicant)
    assert (version.original_name, version.issued_on, version.number) == ("Amina_Okafor_CV.pdf", dt.date(2026, 9, 1), 1)
    assert len(stored_files(media_root)) == 1
    page = applicant_client.get(reverse("applicants:documents")).content.decode()
    assert "Amina_Okafor_CV.pdf" in page and reverse("applicants:document_download", args=[version.pk]) in page


def test_an_immunisation_record_stores_what_it_proves(applicant_client, applicant):
    post_upload(applicant_client, kind="immunisation_record", **{"imm-tb_test": "2026-10-01", "imm-mmr": "2001-05-04"})

    version = DocumentVersion.objects.get(document__owner=applicant)
    assert {(e.immunisation, e.date) for e in version.immunisations.all()} == {
        ("tb_test", dt.date(2026, 10, 1)),
        ("mmr", dt.date(2001, 5, 4)),
    }


def test_an_immunisation_record_without_any_date_is_refused_and_keeps_the_typed_dates(applicant_client, applicant):
    response = post_upload(applicant_client, kind="immunisation_record", issued_on="2026-10-02")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Add the date of at least one vaccine or test this record shows." in html
    assert 'value="2026-10-02"' in html and 'value="immunisation_record" selected' in html
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (files.EXE, "cv.pdf", "This file is a program"),
        (files.HTML, "cv.pdf", "web page"),
        (b"", "cv.pdf", "file is empty"),  # Django's own check says "The submitted file is empty."
    ],
)
def test_a_refused_upload_names_the_reason_and_stores_nothing(applicant_client, media_root, content, name, reason):
    response = post_upload(applicant_client, content=content, name=name, issued_on="2026-01-05")

    assert response.status_code == 400
    html = response.content.decode()
    assert reason.lower() in html.lower()
    assert 'value="2026-01-05"' in html  # what was typed is kept
    assert not Document.objects.exists() and stored_files(media_root) == []


def test_an_oversized_upload_is_refused_with_the_limit(applicant_client, settings, media_root):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024

    response = post_upload(applicant_client, content=files.PDF + b"x" * 2000)

    assert response.status_code == 400 and "the limit is 1 KB" in response.content.decode()
    assert stored_files(media_root) == []


def test_a_double_submitted_upload_creates_one_document(applicant_client, applicant, media_root):
    post_upload(applicant_client)
    post_upload(applicant_client)

    assert Document.objects.filter(owner=applicant).count() == 1
    assert len(stored_files(media_root)) == 1


def replace(client, document, content, name="cv-2027.pdf", **extra):
    return client.post(
        reverse("applicants:document_replace", args=[document.pk]), {"file": files.upload(content, name), **extra}
    )


def test_replacing_keeps_the_earlier_version_downloadable(applicant_client, applicant, media_root):
    post_upload(applicant_client)
    document = Document.objects.get(owner=applicant)
    first = document.current_version

    response = replace(applicant_client, document, files.PDF + b"% revised\n")

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_version.number == 2 and document.versions.count() == 2
    old = applicant_client.get(reverse("applicants:document_download", args=[first.pk]))
    assert old.status_code == 200 and b"".join(old.streaming_content) == files.PDF
    assert len(stored_files(media_root)) == 2


def test_a_refused_replacement_keeps_the_stored_version_current(applicant_client, applicant, media_root):
    post_upload(applicant_client)
    document = Document.objects.get(owner=applicant)
    before = document.current_version_id

    response = replace(applicant_client, document, files.EXE, name="cv.pdf")

    assert response.status_code == 400 and "This file is a program" in response.content.decode()
    document.refresh_from_db()
    assert document.current_version_id == before and document.versions.count() == 1
    assert len(stored_files(media_root)) == 1


def test_the_download_is_an_attachment_that_browsers_must_not_sniff(applicant_client, applicant):
    post_upload(applicant_client, name="My CV.pdf")
    version = DocumentVersion.objects.get(document__owner=applicant)

    response = applicant_client.get(reverse("applicants:document_download", args=[version.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="My_CV.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


def test_another_applicants_document_is_not_found(client, applicant, other_applicant):
    client.force_login(applicant)
    post_upload(client)
    document = Document.objects.get(owner=applicant)
    client.force_login(other_applicant)

    assert client.get(reverse("applicants:document_download", args=[document.current_version_id])).status_code == 404
    assert replace(client, document, files.PDF + b"x").status_code == 404
    assert client.post(reverse("applicants:document_delete", args=[document.pk])).status_code == 404
    assert Document.objects.get(pk=document.pk).versions.count() == 1


def test_a_coordinator_cannot_use_applicants_document_pages(client, coordinator):
    client.force_login(coordinator)

    assert client.get(reverse("applicants:documents")).status_code == 403
    assert client.get(UPLOAD).status_code == 403


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("applicants:documents"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_deleting_a_document_removes_every_version_and_file(
    applicant_client, applicant, media_root, django_capture_on_commit_callbacks
):
    post_upload(applicant_client)
    replace(applicant_client, Document.objects.get(owner=applicant), files.PNG, name="cv.png")

    with django_capture_on_commit_callbacks(execute=True):
        applicant_client.post(reverse("applicants:document_delete", args=[Document.objects.get(owner=applicant).pk]))

    assert not DocumentVersion.objects.exists() and stored_files(media_root) == []


def test_the_documents_page_reads_a_fixed_number_of_queries(applicant_client, applicant, django_assert_max_num_queries):
    from tests.applicants.factories import add_document

    for size in (1, 10):
        for _ in range(size):
            add_document(applicant, "immunisation_record", immunisations={"tdap": dt.date(2020, 1, 1)})
        with django_assert_max_num_queries(8):
            assert applicant_client.get(reverse("applicants:documents")).status_code == 200


def test_a_file_missing_from_storage_is_a_404_not_a_500(applicant_client, applicant, media_root):
    post_upload(applicant_client)
    version = DocumentVersion.objects.get(document__owner=applicant)
    for path in stored_files(media_root):
        path.unlink()

    assert applicant_client.get(reverse("applicants:document_download", args=[version.pk])).status_code == 404


def test_correcting_a_documents_dates_needs_no_new_upload(applicant_client, applicant, media_root):
    post_upload(applicant_client)
    document = Document.objects.get(owner=applicant)
    url = reverse("applicants:document_replace", args=[document.pk])
    assert "Leave empty to keep the current file" in applicant_client.get(url).content.decode()

    response = applicant_client.post(url, {"issued_on": "2026-01-15", "expires_on": "2028-01-14"})

    assert response.status_code == 302
    document.refresh_from_db()
    version = document.current_version
    assert document.versions.count() == 1 and len(stored_files(media_root)) == 1
    assert (version.issued_on, version.expires_on) == (dt.date(2026, 1, 15), dt.date(2028, 1, 14))


def test_corrected_dates_are_checked_like_new_ones(applicant_client, applicant):
    post_upload(applicant_client)
    document = Document.objects.get(owner=applicant)
    before = document.current_version.expires_on

    response = applicant_client.post(
        reverse("applicants:document_replace", args=[document.pk]),
        {"issued_on": "2026-01-15", "expires_on": "2025-01-01"},
    )

    assert response.status_code == 400 and "The expiry date is before the issue date." in response.content.decode()
    document.refresh_from_db()
    assert document.current_version.expires_on == before
