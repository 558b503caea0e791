"""My data: everything in one zip, and an account deletion that leaves nothing personal behind."""

import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from applicants.models import ApplicantProfile, Document, SavedListing
from tests.accounts.factories import PASSWORD
from tests.applicants import files
from tests.applicants.conftest import stored_files
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_account(client, media_root):
    profile = ApplicantProfileFactory(planned_visa="j1", step2ck_score=238)
    client.force_login(profile.user)
    client.post(reverse("applicants:document_upload"), {"kind": "cv", "file": files.upload(files.PDF, "cv.pdf")})
    client.post(
        reverse("applicants:document_replace", args=[Document.objects.get().pk]),
        {"file": files.upload(files.PNG, "cv.png")},
    )
    client.post(
        reverse("applicants:document_upload"),
        {"kind": "immunisation_record", "file": files.upload(files.JPEG, "shots.jpg"), "imm-tdap": "2024-04-01"},
    )
    SavedListing.objects.create(user=profile.user, listing=ListingFactory(title="Saved rotation"))
    return profile


def test_the_export_holds_the_profile_every_file_version_and_saved_listings(client, full_account):
    response = client.get(reverse("applicants:my_data_export"))

    assert response["Content-Type"] == "application/zip" and "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == full_account.user.email and profile["step2ck_score"] == 238
    documents = json.loads(archive.read("documents.json"))
    cv = next(d for d in documents if d["kind"] == "cv")
    assert [v["number"] for v in cv["versions"]] == [1, 2] and cv["current_version"] == 2
    immunisation = next(d for d in documents if d["kind"] == "immunisation_record")
    assert immunisation["versions"][0]["immunisations"] == [{"immunisation": "tdap", "date": "2024-04-01"}]
    assert archive.read(cv["versions"][0]["file"]) == files.PDF
    assert archive.read(cv["versions"][1]["file"]) == files.PNG
    assert json.loads(archive.read("saved_listings.json"))[0]["title"] == "Saved rotation"


def test_the_export_holds_only_my_own_data(client, full_account, other_applicant):
    client.force_login(other_applicant)

    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("applicants:my_data_export")).content))

    assert not [n for n in archive.namelist() if n.startswith("files/")]
    assert json.loads(archive.read("profile.json"))["email"] == other_applicant.email


def test_deleting_the_account_needs_the_password(client, full_account):
    response = client.post(reverse("applicants:account_delete"), {"password": "wrong", "confirm": "on"})

    assert response.status_code == 400 and "That is not your password." in response.content.decode()
    assert ApplicantProfile.objects.filter(pk=full_account.pk).exists()


def test_deleting_the_account_removes_files_and_personal_data_and_anonymises_the_user(
    client, full_account, media_root, django_capture_on_commit_callbacks
):
    user = full_account.user
    assert len(stored_files(media_root)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applicants:account_delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert stored_files(media_root) == []
    assert not ApplicantProfile.objects.exists() and not Document.objects.exists() and not SavedListing.objects.exists()
    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@deleted.invalid" and user.full_name == "" and not user.is_active
    assert not user.has_usable_password() and not EmailAddress.objects.filter(user=user).exists()
    # Signed out, and the old address cannot sign in again.
    assert client.get(reverse("applicants:profile")).status_code == 302
    assert not client.login(email="alice@example.org", password=PASSWORD)


def test_another_apps_registered_eraser_runs_on_deletion(client, full_account, monkeypatch):
    from applicants import personal_data

    erased = []
    monkeypatch.setattr(personal_data, "ERASERS", [erased.append])

    client.post(reverse("applicants:account_delete"), {"password": PASSWORD, "confirm": "on"})

    assert [u.pk for u in erased] == [full_account.user.pk]


def test_my_data_is_for_applicants_only(client, coordinator):
    client.force_login(coordinator)

    assert client.get(reverse("applicants:my_data_export")).status_code == 403
    assert client.post(reverse("applicants:account_delete"), {"password": PASSWORD, "confirm": "on"}).status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_the_deletion_page_says_the_security_log_is_kept(client, full_account):
    html = client.get(reverse("applicants:my_data")).content.decode()

    assert "The security log is kept" in html and "e-mail address of whoever did it" in html
