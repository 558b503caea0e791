"""Fixtures for the letters tests: a request sent through the real service, its link, a real PDF."""

import io
import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.pdfgen import canvas

from letters.models import LetterRequest
from letters.services import letter_request_create

TOKEN_IN_MAIL = re.compile(r"/letters/write/([^/\s]+)/")


def token_in(message) -> str:
    return TOKEN_IN_MAIL.search(message.body).group(1)


@dataclass
class Sent:
    letter_request: LetterRequest
    token: str

    @property
    def url(self) -> str:
        return f"/letters/write/{self.token}/"


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """ask(applicant, **fields) -> Sent: the request as the applicant sends it, and the link the writer got."""

    def _ask(applicant, **fields) -> Sent:
        values = {
            "writer_name": "Dr. Maria Delgado",
            "writer_email": "mdelgado@lakeshore-health.example.org",
            "writer_title": "Attending Physician, Internal Medicine",
            "writer_institution": "Lakeshore University Medical Center",
            "relationship": "Supervised me for four weeks on the inpatient medicine service.",
            "waived": True,
            **fields,
        }
        with django_capture_on_commit_callbacks(execute=True):
            letter_request = letter_request_create(applicant=applicant, **values)
        return Sent(letter_request, token_in(mail.outbox[-1]))

    return _ask


def make_pdf(text: str = "To whom it may concern: I recommend Dr. Alice Applicant.") -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def pdf_upload():
    def _upload(name: str = "letter.pdf", content: bytes | None = None) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content if content is not None else make_pdf(), content_type="application/pdf")

    return _upload


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Each test stores its letters in its own folder, so nothing leaks between tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def uploaded(ask, client, pdf_upload, django_capture_on_commit_callbacks):
    """uploaded(applicant, **fields) -> Sent: a request whose writer has uploaded a real PDF through the link."""

    def _uploaded(applicant, **fields) -> Sent:
        sent = ask(applicant, **fields)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{sent.url}upload/", {"file": pdf_upload()})
        assert response.status_code == 302, response.content.decode()
        sent.letter_request.refresh_from_db()
        return sent

    return _uploaded
