"""The writer uploads a PDF through the link: checked on its content, replaceable, and the applicant told."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from letters.models import Letter, LetterRequest
from tests.letters.conftest import make_pdf

pytestmark = pytest.mark.django_db


def upload(client, sent, file, capture):
    with capture(execute=True):
        return client.post(f"{sent.url}upload/", {"file": file}, follow=True)


def test_the_writer_uploads_a_pdf_and_the_applicant_is_told(
    client, applicant, ask, pdf_upload, django_capture_on_commit_callbacks
):
    sent = ask(applicant)

    response = upload(client, sent, pdf_upload(), django_capture_on_commit_callbacks)

    html = response.content.decode()
    assert "Thank you: your letter was received." in html
    assert "Replace your letter" in html
    sent.letter_request.refresh_from_db()
    assert sent.letter_request.status == LetterRequest.Status.UPLOADED
    with sent.letter_request.current_letter.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
    assert mail.outbox[-1].to == [applicant.email]
    assert "uploaded the letter" in mail.outbox[-1].body
    notice = applicant.notifications.get()
    assert (notice.kind, notice.title, notice.url) == (
        "letter_uploaded",
        f"{sent.letter_request.writer_name} uploaded your letter",
        "/letters/",
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("letter.pdf", b"Dear committee,\nI recommend Alice.\n", "none of them"),
        ("letter.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "this one is PNG"),
        ("letter.pdf", b"<html><script>alert(1)</script></html>", "web page"),
        ("letter.pdf", b"MZ\x90\x00" + b"\0" * 64, "program"),
        ("letter.pdf", b"", "empty"),
    ],
    ids=["plain-text", "png-named-pdf", "html-named-pdf", "executable", "empty"],
)
def test_a_file_that_is_not_a_pdf_is_refused_with_the_reason(
    client, applicant, ask, name, content, reason, django_capture_on_commit_callbacks
):
    sent = ask(applicant)
    before = len(mail.outbox)

    response = upload(
        client,
        sent,
        SimpleUploadedFile(name, content, content_type="application/pdf"),
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 400
    assert reason in response.content.decode()
    sent.letter_request.refresh_from_db()
    assert sent.letter_request.status != LetterRequest.Status.UPLOADED
    assert not Letter.objects.exists()
    assert len(mail.outbox) == before  # nobody is told a letter arrived


def test_an_oversized_pdf_is_refused_with_the_limit(
    client, applicant, ask, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_MAX_UPLOAD_BYTES = 2048
    sent = ask(applicant)

    response = upload(
        client,
        sent,
        SimpleUploadedFile("letter.pdf", make_pdf("x" * 40) + b"%" + b"0" * 4096),
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 400
    assert "the limit is 2 KB" in response.content.decode()
    assert not Letter.objects.exists()


def test_the_writer_replaces_the_letter_and_the_newest_counts(
    client, applicant, ask, pdf_upload, django_capture_on_commit_callbacks
):
    sent = ask(applicant)
    upload(client, sent, pdf_upload(content=make_pdf("first draft")), django_capture_on_commit_callbacks)

    upload(client, sent, pdf_upload(content=make_pdf("final version")), django_capture_on_commit_callbacks)

    sent.letter_request.refresh_from_db()
    assert sent.letter_request.versions.count() == 2
    assert sent.letter_request.current_letter == sent.letter_request.versions.first()
    assert "replaced" in mail.outbox[-1].subject


def test_a_refused_replacement_keeps_the_letter_already_stored(
    client, applicant, ask, pdf_upload, django_capture_on_commit_callbacks
):
    sent = ask(applicant)
    upload(client, sent, pdf_upload(), django_capture_on_commit_callbacks)
    sent.letter_request.refresh_from_db()
    kept = sent.letter_request.current_letter

    upload(client, sent, SimpleUploadedFile("new.pdf", b"not a pdf"), django_capture_on_commit_callbacks)

    sent.letter_request.refresh_from_db()
    assert sent.letter_request.current_letter == kept
    assert kept.file.storage.exists(kept.file.name)


def test_a_revoked_link_cannot_upload(client, applicant, ask, pdf_upload, django_capture_on_commit_callbacks):
    from letters.services import letter_request_revoke

    sent = ask(applicant)
    letter_request_revoke(letter_request=sent.letter_request, actor=applicant)

    response = upload(client, sent, pdf_upload(), django_capture_on_commit_callbacks)

    assert response.status_code == 410
    assert not Letter.objects.exists()


def test_after_uploading_the_writer_can_no_longer_decline(
    client, applicant, ask, pdf_upload, django_capture_on_commit_callbacks
):
    sent = ask(applicant)
    upload(client, sent, pdf_upload(), django_capture_on_commit_callbacks)

    response = client.post(f"{sent.url}decline/", {"message": "Changed my mind"})

    assert response.status_code == 400
    sent.letter_request.refresh_from_db()
    assert sent.letter_request.status == LetterRequest.Status.UPLOADED


def test_the_same_file_sent_twice_is_stored_once_and_told_once(
    client, applicant, ask, django_capture_on_commit_callbacks
):
    sent = ask(applicant)
    content = make_pdf("final version")

    for _ in range(2):  # a double click
        upload(client, sent, SimpleUploadedFile("letter.pdf", content), django_capture_on_commit_callbacks)

    assert sent.letter_request.versions.count() == 1
    assert sum(applicant.email in m.to for m in mail.outbox) == 1


def test_the_writers_confirmation_reads_as_one_sentence_in_the_afternoon(client, applicant, uploaded):
    sent = uploaded(applicant)
    afternoon = timezone.make_aware(dt.datetime(2026, 11, 3, 15, 30))
    LetterRequest.objects.filter(pk=sent.letter_request.pk).update(uploaded_at=afternoon)

    page = client.get(sent.url).content.decode()

    assert "3:30 p.m.;" in page and "p.m.." not in page
