"""Visa invitation letters: issued by the institution's coordinators once the place is accepted,
verifiable by anyone with the code, revoked by hand or when the place is given up; all audited."""

import datetime as dt

import pytest
from django.urls import reverse

from applications.services import application_move
from applications.states import Actor
from audit.models import AuditEvent
from tests.applications.factories import ApplicationFactory
from trust.models import VisaLetter
from trust.services import TrustError, visa_letter_issue, visa_letter_revoke

pytestmark = pytest.mark.django_db

ISSUE = {"passport_number": "A1234567", "costs": "$2,600 in total", "paid_by": "The visitor, from personal funds"}


def issue(application, coordinator):
    return visa_letter_issue(application_id=application.pk, actor=coordinator, **ISSUE)


def test_a_coordinator_issues_a_letter_that_states_what_the_listing_and_application_say(
    accepted, coordinator, letterhead
):
    letter = issue(accepted, coordinator)

    assert letter.holder_name == "Alice Applicant"
    assert letter.passport_number == "A1234567"
    assert (letter.start_date, letter.end_date) == (accepted.session.start_date, accepted.session.end_date)
    assert letter.listing_title == "Internal Medicine Sub-Internship" and letter.hands_on is True
    assert letter.signatory_name == "Dr. Grace Hopper" and letter.state() == "valid"
    assert AuditEvent.objects.filter(action="visa_letter.issued", object_id=str(letter.pk), actor=coordinator).exists()


def test_issuing_twice_gives_the_same_letter(accepted, coordinator, letterhead):
    assert issue(accepted, coordinator) == issue(accepted, coordinator)
    assert VisaLetter.objects.count() == 1


@pytest.mark.parametrize("status", ["submitted", "offered", "withdrawn", "rejected"])
def test_no_letter_before_the_place_is_accepted(session, applicant, coordinator, letterhead, status):
    application = ApplicationFactory(session=session, applicant=applicant, status=status)
    with pytest.raises(TrustError, match="accepted the place"):
        issue(application, coordinator)


def test_no_letter_without_a_letterhead(accepted, coordinator):
    with pytest.raises(TrustError, match="letterhead"):
        issue(accepted, coordinator)


def test_another_institutions_coordinator_cannot_issue_or_revoke(accepted, coordinator, other_coordinator, letterhead):
    with pytest.raises(TrustError):
        issue(accepted, other_coordinator)
    letter = issue(accepted, coordinator)
    with pytest.raises(TrustError):
        visa_letter_revoke(letter_id=letter.pk, actor=other_coordinator, reason="")
    assert VisaLetter.objects.get().revoked_at is None


def test_withdrawing_revokes_the_letter_and_audits_it(accepted, applicant, coordinator, letterhead):
    letter = issue(accepted, coordinator)

    application_move(application_id=accepted.pk, to_status="withdrawn", actor=applicant, role=Actor.APPLICANT)

    letter.refresh_from_db()
    assert letter.state() == "revoked" and "withdrawn" in letter.revoked_reason
    revoked = AuditEvent.objects.get(action="visa_letter.revoked", object_id=str(letter.pk))
    assert revoked.actor == applicant and revoked.extra["automatic"] is True


def test_a_letter_expires_once_the_rotation_has_ended(accepted, coordinator, letterhead):
    letter = issue(accepted, coordinator)
    assert letter.state(today=letter.end_date) == "valid"
    assert letter.state(today=letter.end_date + dt.timedelta(days=1)) == "expired"


def test_the_verification_page_shows_only_what_a_consular_officer_needs(client, accepted, coordinator, letterhead):
    letter = issue(accepted, coordinator)

    page = client.get(reverse("trust:verify_code", args=[letter.code])).content.decode()

    assert "Valid" in page and "Alice Applicant" in page and "Lakeshore University Medical Center" in page
    assert "A1234567" not in page and "2,600" not in page
    assert client.get(reverse("trust:verify_code", args=["V-XXXX-XXXX-XXXX"])).status_code == 404


def test_the_verification_page_says_revoked(client, accepted, coordinator, letterhead):
    letter = issue(accepted, coordinator)
    visa_letter_revoke(letter_id=letter.pk, actor=coordinator, reason="Dates changed")
    assert "Revoked" in client.get(reverse("trust:verify", query={"code": letter.code.lower()})).content.decode()


def test_the_coordinator_page_issues_and_the_pdf_carries_the_code(client, accepted, coordinator, letterhead):
    client.force_login(coordinator)
    url = reverse("trust:visa_letters", args=[accepted.pk])
    assert "Issue the letter" in client.get(url).content.decode()

    response = client.post(url, ISSUE)

    assert response.status_code == 302
    letter = VisaLetter.objects.get()
    pdf = client.get(reverse("trust:visa_letter_pdf", args=[letter.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert letter.code.encode() in pdf.content


def test_the_applicant_downloads_their_own_letter_and_nobody_elses(
    client, accepted, applicant, other_applicant, coordinator, letterhead
):
    url = reverse("trust:my_visa_letter", args=[accepted.pk])
    client.force_login(applicant)
    assert client.get(url).status_code == 302  # none issued yet: back to the application, with a message
    issue(accepted, coordinator)
    assert client.get(url)["Content-Type"] == "application/pdf"
    client.force_login(other_applicant)
    assert client.get(url).status_code == 404


def test_coordinator_pages_refuse_outsiders(client, accepted, coordinator, other_coordinator, applicant, letterhead):
    letter = issue(accepted, coordinator)
    client.force_login(other_coordinator)
    assert client.get(reverse("trust:visa_letters", args=[accepted.pk])).status_code == 404
    assert client.get(reverse("trust:visa_letter_pdf", args=[letter.pk])).status_code == 404
    assert client.post(reverse("trust:visa_letter_revoke", args=[letter.pk])).status_code == 404
    client.force_login(applicant)
    assert client.get(reverse("trust:visa_letters", args=[accepted.pk])).status_code == 403


def test_the_letterhead_is_set_by_the_institutions_coordinators_only(
    client, institution, coordinator, other_coordinator
):
    url = reverse("trust:letterhead", args=[institution.pk])
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    assert client.post(url, {"letterhead": "", "signatory_name": "", "signatory_title": ""}).status_code == 400
    client.post(url, {"letterhead": "Lakeshore", "signatory_name": "Dr. A", "signatory_title": "DIO"})
    assert institution.letterhead.signatory_name == "Dr. A"


def test_the_api_issues_verifies_and_revokes(client, accepted, coordinator, other_coordinator, letterhead):
    url = reverse("trust_api:visa_letters", args=[accepted.pk])
    client.force_login(other_coordinator)
    assert client.post(url, ISSUE, content_type="application/json").status_code == 404
    client.force_login(coordinator)

    created = client.post(url, ISSUE, content_type="application/json")
    again = client.post(url, ISSUE, content_type="application/json")

    assert (created.status_code, again.status_code) == (201, 200)
    code = created.json()["code"]
    client.logout()
    verified = client.get(reverse("trust_api:verify", args=[code])).json()
    assert verified["state"] == "valid" and "passport_number" not in verified
    client.force_login(coordinator)
    revoked = client.post(
        reverse("trust_api:visa_letter_revoke", args=[created.json()["id"]]),
        {"reason": "x"},
        content_type="application/json",
    )
    assert revoked.json()["state"] == "revoked"
    client.logout()
    assert client.get(reverse("trust_api:verify", args=[code])).json()["state"] == "revoked"


def test_issuing_for_a_submitted_application_over_the_api_is_a_409(client, session, applicant, coordinator, letterhead):
    application = ApplicationFactory(session=session, applicant=applicant, status="submitted")
    client.force_login(coordinator)
    response = client.post(
        reverse("trust_api:visa_letters", args=[application.pk]), ISSUE, content_type="application/json"
    )
    assert response.status_code == 409 and "accepted" in response.json()["detail"]


def test_the_letterhead_page_goes_back_only_to_this_site(client, institution, coordinator):
    client.force_login(coordinator)
    data = {"letterhead": "Lakeshore", "signatory_name": "Dr. A", "signatory_title": "DIO"}
    url = reverse("trust:letterhead", args=[institution.pk])
    assert client.post(url + "?next=https://evil.example.org/", data)["Location"] == url
    assert client.post(url + "?next=/applications/queue/", data)["Location"] == "/applications/queue/"
