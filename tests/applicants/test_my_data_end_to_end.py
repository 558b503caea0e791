"""My data end to end: an applicant with something of every kind exports it all, then deletes it all.

Two applicants, each with a profile, documents with files, an application, a letter with its
file, notifications, a preference, a saved listing, an API token and a signed-in session. Alice
downloads her zip (every kind of her data, nothing of Bob's), deletes her account, and then:
her files are gone from storage, she cannot sign in or use her token, her rows are gone (her
application stays for the programme, anonymised), the audit log still says what she did, and
Bob's data is exactly as it was.
"""

import io
import json
import zipfile

import pytest
from allauth.usersessions.models import UserSession
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import api_token_create
from applicants.models import ApplicantProfile, Document, DocumentVersion, SavedListing
from applicants.uploads import check_upload
from applications.models import Application
from audit.models import AuditEvent
from letters.models import Letter, LetterRequest
from letters.services import letter_upload
from notifications.models import Notification, NotificationPreference
from tests.accounts.factories import PASSWORD
from tests.applicants import files
from tests.applicants.conftest import stored_files
from tests.applicants.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory, EventFactory
from tests.letters.conftest import make_pdf
from tests.letters.factories import LetterRequestFactory
from tests.notifications.factories import NotificationFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

PERSONAL = (
    Document,
    DocumentVersion,
    LetterRequest,
    Letter,
    Notification,
    NotificationPreference,
    SavedListing,
    ApiToken,
    ApplicantProfile,
)


def _everything(client, user, *, tag: str, document: bytes) -> dict:
    """Give `user` one of every kind of personal data, through the real upload paths; sign them in."""
    ApplicantProfileFactory(user=user, medical_school=f"{tag} Medical College")
    # Through allauth's real login, so the session is recorded with its IP address and browser.
    assert client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}).status_code == 302
    client.post(reverse("applicants:document_upload"), {"kind": "cv", "file": files.upload(document, f"{tag}-cv.pdf")})
    application = ApplicationFactory(
        applicant=user,
        session=SessionFactory(listing=ListingFactory(title=f"{tag} Cardiology Rotation")),
        personal_statement=f"{tag} wants to see a US cardiology service.",
    )
    application.documents.set(Document.objects.filter(owner=user))
    EventFactory(application=application, message=f"{tag} is under review.")
    pdf = make_pdf(f"I recommend {tag} without reservation.")
    letter_request = LetterRequestFactory(applicant=user, writer_name=f"Dr. {tag} Writer")
    letter_upload(
        letter_request=letter_request,
        upload=files.upload(pdf, "letter.pdf"),
        checked=check_upload(files.upload(pdf, "letter.pdf")),
    )
    NotificationFactory(recipient=user, title=f"{tag}: your offer expires soon")
    NotificationPreference.objects.create(user=user, kind="window_closing", enabled=False)
    SavedListing.objects.create(user=user, listing=ListingFactory(title=f"{tag} Saved Rotation"))
    _token, raw = api_token_create(user=user, name=f"{tag} phone")
    return {"application": application, "token": raw}


def _counts(user) -> dict[str, int]:
    owner = {
        Document: "owner",
        DocumentVersion: "document__owner",
        LetterRequest: "applicant",
        Letter: "request__applicant",
        Notification: "recipient",
        NotificationPreference: "user",
        SavedListing: "user",
        ApiToken: "user",
        ApplicantProfile: "user",
    }
    return {model.__name__: model.objects.filter(**{owner[model]: user}).count() for model in PERSONAL}


@pytest.fixture
def alice_and_bob(client, applicant, other_applicant, media_root, django_capture_on_commit_callbacks):
    from django.test import Client

    bob_client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        bob = _everything(bob_client, other_applicant, tag="Bob", document=files.PNG)
        alice = _everything(client, applicant, tag="Alice", document=files.PDF)
    return alice, bob


def test_alice_exports_every_kind_of_her_data_and_none_of_bobs(client, applicant, other_applicant, alice_and_bob):
    response = client.get(reverse("applicants:my_data_export"))

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    read = {name: archive.read(name) for name in archive.namelist()}
    data = {name: json.loads(body) for name, body in read.items() if name.endswith(".json")}
    assert data["profile.json"]["email"] == applicant.email
    assert data["profile.json"]["medical_school"] == "Alice Medical College"
    assert [d["kind"] for d in data["documents.json"]] == ["cv"]
    assert [body for name, body in read.items() if name.startswith("files/")] == [files.PDF]
    [application] = data["applications.json"]
    assert application["listing"] == "Alice Cardiology Rotation" and application["documents_sent"] == ["cv"]
    assert application["personal_statement"] == "Alice wants to see a US cardiology service."
    assert "Alice is under review." in [e["message"] for e in application["timeline"]]
    [letter] = data["letter_requests.json"]
    assert letter["writer_name"] == "Dr. Alice Writer" and letter["status"] == "uploaded"
    assert sorted(n["title"] for n in data["notifications.json"]) == [
        "Alice: your offer expires soon",
        "Dr. Alice Writer uploaded your letter",
    ]  # the second from the upload
    assert data["notification_preferences.json"] == [{"kind": "window_closing", "enabled": False}]
    assert [s["title"] for s in data["saved_listings.json"]] == ["Alice Saved Rotation"]
    assert [t["name"] for t in data["api_tokens.json"]] == ["Alice phone"]
    assert data["sessions.json"] and data["sessions.json"][0]["ip"] == "127.0.0.1"

    everything = b"".join(read.values())
    # Nothing of Bob's, and no secret of Alice's (her token, its digest) leaves the portal.
    for secret in (
        b"Bob",
        other_applicant.email.encode(),
        files.PNG,
        alice_and_bob[0]["token"].encode(),
        ApiToken.objects.get(user=applicant).digest.encode(),
    ):
        assert secret not in everything


def test_alice_deletes_her_account_and_only_her_data_goes(
    client, applicant, other_applicant, alice_and_bob, media_root, django_capture_on_commit_callbacks
):
    alice, bob = alice_and_bob
    bob_before = _counts(other_applicant)
    bob_files = {p for p in stored_files(media_root) if p.read_bytes() == files.PNG} | {
        media_root / v.file.name for v in Letter.objects.filter(request__applicant=other_applicant)
    }
    alice_files = {media_root / v.file.name for v in DocumentVersion.objects.filter(document__owner=applicant)} | {
        media_root / v.file.name for v in Letter.objects.filter(request__applicant=applicant)
    }
    assert len(alice_files) == 2 and all(p.exists() for p in alice_files | bob_files)
    assert UserSession.objects.filter(user=applicant).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applicants:account_delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    # Her files are gone from storage, her rows from the database, her sessions ended.
    assert not any(p.exists() for p in alice_files)
    assert set(_counts(applicant).values()) == {0}
    assert not UserSession.objects.filter(user=applicant).exists()
    # She cannot sign in with her old address, nor use her API token.
    refused = client.post(reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD})
    assert refused.status_code == 200 and client.get(reverse("applicants:profile")).status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {alice['token']}")
    assert api.get("/api/v1/applicants/profile/").status_code == 401
    # The programme keeps its record of the application, no longer pointing at her name.
    application = Application.objects.select_related("applicant").get(pk=alice["application"].pk)
    assert application.applicant.email.endswith("@deleted.invalid") and application.applicant.full_name == ""
    assert not application.documents.exists()
    # The audit log is not rewritten: her sign-in and the deletion still name her address.
    assert AuditEvent.objects.filter(
        actor_id=applicant.pk, action="login.succeeded", actor_label=applicant.email
    ).exists()
    assert AuditEvent.objects.filter(
        actor_id=applicant.pk, action="account.deleted", actor_label=applicant.email
    ).exists()
    # Bob: every row, every file, his token and his sign-in untouched.
    assert _counts(other_applicant) == bob_before
    assert all(p.exists() for p in bob_files)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {bob['token']}")
    assert api.get("/api/v1/applicants/profile/").status_code == 200
    other_applicant.refresh_from_db()
    assert other_applicant.is_active and other_applicant.email == "bob@example.org"
