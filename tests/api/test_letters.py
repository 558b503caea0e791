"""Letter requests through the API: the page's form and services, own requests only."""

import pytest
from django.core import mail

from letters.models import LetterRequest

pytestmark = pytest.mark.django_db

WRITER = {
    "writer_name": "Dr. Ruth Mensah",
    "writer_email": "ruth.mensah@example.org",
    "writer_title": "Attending Physician",
    "writer_institution": "Lakeshore University Medical Center",
    "relationship": "Supervised my internal medicine rotation",
    "waived": True,
}


def test_an_applicant_asks_for_a_letter_and_asking_twice_is_a_409(alice, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post("/api/v1/letters/", WRITER, format="json")
    assert response.status_code == 201 and response.json()["status"] == "sent"
    assert mail.outbox[-1].to == ["ruth.mensah@example.org"]
    again = alice.post("/api/v1/letters/", WRITER, format="json")
    assert again.status_code == 409 and "ruth.mensah@example.org" in again.json()["detail"]
    assert LetterRequest.objects.filter(applicant=applicant).count() == 1


def test_a_bad_email_is_named_in_errors(alice):
    body = alice.post("/api/v1/letters/", {**WRITER, "writer_email": "not-an-address"}, format="json").json()
    assert body["status"] == 400 and list(body["errors"]) == ["writer_email"]


def test_another_applicants_request_is_404_and_stays_as_it_was(alice, bob):
    pk = alice.post("/api/v1/letters/", WRITER, format="json").json()["id"]
    assert bob.post(f"/api/v1/letters/{pk}/revoke/").status_code == 404
    assert bob.post(f"/api/v1/letters/{pk}/resend/").status_code == 404
    assert bob.get("/api/v1/letters/").json()["count"] == 0
    assert LetterRequest.objects.get(pk=pk).status == "sent"
    assert alice.post(f"/api/v1/letters/{pk}/revoke/").json()["status"] == "revoked"
